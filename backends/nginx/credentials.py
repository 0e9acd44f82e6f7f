"""Where the credentials of a route's auth methods travel, and which request parts a client
must never get past the gateway (docs/spec.md, "Credentials upstream", "Forwarded claims",
"Credentials in logs"). Only reads the IR: forwarding.py turns this into the header set,
njs_policies.py into the njs configuration, observability.py into the log format."""
from __future__ import annotations

from collections.abc import Iterator

from gatewayc.ir import model as ir


def _methods(m: ir.AuthMethod) -> Iterator[ir.AuthMethod]:
    if isinstance(m, (ir.AnyOf, ir.AllOf)):
        for x in m.methods:
            yield from _methods(x)
    else:
        yield m


def methods(route: ir.Route) -> Iterator[ir.AuthMethod]:
    """Every single method of the route's auth, any_of/all_of flattened."""
    a = route.policies.auth
    if a is not None:
        yield from _methods(a.method)


def _unique(names: Iterator[str], fold: bool) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for n in names:
        k = n.lower() if fold else n
        if k not in seen:
            seen.add(k)
            out.append(n)
    return out


def claim_headers(gw: ir.Gateway) -> list[str]:
    """Every header some route of the gateway fills from `forward_claims`, sorted: a client's
    own value of any of them is removed on every route (only the gateway may set them)."""
    # asked once per route: kept for the gateway last asked about (the IR is immutable)
    if _last_claims[0] is not gw:
        names = (h for r in gw.routes for m in methods(r) if isinstance(m, ir.JwtAuth) for _, h in m.forward_claims)
        _last_claims[:] = [gw, sorted(_unique(names, fold=True), key=str.lower)]
    return list(_last_claims[1])


_last_claims: list = [None, []]


def _hidden(route: ir.Route) -> Iterator[ir.JwtAuth | ir.ApiKeyAuth | ir.BasicAuth]:
    for m in methods(route):
        if isinstance(m, (ir.JwtAuth, ir.ApiKeyAuth, ir.BasicAuth)) and m.hide_credentials:
            yield m


def hidden_headers(route: ir.Route) -> list[str]:
    """Request headers that carry a credential the route must not forward."""
    def names() -> Iterator[str]:
        for m in _hidden(route):
            if isinstance(m, ir.JwtAuth) and m.token.header:
                yield m.token.header
            elif isinstance(m, ir.ApiKeyAuth) and m.header:
                yield m.header
            elif isinstance(m, ir.BasicAuth):
                yield "Authorization"
    return _unique(names(), fold=True)


def hidden_query(route: ir.Route) -> list[str]:
    """Query parameters (decoded names) that carry a credential the route must not forward."""
    names = (m.token.query if isinstance(m, ir.JwtAuth) else m.query for m in _hidden(route)
             if not isinstance(m, ir.BasicAuth))
    return _unique((n for n in names if n), fold=False)


def hidden_cookies(route: ir.Route) -> list[str]:
    """Cookies that carry a credential the route must not forward (the others still go)."""
    names = (m.token.cookie for m in _hidden(route) if isinstance(m, ir.JwtAuth) and m.token.cookie)
    return _unique(names, fold=False)


def query_names(gw: ir.Gateway) -> list[str]:
    """Every query parameter that carries a credential on some route of the gateway: their
    values never reach the access log, whatever hide_credentials says."""
    def names() -> Iterator[str]:
        for r in gw.routes:
            for m in methods(r):
                if isinstance(m, ir.JwtAuth) and m.token.query:
                    yield m.token.query
                elif isinstance(m, ir.ApiKeyAuth) and m.query:
                    yield m.query
    return sorted(_unique(names(), fold=False))
