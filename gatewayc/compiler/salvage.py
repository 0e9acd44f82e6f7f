"""Keep checking after schema errors.

One run should report every independent problem, so a schema error must not hide the
reference, duplicate-name, conflict and capability checks of the rest of the spec. Each
failing field is pruned from a copy of the tree (the field, not its whole service or
gateway), and the copy is validated again until it passes; only the first round's errors
are reported, later rounds only find what pruning itself caused (a required field now
missing). Whatever a pruned part referred to (`service:`, `use:`) counts as used, so that
a typo such as `servce: users` does not also make `users` "unused".

A route whose match, hostnames or name is broken is dropped whole: checking its
neighbours for conflicts against a guessed match would invent problems.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError

from ..loader.yamltree import YMap, YSeq
from .schema_errors import model_at

_MAX_ROUNDS = 16
_ROUTE_WHOLE = ("match", "hostnames", "name")


@dataclass
class Salvaged:
    tree: YMap
    spec: BaseModel | None = None
    # named entries dropped whole: already reported, so references to them are not
    dropped: dict[str, set[str]] = field(default_factory=lambda: {"services": set(), "policies": set(), "gateways": set()})
    # gateways that lost routes (an empty route list there is not "a gateway without routes")
    pruned_routes: set[str] = field(default_factory=set)
    # services and policy sets named by pruned parts: they are used, so not reported as unused
    referenced: dict[str, set[str]] = field(default_factory=lambda: {"services": set(), "policies": set()})


def copy_tree(node):
    """A copy that can be pruned; YAML aliases become separate copies, so pruning one use
    of an anchor leaves the others alone."""
    if isinstance(node, YMap):
        c = YMap((k, copy_tree(v)) for k, v in node.items())
        c.file, c.pos, c.kpos, c.vpos = node.file, node.pos, dict(node.kpos), dict(node.vpos)
        return c
    if isinstance(node, YSeq):
        c = YSeq(copy_tree(v) for v in node)
        c.file, c.pos, c.ipos = node.file, node.pos, list(node.ipos)
        return c
    return node


def _references(key, node, out: dict[str, set[str]], depth: int = 0) -> None:
    """Collect `service: NAME` and `use: [NAME...]` in a pruned part (and the part itself)."""
    if depth > 64:
        return
    if key == "service" and isinstance(node, str):
        out["services"].add(node)
    elif key == "use" and isinstance(node, list):
        out["policies"].update(x for x in node if isinstance(x, str))
    elif isinstance(node, dict):
        for k, v in node.items():
            _references(k, v, out, depth + 1)
    elif isinstance(node, list):
        for v in node:
            _references(None, v, out, depth + 1)


def _meant(root: type[BaseModel], err: dict, loc: list) -> str | None:
    """For an unknown field, the known field it is a typo of (`servce` -> `service`)."""
    if err["type"] != "extra_forbidden" or not loc or not isinstance(loc[-1], str):
        return None
    model = model_at(root, tuple(err["loc"])[:-1])
    close = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1, cutoff=0.6) if model else []
    return close[0] if close else None


def _target(tree: YMap, loc: list):
    """(parent, key, path) of the deepest node on `loc` present in the tree."""
    node, chain = tree, []
    for part in loc:
        if isinstance(node, YMap) and not isinstance(part, int) and part in node:
            chain.append((node, part))
            node = node[part]
        elif isinstance(node, YMap) and isinstance(part, int):
            continue  # a single mapping that a shorthand wrapped into a list
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            chain.append((node, part))
            node = node[part]
        else:
            break
    if not chain:
        return None
    return (*chain[-1], tuple(k for _, k in chain))


def _prune_round(out: Salvaged, errors: list[dict], root: type[BaseModel]) -> bool:
    targets: dict[tuple[int, object], tuple] = {}
    for err in errors:
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("§"))]
        if "[key]" in loc:  # an invalid mapping key: the entry it names goes
            loc = loc[:loc.index("[key]")]
        if not loc or loc[0] == "version":
            return False  # another version's spec: checking it against version 1 would be noise
        if (len(loc) >= 5 and loc[0] == "gateways" and loc[2] == "routes" and isinstance(loc[3], int)
                and loc[4] in _ROUTE_WHOLE):
            loc = loc[:4]
        found = _target(out.tree, loc)
        if found is None:
            return False
        parent, key, path = found
        targets[(id(parent), key)] = (parent, key, path, _meant(root, err, loc) if path == tuple(loc) else None)
    # list items from the last to the first, so that earlier indexes stay right
    for parent, key, path, meant in sorted(targets.values(), key=lambda t: (id(t[0]), -t[1] if isinstance(t[1], int)
                                                                             else 0)):
        _references(meant or key, parent[key], out.referenced)
        if len(path) == 2 and path[0] in out.dropped:
            out.dropped[path[0]].add(path[1])
        if len(path) == 4 and path[0] == "gateways" and path[2] == "routes":
            out.pruned_routes.add(path[1])
        del parent[key]
        if isinstance(parent, YMap):
            parent.kpos.pop(key, None)
            parent.vpos.pop(key, None)
        else:
            del parent.ipos[key]
    return True


def salvage(tree: YMap, errors: list[dict], root: type[BaseModel]) -> Salvaged | None:
    """The spec without the parts that failed validation, or None when nothing sensible is left."""
    out = Salvaged(copy_tree(tree))
    for _ in range(_MAX_ROUNDS):
        if not _prune_round(out, errors, root):
            return None
        try:
            out.spec = root.model_validate(out.tree)
            return out
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
    return None
