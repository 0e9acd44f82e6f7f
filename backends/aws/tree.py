"""The resources (REST) or route paths (HTTP API) of one gateway, and which spec route answers
each method on each of them.

API Gateway matches a literal resource before the greedy `{proxy+}` sibling, and an explicit
method before `ANY` on the same resource. The spec's order is the gateway's dispatch table
(Gateway API precedence). So every resource any route could reach gets its methods spelled
out from the dispatch table: a prefix route is written on its own resource, on a `{proxy+}`
child of it, and on every literal resource below it (with its own `{proxy+}`), so that no
request depends on how API Gateway falls back from a resource without a match."""
from __future__ import annotations

from dataclasses import dataclass

from gatewayc.ir import model as ir

GREEDY = "{proxy+}"
ANY = "ANY"


@dataclass(frozen=True)
class Op:
    route: ir.Route
    match: ir.Match
    node: tuple[str, ...]  # the resource's literal segments (without the greedy one)
    greedy: bool  # the `{proxy+}` child of `node`
    prefix: tuple[str, ...] | None  # the matched prefix's segments, for a prefix match


def segments(path: str) -> tuple[str, ...]:
    """`/a/b` -> ("a", "b"); a prefix's trailing slash means the same as without (M6)."""
    return tuple(path.strip("/").split("/")) if path.strip("/") else ()


def resource_path(node: tuple[str, ...], greedy: bool = False) -> str:
    parts = list(node) + ([GREEDY] if greedy else [])
    return "/" + "/".join(parts)


def operations(gw: ir.Gateway) -> dict[str, dict[str, Op]]:
    """OpenAPI path -> {method or ANY: Op}, paths sorted, methods sorted with ANY last.

    A resource's candidates are the exact routes on it and the prefix routes on it or above
    it: found through two indexes by segments (the prefixes of a node are its own few
    ancestors), so the build is linear in the routes, not pairwise."""
    exact: dict[tuple[str, ...], list[int]] = {}
    prefix: dict[tuple[str, ...], list[int]] = {}
    table = [d for d in gw.dispatch if d.match.path.kind in ("exact", "prefix")]
    prefixes: list[tuple[str, ...] | None] = []  # per entry: a prefix match's segments
    nodes: set[tuple[str, ...]] = set()
    for i, d in enumerate(table):
        if d.match.path.kind == "prefix":
            segs = segments(d.match.path.value)
            prefix.setdefault(segs, []).append(i)
            prefixes.append(segs)
        else:
            segs = _exact(d.match.path.value)
            exact.setdefault(segs, []).append(i)
            prefixes.append(None)
        nodes.update(segs[:n] for n in range(len(segs) + 1))
    out: dict[str, dict[str, Op]] = {}
    for node in sorted(nodes):
        above = sorted(i for n in range(len(node) + 1) for i in prefix.get(node[:n], ()))
        here = _assign(node, False, [(table[i], prefixes[i]) for i in sorted(above + exact.get(node, []))])
        if here:
            out[resource_path(node)] = here
        if above:
            below = _assign(node, True, [(table[i], prefixes[i]) for i in above])
            if below:
                out[resource_path(node, True)] = below
    return {p: out[p] for p in sorted(out)}


def _exact(path: str) -> tuple[str, ...]:
    # an exact path keeps its empty segments (the lint refuses them: AWS has no empty resource)
    return tuple(path[1:].split("/")) if path != "/" else ()


def _assign(node: tuple[str, ...], greedy: bool,
            candidates: list[tuple[ir.Dispatch, tuple[str, ...] | None]]) -> dict[str, Op]:
    """Methods for one resource, from its candidates (with a prefix match's segments) in
    dispatch order: a method goes to the first route that takes it; once a route takes any
    method, the later ones are shadowed."""
    ops: dict[str, Op] = {}
    for d, prefix in candidates:
        op = Op(d.route, d.match, node, greedy, prefix)
        if not d.match.methods:
            ops.setdefault(ANY, op)
            break
        for m in d.match.methods:
            ops.setdefault(m.upper(), op)
    out = {m: ops[m] for m in sorted(ops) if m != ANY}
    if ANY in ops:  # last
        out[ANY] = ops[ANY]
    return out
