"""Kong routes from a gateway's dispatch table, ranked as Gateway API ranks them.

One Kong route per (IR route, match, host group): plain hosts share a group, each wildcard host
gets its own, so that every Kong route is either plain-host-only or has one wildcard (Kong ranks
plain hosts first, Gateway API ranks longer wildcards first). All paths are regex paths, so
`regex_priority` carries the intended order. Kong ranks by (number of fields, plain hosts,
header count) before `regex_priority`; `check_priorities` finds every pair of routes that could
both match a request and that Kong would rank the other way round.
"""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from gatewayc.ir import model as ir
from gatewayc.ir.precedence import host_group_key, host_groups, host_matches
from gatewayc.prefixindex import PrefixIndex

from . import ids
from .compiles import compiles
from .context import Ctx
from .paths import PathError, escape, kong_path, literal_prefixes, overlap

ALL_METHODS = ("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")
_UPPER_ESCAPE = re.compile(r"\\[A-Z]")


@dataclass
class Planned:
    route: ir.Route
    match: ir.Match
    match_index: int
    dispatch_index: int
    hosts: tuple[str, ...]
    group_index: int
    entity: dict = field(default_factory=dict)
    priority: tuple = ()

    def sort_key(self) -> tuple:
        return (*host_group_key(self.hosts), self.dispatch_index, self.group_index, -len(self.match.headers))


def routed(route: ir.Route) -> bool:
    """Routes whose action Kong can carry out (aggregate is unsupported)."""
    return isinstance(route.action, (ir.Forward, ir.Respond, ir.Redirect))


def plan(gw: ir.Gateway, ctx: Ctx, skip: frozenset[str] = frozenset()) -> dict[str, list[dict]]:
    """IR route name -> its Kong route entities (without `service`; they are nested). Routes
    named in `skip` get none (their action cannot be carried out; the build has an error)."""
    any_methods = any(d.match.methods for d in gw.dispatch if routed(d.route) and d.route.name not in skip)
    planned: list[Planned] = []
    for i, d in enumerate(gw.dispatch):
        if not routed(d.route) or d.route.name in skip:
            continue
        j = d.route.matches.index(d.match)
        for g, hosts in enumerate(host_groups(d.route.hostnames)):
            planned.append(Planned(d.route, d.match, j, i, hosts, g))
    _rank(planned, any_methods, ctx)
    limit = 4 * len(planned) + 16
    inversions = _Inversions(planned)
    while True:
        fix = inversions.first()
        if fix is None:
            break
        a, b = fix
        if len(planned) >= limit:
            report(a, b, ctx)
            break
        # Kong tries b (more headers) before a: give a a copy that also requires b's headers,
        # which Kong ranks with b and, by regex_priority, above it.
        headers = a.match.headers + tuple(h for h in b.match.headers
                                          if h.name not in {x.name for x in a.match.headers})
        merged = tuple(sorted(headers, key=lambda h: (h.name, h.kind, h.value)))
        copy = replace(a, match=replace(a.match, headers=merged), entity={}, priority=())
        if _key(copy) in inversions.keys:
            continue
        copy.entity = _entity(copy, 0, any_methods, ctx)  # its rank class; positions come below
        planned.append(copy)
        inversions.add(copy)
    _rank(planned, any_methods, ctx)
    by_route: dict[str, list[Planned]] = {}
    for p in planned:
        by_route.setdefault(p.route.name, []).append(p)
    out: dict[str, list[dict]] = {}
    for name, ps in by_route.items():
        ps.sort(key=lambda p: (p.match_index, p.group_index))
        ents = []
        for k, p in enumerate(ps):
            rname = name if len(ps) == 1 else f"{name}{ids.SEP}{k}"
            ents.append({"name": rname, "id": ctx.id("route", rname), **p.entity})
        out[name] = sorted(ents, key=lambda e: e["name"])
    return out


