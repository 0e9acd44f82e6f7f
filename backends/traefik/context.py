"""State shared by the builders of one Traefik output: notes, env variables, object names."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from gatewayc.diagnostics import Diagnostic, Location, Severity
from gatewayc.ir import model as ir
from gatewayc.output import dump

# Spec names are [A-Za-z0-9._-]; `~` never occurs in them, so joining with it cannot collide,
# and Traefik accepts it in object names (it reserves `@`, and `/ , : { }` break references).
SEP = "~"


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:8]


class Raw(dump.Raw):
    """A YAML node written as this text, unescaped: a Go template (sprig functions) that
    Traefik's file provider runs when it loads the file. Built by the backend, never from
    user text (user strings are escaped, render.py)."""


def env_value(var: str) -> Raw:
    """The value of the gateway process's environment variable, as one YAML string."""
    return Raw(f'{{{{ env "{var}" | toJson }}}}')


@dataclass
class Ctx:
    dropped: frozenset[str] = frozenset()
    notes: list[Diagnostic] = field(default_factory=list)
    env: set[str] = field(default_factory=set)
    plugin: bool = False  # gatewayc's plugin is used: ship it and declare it

    def dropping(self, feature: str) -> bool:
        return feature in self.dropped

    def error(self, message: str, loc: Location | None, hint: str | None = None) -> None:
        """The output would not do what the spec says: GWC310 (the build fails)."""
        self._add(Diagnostic("GWC310", f"traefik: {message}", loc, hint=hint))

    def warn(self, message: str, loc: Location | None = None) -> None:
        """The output does what the spec says, approximately: GWC311."""
        self._add(Diagnostic("GWC311", f"traefik: {message}", loc, severity=Severity.WARNING))

    def info(self, message: str, loc: Location | None = None) -> None:
        self._add(Diagnostic("GWC301", f"traefik: {message}", loc, severity=Severity.INFO))

    def _add(self, d: Diagnostic) -> None:
        if d not in self.notes:
            self.notes.append(d)


def name(*parts: str) -> str:
    """An object name from spec names (gateway, route, service) and fixed words."""
    return SEP.join(parts)


def slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", s)
