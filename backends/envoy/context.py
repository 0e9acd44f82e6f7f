"""State shared by the builders of one Envoy output: notes, environment variables, names."""
from __future__ import annotations

from dataclasses import dataclass, field

from gatewayc.diagnostics import Diagnostic, Location, Severity

# Spec names are [A-Za-z0-9._-]; `~` never occurs in them, so joining with it cannot collide.
SEP = "~"
T = "type.googleapis.com/"


def name(*parts: str) -> str:
    return SEP.join(parts)


def dur(ms: int) -> str:
    """A protobuf Duration in its JSON/YAML form."""
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms // 1000}.{ms % 1000:03d}s"


def typed(kind: str, **fields) -> dict:
    return {"@type": T + kind, **fields}


def literal(s: str) -> str:
    """Text for a field Envoy reads as a substitution format string (header values, log
    formats): `%` starts a command there, `%%` is a literal `%`."""
    return s.replace("%", "%%")


@dataclass
class Ctx:
    dropped: frozenset[str] = frozenset()
    notes: list[Diagnostic] = field(default_factory=list)
    env: set[str] = field(default_factory=set)
    newer: set[str] = field(default_factory=set)  # features announced as needing Envoy > floor.FLOOR

    def dropping(self, feature: str) -> bool:
        return feature in self.dropped

    def error(self, message: str, loc: Location | None, hint: str | None = None) -> None:
        """The output would not do what the spec says: GWC310 (the build fails)."""
        self._add(Diagnostic("GWC310", f"envoy: {message}", loc, hint=hint))

    def over_limit(self, message: str, loc: Location | None, hint: str) -> None:
        """A value longer than Envoy takes: GWC350 (the build fails; a value written into
        several places is reported once)."""
        self._add(Diagnostic("GWC350", f"envoy: {message}", loc, hint=hint))

    def warn(self, message: str, loc: Location | None = None) -> None:
        """The output does what the spec says, approximately: GWC311."""
        self._add(Diagnostic("GWC311", f"envoy: {message}", loc, severity=Severity.WARNING))

    def info(self, message: str, loc: Location | None = None) -> None:
        self._add(Diagnostic("GWC301", f"envoy: {message}", loc, severity=Severity.INFO))

    def _add(self, d: Diagnostic) -> None:
        if d not in self.notes:
            self.notes.append(d)