def _rank(planned: list[Planned], any_methods: bool, ctx: Ctx) -> None:
    planned.sort(key=Planned.sort_key)
    total = len(planned)
    for pos, p in enumerate(planned):
        if p.entity:
            _reposition(p, total - pos)
        else:
            p.entity = _entity(p, total - pos, any_methods, ctx)


def _reposition(p: Planned, regex_priority: int) -> None:
    """What _entity(p, regex_priority, ...) gives for a route it already made: only the position
    differs, and its notes were written the first time."""
    p.entity["regex_priority"] = regex_priority
    p.priority = kong_priority(p.entity)


def _flags(route: ir.Route) -> tuple[bool, bool]:
    """(strip_path, preserve_host). Gateway API passes the client's Host through unless rewritten
    (a host rewrite is done by request-transformer, which overrides it)."""
    a = route.action
    strip = isinstance(a, ir.Forward) and a.path_rewrite is not None and \
        a.path_rewrite.kind in ("strip_prefix", "replace_prefix")
    return strip, True


def _entity(p: Planned, regex_priority: int, any_methods: bool, ctx: Ctx) -> dict:
    m = p.match
    try:
        path = kong_path(m.path)
    except PathError as exc:
        ctx.limitation(str(exc), m.loc, hint="write the regex as /...(alternatives)...")
        path = "~/" + re.escape(m.path.value)  # never loaded: the build fails on the error
    methods = sorted(m.methods) if m.methods else (list(ALL_METHODS) if any_methods else None)
    strip, preserve = _flags(p.route)
    e: dict = {"paths": [path]}
    if methods:
        e["methods"] = methods
    if p.hosts:
        e["hosts"] = list(p.hosts)
    headers = _headers(m, ctx)
    if headers:
        e["headers"] = headers
    e.update({
        "https_redirect_status_code": 426,
        "path_handling": "v0",
        "preserve_host": preserve,
        "protocols": ["http", "https"],
        "regex_priority": regex_priority,
        "request_buffering": True,
        "response_buffering": True,
        "strip_path": strip,
    })
    p.priority = kong_priority(e)
    return e


def _headers(m: ir.Match, ctx: Ctx) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for h in m.headers:
        name = h.name.lower()
        if name == "host":
            ctx.limitation("a route cannot match the Host header in Kong (it refuses `host` in route headers)", m.loc,
                      hint="use `hostnames:`")
            continue
        if name in out:
            ctx.limitation(f"two matches on header {name!r} in one match: Kong ORs the values of one header", m.loc)
            continue
        if h.kind == "exact":
            # Kong reads a route header value that starts with `~*` as a regex
            out[name] = ["~*^" + escape(h.value) + "$"] if h.value.startswith("~*") else [h.value]
        else:
            if _UPPER_ESCAPE.search(h.value):
                ctx.limitation(f"header regex {h.value!r}: Kong lower-cases header regexes, which changes escapes "
                          f"such as \\D, \\S or \\W", m.loc, hint="use character classes, e.g. [^0-9]")
            out[name] = ["~*^(?:" + h.value + ")$"]
    return {k: out[k] for k in sorted(out)}


def kong_priority(route: dict) -> tuple:
    """Kong's ranking of a traditional route (kong/router/transform.lua get_priority), as a tuple."""
    weight = 1 + bool(route.get("methods")) + bool(route.get("hosts")) + bool(route.get("headers"))
    hosts = route.get("hosts") or []
    plain_only = bool(hosts) and not any("*" in h for h in hosts)
    regex = route["paths"][0].startswith("~")
    return (weight, plain_only, len(route.get("headers") or {}), regex,
            route["regex_priority"] if regex else 0, 0 if regex else len(route["paths"][0]))


def hosts_overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if not a or not b:
        return True
    for x in a:
        for y in b:
            if x == y or host_matches(x, y) or host_matches(y, x):
                return True
            if x.startswith("*.") and y.startswith("*.") and (x.endswith(y[1:]) or y.endswith(x[1:])):
                return True
    return False


