"""CORS: the allowed origin is chosen by a map on $http_origin (wildcard origins become
regexes); preflights (OPTIONS with Access-Control-Request-Method) end at nginx with 204."""
from __future__ import annotations

import re

from gatewayc.ir import model as ir

from .context import Context, d, if_, literal


def _origin_regex(origin: str) -> str:
    if "://*." in origin:
        scheme, rest = origin.split("://*.", 1)
        return f"~^{re.escape(scheme)}://[a-z0-9-]+(\\.[a-z0-9-]+)*\\.{re.escape(rest)}$"
    return f"~^{re.escape(origin)}$"


def origin_var(c: ir.Cors, ctx: Context) -> str:
    """One map per list of origins: the routes that inherit one policy share it, and so do
    the answers the gateway makes for no route (docs/spec.md, Answers the gateway makes itself)."""
    return ctx.var("cors", *c.origins)


def http_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    if ctx.dropping("cors"):
        return []
    out = [d("map", "$request_method:$http_access_control_request_method", "$gwc_preflight",
             block=[d("default", "0"), d("~^OPTIONS:.", "1")])]
    origins: dict[str, tuple[str, ...]] = {}
    for gw in gateways:
        for c in (gw.answers.cors, *(r.policies.cors for r in gw.routes)):
            if c:
                origins.setdefault(origin_var(c, ctx), c.origins)
    for var, listed in sorted(origins.items()):
        entries = []
        for o in listed:
            # "*" without credentials: answer "*"; browsers accept nothing else then
            entries.append(d("default", "*") if o == "*" else d(_origin_regex(o), "$http_origin"))
        if not any(e["directive"] == "default" for e in entries):
            entries.insert(0, d("default", ""))
        out.append(d("map", "$http_origin", var, block=entries))
    return out


def _common(c: ir.Cors, var: str) -> list[dict]:
    out = [d("add_header", "Access-Control-Allow-Origin", var, "always"),
           d("add_header", "Vary", "Origin", "always")]
    if c.credentials:
        out.append(d("add_header", "Access-Control-Allow-Credentials", "true", "always"))
    return out


def location_directives(gw: ir.Gateway, route: ir.Route, ctx: Context) -> list[dict]:
    """(directives for the route body, add_header directives for actual responses)."""
    c = route.policies.cors
    if not c or ctx.dropping("cors"):
        return []
    var = origin_var(c, ctx)
    # "*" is answered with what the browser asks for, not a literal "*": a literal "*" never
    # covers Authorization (Fetch's "CORS non-wildcard request-header name"), and browsers
    # older than the wildcard read it as a method or header named "*"
    methods = "$http_access_control_request_method" if c.any_method else ", ".join(c.methods)
    pre = _common(c, var) + [d("add_header", "Access-Control-Allow-Methods", methods, "always")]
    if c.any_header:
        pre.append(d("add_header", "Access-Control-Allow-Headers", "$http_access_control_request_headers", "always"))
    elif c.headers:
        pre.append(d("add_header", "Access-Control-Allow-Headers", literal(", ".join(c.headers)), "always"))
    # none listed: no Access-Control-Allow-Headers, so only CORS-safelisted headers pass
    if c.max_age_ms is not None:
        pre.append(d("add_header", "Access-Control-Max-Age", str(c.max_age_ms // 1000), "always"))
    pre.append(d("return", "204"))
    return [if_("$gwc_preflight", "=", "1", pre)]


def response_headers(c: ir.Cors | None, ctx: Context) -> list[dict]:
    """The headers of an actual (not preflight) response under the CORS policy `c`."""
    if not c or ctx.dropping("cors"):
        return []
    out = _common(c, origin_var(c, ctx))
    if c.expose_headers:
        out.append(d("add_header", "Access-Control-Expose-Headers", literal(", ".join(c.expose_headers)), "always"))
    return out
