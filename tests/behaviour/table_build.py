"""Building a group for one target with gatewayc's build library (what `gatewayc build`
runs: compile, grade the features against the target's capability matrix, backend), and
sorting its refusals: a capability refusal (GWC300, GWC310) inside a case's fragment for a
feature that case declares, and that the target's matrix does not claim in full, skips that
case; any other refusal inside a case's fragment fails that case (the target claims what it
then refuses). Either way the group is built again without the case. Anything else fails the
whole group."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gatewayc import backends
from gatewayc.build import BuildResult, build
from gatewayc.capabilities import FEATURES, Support
from table_model import Case, Group
from table_spec import Assembled, assemble, owner

CAPABILITY_CODES = ("GWC300", "GWC310")


@dataclass
class Built:
    spec: Assembled | None = None
    result: BuildResult | None = None
    cases: tuple[Case, ...] = ()  # the cases the build holds
    skipped: dict[str, str] = field(default_factory=dict)  # case -> why (target, feature, code)
    failed: dict[str, str] = field(default_factory=dict)  # case -> the refusal the matrix does not excuse
    failure: str | None = None  # why the whole group fails


def _feature(message: str) -> str | None:
    """The feature id a GWC300 message names, `... (routing.query), which ...`."""
    for m in re.finditer(r"\(([a-z][a-z0-9_.]*)\)", message):
        if m.group(1) in FEATURES:
            return m.group(1)
    return None


def _excuse(target: str, features: tuple[str, ...], d) -> str | None:
    """Why refusal `d` of something that needs `features` is the matrix's own word, or None."""
    declared = backends.capabilities(target)
    table = {f: declared.get(f, Support("unsupported", "not declared by the backend")) for f in FEATURES}
    at = f"{d.code} at gateway.yml:{d.location.line}:{d.location.col}" if d.location else d.code
    if d.code == "GWC300":
        f = _feature(d.message)
        if f in features and table[f].level == "unsupported":
            return f"{target} refuses {f} ({at}): {table[f].note}"
        return None
    limited = [f for f in features if table[f].level != "native"]
    if limited:  # GWC310: a use the matrix's note for the feature (emulated / unsupported) rules out
        notes = "; ".join(f"{f}: {table[f].level}, {table[f].note}" for f in limited)
        return f"{target} refuses a use of {', '.join(limited)} ({at}: {d.message}) [{notes}]"
    return None


def _show(d) -> str:
    at = f" gateway.yml:{d.location.line}:{d.location.col}" if d.location else ""
    return f"{d.code}{at}: {d.message}"


def build_group(target: str, group: Group, work: Path, port: int, substitute) -> Built:
    """Builds `group` into memory; `substitute(text)` fills in upstream URLs and paths."""
    out = Built(cases=group.cases)
    while True:
        spec = assemble(group, out.cases, port)
        path = work / "gateway.yml"
        path.write_text(substitute(spec.text))
        result = build(str(path), [target], source="gateway.yml")
        out.spec, out.result = spec, result
        errors = [d for d in result.diagnostics if d.is_error]
        if not errors:
            return out
        skipped: dict[str, str] = {}
        failed: dict[str, str] = {}
        for d in errors:
            who = owner(spec, d.location.line) if d.location and d.location.file == str(path) else None
            case = next((c for c in out.cases if c.name == who), None)
            needs = case.features if case else group.features
            why = _excuse(target, needs, d) if d.code in CAPABILITY_CODES else None
            if why is None and (case is None or d.code not in CAPABILITY_CODES):
                out.failure = f"{target} build failed: " + "; ".join(_show(x) for x in errors)
                return out
            if case is None:  # the shared part is refused: no case of the group can run
                out.skipped.update({c.name: why for c in out.cases})
                out.cases = ()
                return out
            if why is None:
                failed.setdefault(case.name, f"{target} refuses what its capability matrix claims: {_show(d)} "
                                             f"(the case needs {', '.join(case.features)})")
            else:
                skipped.setdefault(case.name, why)
        out.skipped.update({k: v for k, v in skipped.items() if k not in failed})
        out.failed.update(failed)
        out.cases = tuple(c for c in out.cases if c.name not in skipped and c.name not in failed)
