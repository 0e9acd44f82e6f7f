"""Request mirroring (Gateway API RequestMirror) with nginx's mirror module.

The route's location sends a background subrequest to an internal location per match,
which proxies the same request to the mirror service: the same method, headers (the
route's upstream header set), query (after query transforms) and body (`mirror_request_body`,
after JSON body mapping), the same path after the route's rewrite, below the mirror
service's own base path. The subrequest shares the main request's variables: the path is
handed over in one, set before the route's `rewrite ... break` changes $uri.

Measured on nginx 1.22 (docs/targets/nginx.md): the client's answer never waits for the
mirror, and the mirror's status or failure never changes it; but nginx finishes the
request only once the mirror has answered or failed, so until then the client's
connection takes no next request (keep-alive) and is not closed. The mirror's timeouts
bound that: a build warns when the mirror service has none."""
from __future__ import annotations

from gatewayc.ir import model as ir

from . import njs_bridge, upstreams
from .context import INTERNAL, Context, d, if_

PATH_VAR = "$gwc_mirror_source"  # the main request's $uri before the route rewrites it


def _on(route: ir.Route, ctx: Context) -> ir.Mirror | None:
    a = route.action
    if isinstance(a, ir.Forward) and a.mirror and not ctx.dropping("mirror"):
        return a.mirror
    return None


def _sample_var(gw: ir.Gateway, route: ir.Route, ctx: Context) -> str:
    return ctx.var("mirror", ctx.route_id(gw, route))


def http_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    """One split_clients per route that mirrors a share of its requests: "1" for them, "0" else."""
    out = []
    for gw in gateways:
        for r in gw.routes:
            m = _on(r, ctx)
            if m and m.percent < 100:
                out.append(d("split_clients", "${request_id}", _sample_var(gw, r, ctx),
                             block=[d(f"{m.percent}%", "1"), d("*", "0")]))
    return out


def location_directives(gw: ir.Gateway, route: ir.Route, match: ir.Match, paths: list[tuple[str, str]],
                        headers: list[dict], ctx: Context) -> list[dict]:
    """Directives for the route's location, before its own rewrites. `paths` are the
    (regex, replacement) pairs giving the mirror's upstream path (the route's rewrite below
    the mirror's base path, [] for the path as it is); `headers` the route's proxy_set_header
    set ([]: the server's)."""
    m = _on(route, ctx)
    if m is None:
        return []
    rid = ctx.route_id(gw, route)
    block: list[dict] = []
    if m.percent < 100:
        # the subrequest is made for every request; the others end here, with no upstream
        block.append(if_(_sample_var(gw, route, ctx), "=", "0", [d("return", "204")]))
    if paths:
        # `rewrite` without a flag goes on to the next rewrite, which ends with `break`
        block.append(d("rewrite", "^", PATH_VAR))
        block += [d("rewrite", rx, repl, "break") for rx, repl in paths]
    else:
        block.append(d("rewrite", "^", PATH_VAR, "break"))
    block += headers
    block += njs_bridge.call("proxy_body_directives", route, ctx)
    block += upstreams.proxy_settings(gw, route, m.service, ctx, mirror=True)
    block.append(d("proxy_pass", ctx.proxy_pass_for(m.service)))
    uri = ctx.internal_location(f"{INTERNAL}/mirror/{rid}_m{route.matches.index(match)}", block)
    _check_bounded(route, m, ctx)
    return [d("set", PATH_VAR, "$uri"), d("mirror", uri), d("mirror_request_body", "on")]


def _check_bounded(route: ir.Route, m: ir.Mirror, ctx: Context) -> None:
    t = m.service.timeouts
    if not (t.read_ms or t.per_try_ms or t.request_ms):
        ctx.note("GWC311", f"route {route.name!r}: nginx keeps each mirrored client connection until the mirror "
                 f"{m.service.name!r} has answered; it sets no `read`, `per_try` or `request` timeout, so a "
                 "mirror that does not answer holds it for nginx's default of 60s", m.loc)