def _headers_overlap(a: ir.Match, b: ir.Match) -> bool:
    ea = {h.name: h.value.lower() for h in a.headers if h.kind == "exact"}
    for h in b.headers:
        if h.kind == "exact" and h.name in ea and ea[h.name] != h.value.lower():
            return False
    return True


def can_overlap(a: Planned, b: Planned) -> bool:
    ma, mb = a.entity.get("methods"), b.entity.get("methods")
    if ma and mb and not set(ma) & set(mb):
        return False
    return hosts_overlap(a.hosts, b.hosts) and _headers_overlap(a.match, b.match) and \
        overlap(a.match.path, b.match.path)


def _key(p: Planned) -> tuple:
    return (p.route.name, p.match_index, p.group_index, p.match.headers)


def _class(p: Planned) -> tuple:
    """What Kong ranks a route by before regex_priority (every gatewayc path is a regex
    path, and regex_priority follows the intended order): a route after `p` in the intended
    order that Kong would try first has a greater class."""
    return p.priority[:3]


def _path_keys(p: ir.PathMatch) -> list[str]:
    """Text a request path matching `p` must start with, one per alternative: two matches
    can only overlap (paths.overlap) where a key of one is a prefix of a key of the other."""
    if p.kind != "regex":
        return [p.value if p.value != "/" else ""]
    return _regex_keys(p.value)


@lru_cache(maxsize=1 << 14)
def _regex_keys(rx: str) -> list[str]:
    # asked several times per route
    if not compiles(rx):
        return [""]  # overlap() cannot tell either: it assumes an overlap
    return literal_prefixes(rx)


class _Inversions:
    """The pairs (a before b in intended order) that Kong would rank the other way round and
    that a request can match both, first pair first, as the intended order is extended by
    copies. Candidates come from an index of path starts, so only routes whose paths can
    meet are compared (tests/kong/test_inversions.py: the same pairs as comparing all)."""

    def __init__(self, planned: list[Planned]) -> None:
        self.heap: list[tuple] = []
        self.keys = {_key(p) for p in planned}
        self.order: dict[int, tuple] = {id(p): (p.sort_key(), n) for n, p in enumerate(planned)}
        self.paths = PrefixIndex((k, p) for p in planned for k in _path_keys(p.match.path))
        for p in planned:
            self._push_pairs(p, later_only=True)

    def _push_pairs(self, p: Planned, later_only: bool) -> None:
        order, mine = self.order, self.order[id(p)]
        seen: set[int] = set()
        for k in _path_keys(p.match.path):
            for x in self.paths.compatible(k):
                if x.route is p.route or id(x) in seen:  # x is p included
                    continue
                seen.add(id(x))
                theirs = order[id(x)]
                if mine < theirs:
                    a, b, first, second = p, x, mine, theirs
                elif later_only:
                    continue
                else:
                    a, b, first, second = x, p, theirs, mine
                if _class(b) > _class(a) and can_overlap(a, b):
                    heapq.heappush(self.heap, (first, second, a, b))

    def add(self, p: Planned) -> None:
        self.keys.add(_key(p))
        self.order[id(p)] = (p.sort_key(), len(self.order))
        for k in _path_keys(p.match.path):
            self.paths.add(k, p)
        self._push_pairs(p, later_only=False)

    def first(self) -> tuple[Planned, Planned] | None:
        if not self.heap:
            return None
        *_, a, b = heapq.heappop(self.heap)
        return a, b


def report(a: Planned, b: Planned, ctx: Ctx) -> None:
    ctx.limitation(f"route {b.route.name!r} has more header matches than route {a.route.name!r}, so Kong would try "
              f"it first, but the spec ranks {a.route.name!r} first (a request can match both)", b.match.loc,
              hint=f"add the same header matches to {a.route.name!r}, or make the paths disjoint")
