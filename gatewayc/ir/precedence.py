"""Gateway API HTTPRoute precedence, computed once here so that no backend depends on its
own target's accidental ordering.

Within one host: Exact > RegularExpression (longer first) > PathPrefix (longer first),
then a method match, then more header matches, then more query matches, then spec order.
Across routes, the route with the more specific matching hostname wins first.
"""
from __future__ import annotations

from .model import Dispatch, Gateway, Match

_KIND_RANK = {"exact": 0, "regex": 1, "prefix": 2}


def match_key(m: Match) -> tuple:
    return (_KIND_RANK[m.path.kind], -len(m.path.value), 0 if m.methods else 1, -len(m.headers), -len(m.query))


def dispatch_key(d: Dispatch) -> tuple:
    return (*match_key(d.match), d.route.index, d.route.matches.index(d.match))


def host_matches(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return pattern == host


def host_specificity(route_hosts: tuple[str, ...], host: str | None) -> tuple[int, int]:
    """(-non-wildcard chars, -chars) of the route hostname that matches `host`; host-less routes last."""
    if host is None or not route_hosts:
        return (0, 0)
    best = (0, 0)
    for p in route_hosts:
        if host_matches(p, host) or p == host:
            spec = (-(len(p) if not p.startswith("*.") else 0), -len(p))
            best = min(best, spec)
    return best


def dispatch_for_host(gw: Gateway, host: str | None) -> list[Dispatch]:
    """The dispatch table for requests to `host` (a route hostname, exact or wildcard;
    None: requests whose host matches no route hostname), in precedence order."""
    table = []
    for d in gw.dispatch:
        hosts = d.route.hostnames
        if host is None:
            if hosts:
                continue
        elif hosts and not any(p == host or (not host.startswith("*.") and host_matches(p, host))
                               or (host.startswith("*.") and p.startswith("*.") and host.endswith(p[1:]))
                               for p in hosts):
            continue
        table.append(d)
    return sorted(table, key=lambda d: (host_specificity(d.route.hostnames, host), dispatch_key(d)))


def server_hosts(gw: Gateway) -> list[str]:
    """Every distinct route hostname of a gateway, exact names first, then wildcards by length."""
    hosts = {h for r in gw.routes for h in r.hostnames}
    return sorted(hosts, key=lambda h: (h.startswith("*."), -len(h), h))


def host_groups(hosts: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A route's hostnames split for targets that rank one host pattern class per route:
    the exact names together, each wildcard alone; [()] for a host-less route."""
    if not hosts:
        return [()]
    plain = tuple(sorted(h for h in hosts if not h.startswith("*.")))
    wild = sorted(h for h in hosts if h.startswith("*."))
    return ([plain] if plain else []) + [(w,) for w in wild]


def host_group_key(hosts: tuple[str, ...]) -> tuple[int, int]:
    """How a host group ranks (smaller first): exact names, then wildcards (longer first),
    then host-less. Sorting by (this, dispatch position) puts, for any request host, the
    groups that can take it in precedence order."""
    if not hosts:
        return (2, 0)
    if hosts[0].startswith("*."):
        return (1, -len(hosts[0]))
    return (0, 0)
