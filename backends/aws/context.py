"""State shared by the builders of one AWS output: the API type, notes, and where each piece
of the document came from in the spec (so that the lint points at the spec, not at JSON)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from gatewayc.diagnostics import Diagnostic, Location, Severity
from gatewayc.ir import model as ir

Api = Literal["rest", "http"]


@dataclass
class Ctx:
    gateway: ir.Gateway
    api: Api = "rest"
    dropped: frozenset[str] = frozenset()
    accepted: frozenset[str] = frozenset()  # features whose particular uses may be left out (GWC302)
    notes: list[Diagnostic] = field(default_factory=list)
    # OpenAPI path -> the spec position that made it; (path, method) -> likewise
    path_loc: dict[str, Location] = field(default_factory=dict)
    op_loc: dict[tuple[str, str], Location] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)  # template parameter -> its description
    # (id of a route, id of its match) -> what its operations' proxy integrations share
    proxies: dict[tuple[int, int], tuple] = field(default_factory=dict)

    @cached_property
    def rest(self) -> bool:
        return self.api == "rest"

    @cached_property
    def claim_headers(self) -> list[str]:
        """The headers some JWT route of the gateway fills from claims, sorted (asked for on
        every route of an HTTP API)."""
        return sorted({header for r in self.gateway.routes if r.policies.auth is not None
                       and isinstance(r.policies.auth.method, ir.JwtAuth)
                       for _, header in r.policies.auth.method.forward_claims})

    def dropping(self, feature: str) -> bool:
        return feature in self.dropped

    def error(self, message: str, loc: Location | None, hint: str | None = None) -> None:
        """The output would not do what the spec says: GWC310 (the build fails)."""
        self._add(Diagnostic("GWC310", f"aws: {message}", loc, hint=hint))

    def limitation(self, feature: str, message: str, loc: Location | None, hint: str | None = None) -> bool:
        """A use of `feature` that API Gateway cannot express: True when the user accepted losing
        that feature (the caller leaves this use out, GWC302), else a GWC310 and False."""
        if feature in self.accepted and not feature.startswith("auth."):
            self._add(Diagnostic("GWC302", f"aws: left out as accepted ({feature}): {message}", loc,
                                 severity=Severity.WARNING))
            return True
        self.error(message, loc, hint)
        return False

    def warn(self, message: str, loc: Location | None = None) -> None:
        """The output does what the spec says, approximately: GWC311."""
        self._add(Diagnostic("GWC311", f"aws: {message}", loc, severity=Severity.WARNING))

    def info(self, message: str, loc: Location | None = None) -> None:
        self._add(Diagnostic("GWC301", f"aws: {message}", loc, severity=Severity.INFO))

    def only_rest(self, what: str, loc: Location | None, feature: str = "auth.") -> bool:
        """True on a REST API; on an HTTP API, a limitation of `feature` saying `what` needs REST."""
        if not self.rest:
            self.limitation(feature, f"{what} needs a REST API; the HTTP API has none", loc,
                            hint="build without `--aws-api http`")
        return self.rest

    def only_http(self, what: str, loc: Location | None, feature: str = "auth.") -> bool:
        if self.rest:
            self.limitation(feature, f"{what} needs an HTTP API", loc, hint="build with `--aws-api http`")
        return not self.rest

    def _add(self, d: Diagnostic) -> None:
        if d not in self.notes:
            self.notes.append(d)
