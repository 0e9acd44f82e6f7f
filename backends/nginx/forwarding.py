"""The headers every request to a service carries (docs/spec.md, "What a service receives").

nginx's proxy_set_header has one trap that shapes this module: any proxy_set_header in a
location replaces *all* inherited ones. The set is written once per server for routes that
add nothing, and a route that adds anything (header transforms, a host rewrite, forwarded
JWT claims, hidden credentials) repeats the whole set from here, so no header can drop the others.

Client values that never go upstream are part of the set too: claim headers (on every route
of the gateway) and hidden credentials (credentials.py says which). They are removed before
the route's transforms run, so a transform may still set them."""
from __future__ import annotations

from gatewayc.ir import model as ir

from . import credentials, observability, transforms
from .context import Context, d

# js_set variables (njs_policies.py defines them, gwc_creds.js computes them): the client's
# Cookie header and query string without the route's hidden credentials
COOKIE_WITHOUT_CREDENTIALS = "$gwc_fwd_cookie"
ARGS_WITHOUT_CREDENTIALS = "$gwc_fwd_args"

# $host, not $http_host: for an absolute request line (GET http://a.example/ with
# Host: b.example) nginx routes, and so authorizes, by the request line's host; the
# upstream must see that host, not the header's. The port comes from the header.
ROUTED_HOST = "$host$gwc_host_port"
WS_UPGRADE, WS_CONNECTION = "$gwc_ws_upgrade", "$gwc_ws_connection"


def client_headers(gw: ir.Gateway) -> list[tuple[str, str]]:
    """Who asked and how: also sent with each part of an aggregation."""
    return [("X-Forwarded-For", "$proxy_add_x_forwarded_for"), ("X-Forwarded-Proto", "$scheme"),
            ("X-Forwarded-Host", "$host"), *observability.proxy_headers(gw)]


def withheld(gw: ir.Gateway, route: ir.Route | None = None) -> list[tuple[str, str]]:
    """Client headers that must not reach the service: every claim header of the gateway
    (an empty value makes nginx leave a header out) and, on `route`, its hidden credentials.
    Also sent with each part of an aggregation."""
    out = [(h, "") for h in credentials.claim_headers(gw)]
    if route is not None:
        out += [(h, "") for h in credentials.hidden_headers(route)]
        if credentials.hidden_cookies(route):
            out.append(("Cookie", COOKIE_WITHOUT_CREDENTIALS))
    return out


def _websocket(route: ir.Route | None) -> bool:
    return route is not None and isinstance(route.action, ir.Forward) and route.action.websocket


def proxied(gw: ir.Gateway, host: str = ROUTED_HOST, route: ir.Route | None = None) -> list[tuple[str, str]]:
    """The set for a proxied route. An empty Connection keeps the upstream connection
    reusable. Only a `websocket: true` route passes an upgrade, and only `websocket`
    (docs/spec.md, meaning M7); elsewhere nginx's own default leaves the client's Upgrade
    header out, so no upgrade (h2c, ...) can turn the connection into a tunnel."""
    upgrade = [("Connection", WS_CONNECTION), ("Upgrade", WS_UPGRADE)] if _websocket(route) else [("Connection", "")]
    return [("Host", host), *client_headers(gw), *upgrade, *withheld(gw, route)]


def http_directives(gateways: tuple[ir.Gateway, ...]) -> list[dict]:
    """The maps of a WebSocket route's Upgrade and Connection: set for `websocket` (in any
    case, as RFC 6455 allows) and empty, so left out, for anything else."""
    if not any(_websocket(r) for gw in gateways for r in gw.routes):
        return []
    ws = "~*^websocket$"
    return [d("map", "$http_upgrade", WS_UPGRADE, block=[d("default", ""), d(ws, "websocket")]),
            d("map", "$http_upgrade", WS_CONNECTION, block=[d("default", ""), d(ws, "upgrade")])]


def route_directives(gw: ir.Gateway, route: ir.Route, host: str, claims: list[tuple[str, str]],
                     ctx: Context) -> list[dict]:
    """A route's proxy_set_header lines, or none when the server's set applies unchanged.
    Claims come last: a transform cannot overwrite the identity auth forwarded."""
    gone = {h.lower() for h, v in withheld(gw, route) if v == ""}
    ops = route.policies.transforms.request_headers
    if credentials.hidden_cookies(route) and any(n.lower() == "cookie" for n in
                                                 [*(a for a, _ in ops.add), *(a for a, _ in ops.rename)]):
        ctx.note("GWC310", f"route {route.name!r}: `add` or `rename` of Cookie would send the cookie that "
                 "hide_credentials removes; use `set`", route.loc)
    headers = transforms.request_headers(gw, route, proxied(gw, host, route), ctx, last=claims, gone=gone)
    return [] if headers == server_directives(gw) else headers


def query_directives(route: ir.Route) -> list[dict]:
    """The route's hidden query credentials out of $args, before the query transforms and
    the path rewrite (which appends $args) run."""
    return [d("set", "$args", ARGS_WITHOUT_CREDENTIALS)] if credentials.hidden_query(route) else []


def server_directives(gw: ir.Gateway) -> list[dict]:
    """Set once per server and inherited: a config with a thousand routes otherwise
    holds a thousand copies of the same header tables, which measurably slows every
    request (benchmarks/nginx_throughput.py)."""
    base = proxied(gw)
    return transforms.header_directives({k.lower(): v for k, v in base}, {k.lower(): k for k, _ in base})
