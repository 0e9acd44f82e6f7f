"""Redirects -> Kong's `redirect` plugin (Kong 3.9+, in Kong/kong's Apache-2.0 source).

The plugin answers with a fixed `location`, or with `keep_incoming_path` that location's scheme,
host and port plus the request's path and query. The spec's redirect keeps what it does not set
(scheme, host, port, path and query of the request), so a part left to the request must be known
when the file is built: the scheme from the gateway's listeners (all plain or all TLS), the host
from a route with one exact hostname, the port from listeners that share one port. A path
rewrite keeps the query (nginx appends `$args`), which a fixed location cannot.
"""
from __future__ import annotations

from gatewayc.ir import model as ir

from .context import Ctx

_DEFAULT_PORTS = {("http", 80), ("https", 443)}


def redirect(gw: ir.Gateway, route: ir.Route, ctx: Ctx) -> dict | None:
    a = route.action
    assert isinstance(a, ir.Redirect)
    what = f"route {route.name!r}: redirect"
    schemes = {"https" if lst.tls else "http" for lst in gw.listeners}
    ports = {lst.port for lst in gw.listeners}
    plain_hosts = [h for h in route.hostnames if not h.startswith("*.")]
    scheme = a.scheme or (next(iter(schemes)) if len(schemes) == 1 else None)
    host = a.hostname or (plain_hosts[0] if len(route.hostnames) == 1 and plain_hosts else None)
    missing = []
    if scheme is None:
        missing.append("the request's scheme (the gateway listens on both http and https)")
    if host is None:
        missing.append("the request's host (set `hostname`, or give the route one exact hostname)")
    port = a.port
    if port is None and a.scheme is None:
        if len(ports) == 1:
            port = next(iter(ports))
        else:
            missing.append("the request's port (the gateway listens on several; set `port`)")
    if a.path is not None:
        if a.path.kind != "full":
            missing.append(f"a path made from the request's (`{a.path.kind}`)")
        else:
            missing.append("the request's query string after a fixed path")
    if missing:
        ctx.cannot("action.redirect", f"{what}: Kong's redirect plugin answers with a fixed location or the "
                   f"request's path and query only, so it cannot use " + "; ".join(missing), route.loc)
        return None
    suffix = "" if port is None or (scheme, port) in _DEFAULT_PORTS else f":{port}"
    return {"keep_incoming_path": True, "location": f"{scheme}://{host}{suffix}", "status_code": a.status}

