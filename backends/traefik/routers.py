"""Routers with explicit priorities that reproduce Gateway API precedence.

Traefik tries routers by priority, highest first (absent: the rule's length, which is no
order at all). For a request's host, precedence ranks routes whose hostnames match before
host-less ones, exact hostnames before wildcards, longer wildcards first, then the gateway's
dispatch table (precedence.py). So each (route, match) gets one router per host group -- its
exact hostnames together, each wildcard alone -- and all routers are sorted by (host group
class, dispatch position): for any host, the routers that can take its requests are then in
precedence order. Priorities count down from there; 1 is left for the not-found router."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from gatewayc.ir import model as ir
from gatewayc.ir.precedence import host_group_key, host_groups

from . import rules
from .context import Ctx


@dataclass
class Planned:
    route: ir.Route
    match: ir.Match
    match_index: int
    dispatch_index: int
    hosts: tuple[str, ...]
    group_index: int
    priority: int = 0

    def sort_key(self) -> tuple:
        return (*host_group_key(self.hosts), self.dispatch_index, self.group_index)

    @property
    def rule(self) -> str:
        return rules.match_rule(self.match, self.hosts)


def plan(gw: ir.Gateway, routed) -> list[Planned]:
    """Every router of a gateway (before the listener groups), highest priority first.
    `routed(route)` says whether a route gets routers at all."""
    out = []
    for i, d in enumerate(gw.dispatch):
        if not routed(d.route):
            continue
        j = d.route.matches.index(d.match)
        for g, hosts in enumerate(host_groups(d.route.hostnames)):
            out.append(Planned(d.route, d.match, j, i, hosts, g))
    out.sort(key=Planned.sort_key)
    for pos, p in enumerate(out):
        p.priority = len(out) + 1 - pos
    return out


def suffix(p: Planned) -> str:
    """What tells a route's routers apart: match and host group."""
    return f"m{p.match_index}" + (f"h{p.group_index}" if len(host_groups(p.route.hostnames)) > 1 else "")


# --- per-match middlewares: path rewrites ---------------------------------------
def _go_repl(s: str) -> str:
    """Literal text in a Go regexp replacement (`$` starts a reference)."""
    return s.replace("$", "$$")


def rewrite(route: ir.Route, m: ir.Match, a: ir.Forward, ctx: Ctx) -> dict | None:
    """The upstream path: the spec's rewrite, then the service's base path in front (the
    base is added here, not by the server URL's preservePath, which would turn /p stripped
    to nothing into /base/ instead of /base)."""
    base = a.service.targets[0].base_path.rstrip("/")
    rw = a.path_rewrite
    if rw is not None and ctx.dropping("rewrite.strip_prefix" if rw.kind == "strip_prefix" else "rewrite.path"):
        rw = None
    if rw is None:
        return {"addPrefix": {"prefix": base}} if base else None
    # Traefik sets the request's raw (percent-encoded) path to the replacement and decodes it
    # for the rest: so the replacement is the spec's percent-encoded text, sent upstream as
    # written (as on nginx). Decoded here, a `%2F` would become a `/` (`..%2f` a `/..`
    # segment) and a `%25` a lone `%` Traefik cannot decode (a 500 on every request).
    if rw.kind == "full":
        return {"replacePath": {"path": base + rw.value}}
    if m.path.kind != "prefix":  # the compiler refuses this; stay safe
        ctx.error(f"route {route.name!r}: a prefix rewrite needs a prefix match", route.loc)
        return None
    p = unquote(m.path.value)
    new = base + ("" if rw.kind == "strip_prefix" else rw.value.rstrip("/"))
    if p == "/":
        return {"addPrefix": {"prefix": new}} if new else None
    # /p -> new (an empty path becomes /), /p/rest -> new/rest; the router only sends /p and /p/...
    return {"replacePathRegex": {"regex": f"^{rules.quote_meta(p)}(/.*)?$", "replacement": _go_repl(new) + "${1}"}}
