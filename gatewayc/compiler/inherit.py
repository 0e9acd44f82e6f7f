"""Policy inheritance: gateway -> service -> route, each level replacing a policy kind
wholesale, `use:` sets applied before the block that names them, `false` switching off."""
from __future__ import annotations

from ..spec.policies import POLICY_KINDS, Policies

Path = tuple  # location path of the block a value came from
Level = str  # "gateway", "service" or "route": where the block applies, a named set taking its user's level
Effective = dict[str, tuple[object, Path, Level]]  # kind -> (value or False, where, level)


def layer(into: Effective, block: Policies | None, where: Path, named: dict[str, Policies], level: Level) -> None:
    if block is None:
        return
    for name in block.use:
        if name in named:
            layer(into, named[name], ("policies", name), named, level)
    for kind in POLICY_KINDS:
        value = getattr(block, kind)
        if value is not None:
            into[kind] = (value, (*where, kind), level)
