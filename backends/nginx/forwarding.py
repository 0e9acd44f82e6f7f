"""The headers every request to a service carries (docs/spec.md, "What a service receives").

nginx's proxy_set_header has one trap that shapes this module: any proxy_set_header in a
location replaces *all* inherited ones. The set is written once per server for routes that
add nothing, and a route that adds anything (header transforms, a host rewrite, forwarded
JWT claims) repeats the whole set from here, so no header can drop the others."""
from __future__ import annotations

from gatewayc.ir import model as ir

from . import observability, transforms
from .context import Context

# $host, not $http_host: for an absolute request line (GET http://a.example/ with
# Host: b.example) nginx routes, and so authorizes, by the request line's host; the
# upstream must see that host, not the header's. The port comes from the header.
ROUTED_HOST = "$host$gwc_host_port"


def client_headers(gw: ir.Gateway) -> list[tuple[str, str]]:
    """Who asked and how: also sent with each part of an aggregation."""
    return [("X-Forwarded-For", "$proxy_add_x_forwarded_for"), ("X-Forwarded-Proto", "$scheme"),
            ("X-Forwarded-Host", "$host"), *observability.proxy_headers(gw)]


def proxied(gw: ir.Gateway, host: str = ROUTED_HOST) -> list[tuple[str, str]]:
    """The set for a proxied route; Upgrade/Connection let WebSocket upgrades through and
    otherwise keep the upstream connection reusable."""
    return [("Host", host), *client_headers(gw), ("Connection", "$gwc_connection"), ("Upgrade", "$http_upgrade")]


def route_directives(gw: ir.Gateway, route: ir.Route, host: str, claims: list[tuple[str, str]],
                     ctx: Context) -> list[dict]:
    """A route's proxy_set_header lines, or none when the server's set applies unchanged.
    Claims come last: a transform cannot overwrite the identity auth forwarded."""
    headers = transforms.request_headers(gw, route, proxied(gw, host), ctx, last=claims)
    return [] if headers == server_directives(gw) else headers


def server_directives(gw: ir.Gateway) -> list[dict]:
    """Set once per server and inherited: a config with a thousand routes otherwise
    holds a thousand copies of the same header tables, which measurably slows every
    request (benchmarks/nginx_throughput.py)."""
    base = proxied(gw)
    return transforms.header_directives({k.lower(): v for k, v in base}, {k.lower(): k for k, _ in base})
