"""State shared by the builders of one gateway's kong.yml."""
from __future__ import annotations

from dataclasses import dataclass, field

from gatewayc.diagnostics import Diagnostic, Location, Severity
from gatewayc.ir import model as ir

from . import ids


@dataclass
class Ctx:
    gateway: str
    dropped: frozenset[str] = frozenset()
    accepted: frozenset[str] = frozenset()  # BuildOptions.accepted
    notes: list[Diagnostic] = field(default_factory=list)
    env: set[str] = field(default_factory=set)
    consumers: dict[str, dict] = field(default_factory=dict)  # username -> consumer entity
    answers: ir.Answers = field(default_factory=ir.Answers)  # the gateway's (bodies of its own answers)
    global_limit: object = None  # the ir.RateLimit the global rate-limiting plugin counts, if any
    _seen: set = field(default_factory=set)
    _once: set = field(default_factory=set)

    def once(self, key: str) -> bool:
        """True the first time `key` is seen: for notes that should appear once per gateway."""
        if key in self._once:
            return False
        self._once.add(key)
        return True

    def id(self, kind: str, name: str) -> str:
        return ids.entity_id(self.gateway, kind, name)

    def error(self, message: str, loc: Location | None, hint: str | None = None) -> None:
        self._add(Diagnostic("GWC300", f"kong: {message}", loc, hint=hint))

    def limitation(self, message: str, loc: Location | None, hint: str | None = None) -> None:
        """GWC310: the feature is supported, but not in the form the spec uses here."""
        self._add(Diagnostic("GWC310", f"kong: {message}", loc, hint=hint))

    def cannot(self, feature: str, message: str, loc: Location | None) -> None:
        """A use of `feature` Kong cannot express: left out when the user accepted losing the
        feature (GWC302), else refused (GWC310)."""
        if feature in self.accepted:
            self._add(Diagnostic("GWC302", f"kong: {message}; left out of the kong configuration as accepted "
                                 f"({feature})", loc))
        else:
            self.limitation(message, loc)

    def approximation(self, message: str, loc: Location | None = None, written: bool = True) -> None:
        """GWC311: Kong does it, but not exactly as the spec says (the message says how). A
        warning when Kong drops something the spec wrote; where only the shape of an answer
        the spec leaves at its default differs, an info (a spec without such choices still
        builds without warnings)."""
        self._add(Diagnostic("GWC311", f"kong: {message}", loc,
                             severity=None if written else Severity.INFO))

    def info(self, message: str, loc: Location | None = None) -> None:
        self._add(Diagnostic("GWC301", f"kong: {message}", loc, severity=Severity.INFO))

    def warn(self, message: str, loc: Location | None = None) -> None:
        self._add(Diagnostic("GWC301", f"kong: {message}", loc, severity=Severity.WARNING))

    def _add(self, d: Diagnostic) -> None:
        key = (d.code, d.message, d.location)
        if key not in self._seen:
            self._seen.add(key)
            self.notes.append(d)

    def secret_var(self, ref, loc: Location | None, what: str, suffix: str = "") -> str | None:
        """The decK variable for an IR secret reference, registered in Output.env."""
        if ref.kind != "env":
            self.error(f"{what}: secret file {ref.name!r} cannot be used: decK fills secrets only from "
                       f"environment variables (DECK_*), and Kong OSS does not resolve vault references there",
                       loc, hint="use `{env: NAME}`; the Kong build reads DECK_NAME")
            return None
        var = ids.deck_var(ref.name, suffix)
        self.env.add(var)
        return var
