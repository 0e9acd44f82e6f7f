"""The body of one (route, match): policies first, then what the route does."""
from __future__ import annotations

import json
import re
from urllib.parse import unquote, unquote_to_bytes

from gatewayc.ir import model as ir

from . import (access, answers, cache, cors, forwarding, mirror, njs_bridge, observability, ratelimit, transforms,
               upstreams)
from .context import Context, d, if_, literal


# nginx matches the *decoded* $uri, which may hold any byte (%0a, %0d, ...). `.` and `$`
# stop at a line break, so a rewrite written `^(.*)$` silently fails to apply to such a
# URI and the request would reach the upstream without its base path, prefix strip or
# replacement. Proxied paths take any byte (nginx re-escapes the URI it sends upstream);
# redirects put the capture raw into the Location header, so there control characters
# must not match at all (a CR or LF there splits the response).
_ANY = "(?s)"
_TO_UPSTREAM = "(.*)"
_TO_LOCATION = "([^\\x00-\\x1f\\x7f]*)"


# A rewritten URI is decoded text to nginx: it sends it upstream with these bytes escaped
# and every other byte as it is (measured on nginx 1.22, tests/behaviour rewrite-escapes).
_REESCAPED = frozenset(b' "#%<>\\^`{|}') | frozenset(range(0x80, 0x100))
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def _sent_as_written(path: str, where: str, loc, ctx: Context) -> str:
    """The spec's percent-encoded `path` as the text of an nginx rewrite that reaches the
    service as written (escapes in upper case). An escape of a byte nginx sends unescaped
    would reach it decoded (`..%2F` a `/..` segment, `%3F` a query): refused."""
    kept = [m.group() for m in _ESCAPE.finditer(path) if int(m.group(1), 16) not in _REESCAPED]
    try:
        text = unquote_to_bytes(path).decode()
    except UnicodeDecodeError:
        text = path
        kept = kept or ["an escape of a byte outside UTF-8"]
    if kept:
        ctx.note("GWC310", f"{where}: the upstream path {path!r} holds "
                 f"{', '.join(dict.fromkeys(kept))}; nginx sends a rewritten "
                 "path with that byte unescaped, so the service would see another path (write the character "
                 "itself if that is meant, or build for a target that forwards the path as written)", loc)
    return text


def _path_map(match: ir.Match, rw: ir.PathRewrite | None, base: str, route: ir.Route,
              ctx: Context, rest: str = _TO_UPSTREAM) -> list[tuple[str, str]]:
    """(regex on $uri, replacement) pairs giving the upstream path, tried in order; empty
    to pass the URI unchanged. Replacements are interpolated, so user text is literal().
    `rest` captures the part of the path that is carried over: to the service (decoded,
    as nginx re-escapes it) or into a Location header (as written)."""
    def text(path: str) -> str:
        if rest != _TO_UPSTREAM:
            return literal(base + path)
        # a base path is refused at its service's URL, once
        return literal(_sent_as_written(base, "the service's base path", ctx.spec.origin(base) or route.loc, ctx)
                       + _sent_as_written(path, f"route {route.name!r}", route.loc, ctx))

    if rw is None:
        return [(f"{_ANY}^{rest}\\z", text("") + "$1")] if base else []
    if rw.kind == "full":
        return [("^", text(rw.value))]
    if match.path.kind != "prefix":
        ctx.note("GWC310", f"route {route.name!r}: a prefix rewrite needs a prefix match; "
                 f"{match.path.kind} match {match.path.value!r} is rewritten whole", route.loc)
        return [("^", text(rw.value))]
    new = text(rw.value.rstrip("/"))  # "" for strip_prefix and replace_prefix "/"
    p = unquote(match.path.value)  # $uri is decoded; the spec's prefix may be percent-encoded
    if p == "/":
        return [(f"{_ANY}^/{rest}\\z", new + "/$1")]
    # segment-wise: /p -> new (or "/"), /p/rest -> new/rest; /px never got here
    return [(f"^{re.escape(p)}\\z", new or "/"), (f"{_ANY}^{re.escape(p)}/{rest}\\z", new + "/$1")]


def _base(svc: ir.Service) -> str:
    return svc.targets[0].base_path.rstrip("/")


