"""Response caching: one proxy_cache_path per cache policy, in the nginx prefix.

The spec's methods are GET and HEAD, both of which nginx's proxy_cache_methods always
includes whatever it lists (so it is not written); a method the spec leaves out is kept
away from the cache with proxy_cache_bypass and proxy_no_cache on a variable that is "1"
for that method."""
from __future__ import annotations

import re

from gatewayc.ir import model as ir

from . import njs_bridge
from .context import Context, d, header_var


def _zone(cache: ir.Cache, ctx: Context) -> str:
    return ctx.shared_name("cache", cache, lambda gw, r: [r.policies.cache] if r.policies.cache else [])


def _arg_var(name: str) -> str | None:
    return "$arg_" + name if re.fullmatch(r"[A-Za-z0-9_]+", name) else None


def _uncached(c: ir.Cache) -> list[str]:
    """The methods nginx would cache although the spec does not list them."""
    return sorted({"GET", "HEAD"} - set(c.methods))


def _uncached_var(methods: list[str]) -> str:
    return "$gwc_cache_skip_" + "_".join(m.lower() for m in methods)


def http_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    if ctx.dropping("cache"):
        return []
    paths, skips = {}, {}
    for gw in gateways:
        for r in gw.routes:
            c = r.policies.cache
            if c:
                z = _zone(c, ctx)
                inactive = max(60, c.ttl_ms // 1000 * 2)
                paths[z] = d("proxy_cache_path", ctx.runtime_path(z), "levels=1:2", f"keys_zone={z}:10m",
                             f"inactive={inactive}s", "use_temp_path=off")
                if _uncached(c):
                    var = _uncached_var(_uncached(c))
                    skips[var] = d("map", "$request_method", var,
                                   block=[d("default", ""), *[d(m, "1") for m in _uncached(c)]])
    return [paths[k] for k in sorted(paths)] + [skips[k] for k in sorted(skips)]


def _vars(names: tuple[str, ...], to_var, what: str, route: ir.Route, ctx: Context) -> list[str]:
    out = []
    for n in names:
        v = to_var(n)
        if v is None:
            ctx.note("GWC310", f"route {route.name!r}: nginx cannot name {what} {n!r} as a variable; "
                     "it is left out of the cache policy", route.loc)
        else:
            out.append(v)
    return out


def location_directives(gw: ir.Gateway, route: ir.Route, ctx: Context) -> list[dict]:
    c = route.policies.cache
    if not c or ctx.dropping("cache"):
        return []
    parts = {"method": "$request_method", "host": "$host", "path": "$uri", "query": "$is_args$args"}
    key = [parts[k] for k in getattr(c, "key", ("method", "host", "path", "query"))]
    key += _vars(c.vary_query, _arg_var, "query parameter", route, ctx)
    key += _vars(c.vary_headers, header_var, "header", route, ctx)
    key += njs_bridge.call("cache_key_parts", gw, route, ctx)  # the client's credentials on auth routes
    bypass = _vars(c.bypass_headers, header_var, "header", route, ctx) + \
        _vars(c.bypass_query, _arg_var, "query parameter", route, ctx)
    if _uncached(c):
        bypass.append(_uncached_var(_uncached(c)))
    secs = max(1, c.ttl_ms // 1000)
    if c.ttl_ms % 1000:
        ctx.note("GWC311", f"route {route.name!r}: cache TTLs are whole seconds in nginx; {c.ttl_ms}ms "
                 f"becomes {secs}s", c.loc)
    out = [
        d("proxy_cache", _zone(c, ctx)),
        # parts joined by a line feed: $uri is decoded, so it may hold '?', '|' or any
        # other separator (/a%3Fb=c would share the key of /a?b=c); no other part can
        # hold a line feed, so the key still tells every part apart
        d("proxy_cache_key", "\n".join(key)),
        d("proxy_cache_valid", *map(str, sorted(c.statuses)), f"{secs}s"),
        d("add_header", "X-Cache-Status", "$upstream_cache_status", "always"),
    ]
    if "HEAD" not in c.methods:
        # an uncached HEAD reaches the service as a HEAD, not as the GET nginx would cache
        out.append(d("proxy_cache_convert_head", "off"))
    if bypass:
        out += [d("proxy_cache_bypass", *bypass), d("proxy_no_cache", *bypass)]
    return out
