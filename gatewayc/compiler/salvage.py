"""Keep checking after schema errors.

When some entries of a spec are malformed, the rest is still worth checking for dangling
references, conflicts and the like: drop the entries that failed (services, policy sets,
routes, gateways), validate again, and remember what was dropped so that references to
it are not reported twice.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..loader.yamltree import YMap, YSeq


@dataclass
class Salvaged:
    tree: YMap
    dropped: dict[str, set[str]] = field(default_factory=lambda: {"services": set(), "policies": set(), "gateways": set()})
    # gateway -> index in the salvaged route list -> index in the original list
    route_index: dict[str, list[int]] = field(default_factory=dict)
    # services and policy sets named by dropped entries: they are used, so not reported as unused
    referenced: dict[str, set[str]] = field(default_factory=lambda: {"services": set(), "policies": set()})


def _references(node, out: dict[str, set[str]], depth: int = 0) -> None:
    """Collect `service: NAME` and `use: [NAME...]` anywhere inside a dropped entry."""
    if depth > 64:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "service" and isinstance(v, str):
                out["services"].add(v)
            elif k == "use" and isinstance(v, list):
                out["policies"].update(x for x in v if isinstance(x, str))
            else:
                _references(v, out, depth + 1)
    elif isinstance(node, list):
        for v in node:
            _references(v, out, depth + 1)


def _copy_map(m: YMap) -> YMap:
    c = YMap(m)
    c.file, c.pos, c.kpos, c.vpos = m.file, m.pos, dict(m.kpos), dict(m.vpos)
    return c


def salvage(tree: YMap, error_locs: list[tuple]) -> Salvaged | None:
    bad_routes: dict[str, set[int]] = {}
    out = Salvaged(_copy_map(tree))
    for loc in error_locs:
        if len(loc) >= 2 and loc[0] in ("services", "policies") and isinstance(loc[1], str):
            out.dropped[loc[0]].add(loc[1])
        elif len(loc) >= 4 and loc[0] == "gateways" and loc[2] == "routes" and isinstance(loc[3], int):
            bad_routes.setdefault(loc[1], set()).add(loc[3])
        elif len(loc) >= 2 and loc[0] == "gateways" and isinstance(loc[1], str):
            out.dropped["gateways"].add(loc[1])
        else:
            return None  # a top-level problem: nothing sensible to salvage
    t = out.tree
    for section in ("services", "policies", "gateways"):
        if isinstance(t.get(section), dict):
            for name in out.dropped[section]:
                _references(t[section].get(name), out.referenced)
    gws_ = t.get("gateways")
    for gw, bad in bad_routes.items():
        routes = gws_.get(gw, {}).get("routes") if isinstance(gws_, dict) and isinstance(gws_.get(gw), dict) else None
        if isinstance(routes, list):
            for i in bad:
                if 0 <= i < len(routes):
                    _references(routes[i], out.referenced)
    for section in ("services", "policies", "gateways"):
        if out.dropped[section] and isinstance(t.get(section), YMap):
            sec = _copy_map(t[section])
            for name in out.dropped[section]:
                sec.pop(name, None)
            t[section] = sec
    if bad_routes and isinstance(t.get("gateways"), YMap):
        gws = t["gateways"] = _copy_map(t["gateways"])
        for gw, bad in bad_routes.items():
            if gw not in gws or not isinstance(gws[gw], YMap) or not isinstance(gws[gw].get("routes"), YSeq):
                continue
            g = gws[gw] = _copy_map(gws[gw])
            keep = [i for i in range(len(g["routes"])) if i not in bad]
            routes = YSeq(g["routes"][i] for i in keep)
            routes.file, routes.pos = g["routes"].file, g["routes"].pos
            routes.ipos = [g["routes"].ipos[i] for i in keep]
            g["routes"] = routes
            out.route_index[gw] = keep
    return out
