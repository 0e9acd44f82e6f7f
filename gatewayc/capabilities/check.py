"""Grade every feature a build uses against the target's declared support.

Like sqlglot's unsupported-level policy, but per feature: unsupported is an error unless
the user accepted that one feature's loss on that target; auth can never be accepted.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..diagnostics import Diagnostic, Severity
from ..suggest import did_you_mean
from .features import FEATURES, Use, is_auth
from .support import Support


def grade(target: str, table: Mapping[str, Support], found: Iterable[Use],
          accepted: Iterable[str]) -> tuple[list[Diagnostic], set[str]]:
    """Returns the diagnostics and the set of features the backend must leave out."""
    accepted = set(accepted)
    diags: list[Diagnostic] = []
    dropped: set[str] = set()
    emulated_seen: set[str] = set()
    for feature, loc, what in found:
        support = table.get(feature)
        if support is None:
            support = Support("unsupported", "not declared by the backend")
        if support.level == "native":
            continue
        if support.level == "emulated":
            if feature not in emulated_seen:  # one note per feature is enough
                emulated_seen.add(feature)
                diags.append(Diagnostic("GWC301", f"{target}: {FEATURES[feature]} ({feature}) is emulated: "
                                        f"{support.note}", loc, severity=Severity.INFO))
            continue
        if feature in accepted and not is_auth(feature):
            dropped.add(feature)
            diags.append(Diagnostic("GWC302", f"{what}: {FEATURES[feature]} ({feature}) is left out of the {target} "
                                    f"configuration as accepted: {support.note}", loc))
            continue
        hint = (f"authentication is never dropped; use another auth method or target" if is_auth(feature)
                else f"change the spec, or accept the loss with --accept-degraded {feature}")
        diags.append(Diagnostic("GWC300", f"{what} uses {FEATURES[feature]} ({feature}), which {target} "
                                f"cannot express: {support.note}", loc, hint=hint))
    for feature in sorted(accepted):
        if is_auth(feature):
            diags.append(Diagnostic("GWC303", f"auth feature {feature!r} cannot be accepted as a degradation"))
        elif feature not in FEATURES:
            diags.append(Diagnostic("GWC307", f"unknown feature {feature!r}",
                                    hint=did_you_mean(feature, FEATURES) or "`gatewayc targets` lists feature ids"))
    return diags, dropped


def unexpressible(table: Mapping[str, Support], found: Iterable[Use]) -> set[str]:
    """Every feature the target cannot express, accepted or not (auth included)."""
    # a 10k-route spec has tens of thousands of uses of a few dozen features
    return {f for f in {f for f, _, _ in found} if table.get(f, _UNDECLARED).level == "unsupported"}


_UNDECLARED = Support("unsupported")