def forward(gw: ir.Gateway, route: ir.Route, match: ir.Match, a: ir.Forward, ctx: Context) -> list[dict]:
    svc = a.service
    out: list[dict] = []
    rw = None if ctx.dropping("rewrite.path" if a.path_rewrite and a.path_rewrite.kind != "strip_prefix"
                               else "rewrite.strip_prefix") else a.path_rewrite
    host = forwarding.ROUTED_HOST
    if a.host_rewrite and not ctx.dropping("rewrite.host"):
        host = literal(a.host_rewrite)
    headers = forwarding.route_directives(gw, route, host, njs_bridge.call("proxy_claim_headers", gw, route, ctx),
                                          ctx)
    if a.mirror:
        # the mirror gets the same path, below its own base path; it reads $uri before the rewrite below
        paths = _path_map(match, rw, _base(a.mirror.service), route, ctx)
        out += mirror.location_directives(gw, route, match, paths, headers, ctx)
    # `rewrite ... break` ends all rewrite-module directives (set, if) after it: query first
    out += forwarding.query_directives(route)
    out += transforms.query_directives(gw, route, ctx)
    out += [d("rewrite", rx, repl, "break") for rx, repl in _path_map(match, rw, _base(svc), route, ctx)]
    out += headers
    out += upstreams.proxy_settings(gw, route, svc, ctx)
    out += cache.location_directives(gw, route, ctx)
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
    for rx, repl in _path_map(match, a.path, "", route, ctx, rest=_TO_LOCATION):
        out.append(if_("$uri", "~", rx, [d("return", a.status, prefix + repl + "$is_args$args")]))
    # a path with control characters cannot go into a Location header
    out.append(d("return", "400"))
    return out


def _after_checks(gw: ir.Gateway, route: ir.Route, match: ir.Match, answer: list[dict],
                  ctx: Context) -> list[dict]:
    """`return` runs in the rewrite phase, before auth_request, allow/deny and limit_req.
    When a route has such checks, answer from a named location reached through try_files,
    which runs after them. (Fixed responses behind auth are answered by njs instead.)"""
    p = route.policies
    if not (p.auth or p.ip or p.rate_limit or p.concurrency_limit):
        return answer
    # a named location has its own add_header set: the route's headers are repeated here
    block = answers.route_headers(gw, route, ctx) + answer
    name = ctx.named_location("answer", ctx.route_id(gw, route), str(route.matches.index(match)), block=block)
    return _hand_over(name)


def _hand_over(name: str) -> list[dict]:
    """try_files that always falls through to the named location `name`, in the precontent
    phase: after every access check, before any content handler."""
    # the root does not exist, so the file test always fails over
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
    limits = ratelimit.location_directives(gw, route, ctx)
    out: list[dict] = answers.route_directives(gw, route, ctx)
    out += access.location_directives(gw, route, ctx)
    out += limits.before_auth
    out += cors.location_directives(gw, route, ctx)
    out += access.validation_directives(route, ctx)
    out += njs_bridge.call("location_directives", gw, route, ctx)
    out += cors.response_headers(route.policies.cors, ctx)
    out += observability.response_headers(gw)
    out += transforms.response_headers(route, ctx)
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
    return _limited_after_auth(gw, route, match, out, limits.after_auth, ctx) if limits.after_auth else out


# nginx runs the phases of a location in order: rewrite, preaccess (limit_req, limit_conn),
# access (allow/deny, auth), precontent (try_files, mirror), content. Each directive of a
# route body belongs to one of them; the split below must run each phase's work once.
_ACCESS = {"allow", "deny", "satisfy", "auth_basic", "auth_basic_user_file", "auth_request", "auth_request_set"}
_REWRITE = {"set", "if", "rewrite", "return", "break", "rewrite_log"}
_PRECONTENT_OR_CONTENT = {"try_files", "mirror", "root", "alias", "proxy_pass", "js_content", "stub_status"}


def _answers_early(x: dict) -> bool:
    """An `if` that answers (CORS preflight, a refused body size, a missing header): a check
    made before auth, as on every route."""
    return x["directive"] == "if" and any(y["directive"] == "return" for y in x["block"])


def _limited_after_auth(gw: ir.Gateway, route: ir.Route, match: ir.Match, body: list[dict],
                        limits: list[dict], ctx: Context) -> list[dict]:
    """Limits keyed by a verified identity: the route's location makes the checks that answer
    early and auth, then try_files (precontent, after access) hands the request to a named
    location that applies the limits (its own preaccess phase) and does the rest: the
    route's own rewrite work (path and query rewrites, variables) and its content. Variables
    set so far, the verified identity among them, survive the internal redirect; nginx
    applies limit_req/limit_conn once per request, and neither location repeats the other's
    work. Settings both need (headers added to answers, error pages, body and proxy
    settings) are in both.

    The route's location holds no `if` that does not answer: a true `if` swaps in its own
    configuration, which does not inherit try_files."""
    after = limits + [x for x in body if x["directive"] not in _ACCESS and not _answers_early(x)]
    name = ctx.named_location("after_auth", ctx.route_id(gw, route), str(route.matches.index(match)), block=after)
    before = [x for x in body if _answers_early(x)
              or x["directive"] not in _PRECONTENT_OR_CONTENT and x["directive"] not in _REWRITE]
    return before + _hand_over(name)
