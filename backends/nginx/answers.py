"""The answers nginx makes itself, in the shape docs/spec.md gives them ("Answers the gateway
makes itself"): a JSON body, the CORS, request id and response headers of the route (or of the
gateway level, for an answer that belongs to no route), Cache-Control: no-store, Retry-After
and WWW-Authenticate. Never nginx's own HTML pages.

How. `add_header` of a location no longer applies once `error_page` has moved a request to
another location, so each answer location repeats the headers of the route it answers for;
locations are content-addressed, so routes with the same headers share them. `error_page`
without `=` keeps the status it caught (nginx's err_status overrides the status of what the
answer location sends), so one location answers every status nginx can make, with
`return 200 $body` and the body chosen by a map on $status. Policy answers with a body or
headers of their own (a failed auth, a rate limit) get their own location, listed first (the
first error_page for a status wins). A route location states the whole list: a location
that defines any error_page inherits none. The server level points at the gateway level's
answer through a URI, not a name: nginx refuses to jump to a named location from a request
whose URI it could not read (400, 414), and an internal redirect to a URI also reruns the
server's rewrite phase, which sets the request id.

An upstream's own answers never reach error_page: proxy_intercept_errors stays off."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from gatewayc.ir import model as ir
from gatewayc.ir.answers import (OTHER_429_RETRY_AFTER_S, NO_STORE, Challenge, body_for, challenges, quoted,
                                 retry_after_s)

from . import cors, njs_bridge, observability, ratelimit, transforms, upstreams
from .context import INTERNAL, Context, d, digest, header_var, if_, literal

# Every 4xx/5xx nginx has a page for (ngx_http_special_response.c), and 429, which limit_req
# and limit_conn answer with an empty body.
STATUSES = (400, 401, 402, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416, 429,
            500, 501, 502, 503, 504, 507)
# nginx's own codes for 400s: headers too large, client certificate errors, plain HTTP sent to
# an HTTPS port. They reach the client as 400.
OWN_400 = ("494", "495", "496", "497")
RETRY_AFTER_VAR = "$gwc_retry_after"  # "1" on a 429 nobody else answers, else empty (no header)
ANSWER_URI = f"{INTERNAL}/answer/"
BASIC_CHARSET = '", charset="UTF-8'  # completes nginx's own `Basic realm="..."` (see auth_basic_realm)


def _text(body: object) -> str:
    return literal(json.dumps(body, sort_keys=True, separators=(",", ":")))


# --- headers ------------------------------------------------------------------------------
def _headers(gw: ir.Gateway, c: ir.Cors | None, ops: ir.HeaderOps, own: list[tuple[str, str]],
             ctx: Context) -> list[dict]:
    """add_header lines: CORS, the request id, the gateway's own headers (`own`: values are
    nginx expressions), then the response transform's set/add, which replace or remove an
    own header of the same name."""
    out = cors.response_headers(c, ctx) + observability.response_headers(gw)
    if ctx.dropping("transform.response.headers"):
        ops = ir.HeaderOps()
    taken = {n.lower() for n, _ in ops.set} | {n.lower() for n in ops.remove}
    out += [d("add_header", n, v, "always") for n, v in own if n.lower() not in taken]
    out += [d("add_header", n, literal(v), "always") for n, v in (*ops.set, *ops.add)]
    return out


def _answer(ctx: Context, headers: list[dict], body: str) -> str:
    """A named location answering with `headers` and `body` (an nginx expression), keeping
    the status error_page caught."""
    block = [d("default_type", "application/json"), *headers, d("return", "200", body)]
    return ctx.named_location("answer", digest(json.dumps(block, sort_keys=True)), block=block)


def _error_own() -> list[tuple[str, str]]:
    return [NO_STORE, ("Retry-After", RETRY_AFTER_VAR)]


# --- the catch-all ----------------------------------------------------------------------------
def _body_var(gw: ir.Gateway, ctx: Context) -> str:
    return ctx.var("answer_body", gw.name)


def _catch_statuses(route: ir.Route | None) -> list[int]:
    """What the route's catch-all answers: every status nginx makes, and the statuses of
    policies whose answer has nothing of its own (validation, concurrency limit)."""
    extra: set[int] = set()
    if route is not None:
        p = route.policies
        if p.validation:
            extra.add(p.validation.status)
        if p.concurrency_limit:
            extra.add(p.concurrency_limit.status)
    return list(_catch_with(frozenset(extra)))


@lru_cache(maxsize=None)
def _catch_with(extra: frozenset[int]) -> tuple[int, ...]:
    """Asked for every route (10k at 10k routes), of a few sets of policy statuses."""
    # error_page takes 300-599; a validation "failing" with a 2xx/3xx answers without a body
    return tuple(sorted(set(STATUSES) | {s for s in extra if 400 <= s <= 599}))


def http_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    out = [d("map", "$status", RETRY_AFTER_VAR, block=[d("default", ""), d("429", str(OTHER_429_RETRY_AFTER_S))])]
    for gw in gateways:
        statuses = set(_catch_statuses(None)) | {s for s, _ in gw.answers.bodies}
        for r in gw.routes:
            statuses |= set(_catch_statuses(r))
        entries = [d(str(s), _text(body_for(gw.answers, s))) for s in sorted(statuses)]
        out.append(d("map", "$status", _body_var(gw, ctx), block=[d("default", _text(body_for(gw.answers, 500))),
                                                                   *entries]))
    # asked for while the servers were built (challenges), so this runs after them
    return out + [ctx.http_maps[k] for k in sorted(ctx.http_maps)]


def server_directives(gw: ir.Gateway, ctx: Context) -> list[dict]:
    """The gateway level's answer for everything nginx refuses before (or without) choosing a
    route: inherited by every location that states no error_page of its own."""
    if not any(transforms.nginx_own(r.policies.transforms.response_headers) for r in gw.routes):
        # otherwise said at the routes, which inherit the gateway's transform or state their own
        transforms.own_headers(gw.answers.response_headers, gw.answers.loc, ctx)
    block = [d("internal"), d("default_type", "application/json"),
             *_headers(gw, gw.answers.cors, gw.answers.response_headers, _error_own(), ctx),
             d("return", "200", _body_var(gw, ctx))]
    uri = ANSWER_URI + digest(json.dumps(block, sort_keys=True))
    return [d("error_page", *map(str, _catch_statuses(None)), uri), d("error_page", *OWN_400, "=400", uri),
            d("location", "=", uri, block=block)]


def subrequest_directives(ctx: Context) -> list[dict]:
    """For the internal locations of subrequests (the auth check, aggregation parts,
    stub_status), whose errors only nginx or njs read: they must not run an answer location,
    because nginx caches a variable's value for a request and its subrequests together, and
    a subrequest that evaluated the body map would fix the body of the client's answer. Any
    error_page of a location stops it from inheriting the server's; this one keeps the
    status of a failed check (auth_request reads it) with an empty body."""
    return [d("error_page", "500", ctx.named_location("subrequest_error", block=[d("return", "200", "")]))]


def not_found(gw: ir.Gateway, ctx: Context) -> list[dict]:
    """The answer when no route matches: `return` with a text is a normal response, so the
    headers are the location's own. The same list for every location of the gateway."""
    key = ("not_found", id(gw))
    out = ctx.memo.get(key)
    if out is None:
        nf = gw.not_found
        out = ctx.memo[key] = [d("default_type", "application/json"),
                               *_headers(gw, gw.answers.cors, gw.answers.response_headers, [NO_STORE], ctx),
                               d("return", nf.status, _text(nf.body))]
    return out


# --- a route's answers --------------------------------------------------------------------
def route_headers(gw: ir.Gateway, route: ir.Route, ctx: Context, own: list[tuple[str, str]] = ()) -> list[dict]:
    """The headers a route's answers carry (its CORS, the request id, its response headers)."""
    return _headers(gw, route.policies.cors, route.policies.transforms.response_headers, list(own), ctx)


def route_directives(gw: ir.Gateway, route: ir.Route, ctx: Context) -> list[dict]:
    """Every error_page of a route's location: the policy answers first, then the catch-all."""
    p = route.policies
    out: list[dict] = []
    taken: set[int] = set()
    if p.auth is not None:
        status = p.auth.failure.status
        own = [NO_STORE] + [("WWW-Authenticate", v) for v in _challenge_values(p.auth, ctx)]
        if status == 429:
            own.append(("Retry-After", str(OTHER_429_RETRY_AFTER_S)))
        name = _answer(ctx, route_headers(gw, route, ctx, own), _text(p.auth.failure.body))
        # auth (nginx's auth_basic, or the njs check) refuses with 401; the spec's status may differ
        out.append(d("error_page", "401", f"={status}", name))
        taken.add(401)
    rl = p.rate_limit
    if rl is not None and not ctx.dropping(f"rate_limit.{rl.algorithm}"):
        status = ratelimit.refusal_status(rl.status, "the rate limit", route, ctx)
        if status in taken:
            ctx.note("GWC311", f"route {route.name!r}: nginx cannot tell a rate-limited request from a failed "
                     f"authentication when both answer {status}; both get the authentication answer", rl.loc)
        else:
            own = [NO_STORE, ("Retry-After", str(retry_after_s(rl)))]
            out.append(d("error_page", str(status), _answer(ctx, route_headers(gw, route, ctx, own), _text(rl.body))))
            taken.add(status)
    a = route.action
    breaker = upstreams.open_breaker(a.service, ctx) if isinstance(a, ir.Forward) else None
    if breaker is not None:
        # an open breaker answers 503, any other 502 nginx makes stays 502: `=` lets the
        # location's own `return` set the status
        var, rx = breaker
        block = [d("default_type", "application/json"), *route_headers(gw, route, ctx, [NO_STORE]),
                 if_(var, "~", rx, [d("return", "503", _text(body_for(gw.answers, 503)))]),
                 d("return", "502", _text(body_for(gw.answers, 502)))]
        out.append(d("error_page", "502", "=",
                     ctx.named_location("answer", digest(json.dumps(block, sort_keys=True)), block=block)))
        taken.add(502)
    cl = p.concurrency_limit
    if cl is not None and rl is not None and cl.status == rl.status and cl.body != rl.body:
        ctx.note("GWC311", f"route {route.name!r}: nginx cannot tell the concurrency limit's refusal from the rate "
                 f"limit's when both answer {cl.status}; both get the rate limit's answer", cl.loc)
    catch = [str(s) for s in _catch_statuses(route) if s not in taken]
    name = _answer(ctx, route_headers(gw, route, ctx, _error_own()), _body_var(gw, ctx))
    return out + [d("error_page", *catch, name), d("error_page", *OWN_400, "=400", name)]


# --- WWW-Authenticate -------------------------------------------------------------------
def auth_basic_realm(realm: str) -> str:
    """What nginx's auth_basic takes, so that the challenge nginx sends itself is the spec's
    (`Basic realm="<realm>", charset="UTF-8"`): nginx writes `Basic realm="` + this + `"`.
    The text after the realm also keeps it from being exactly "off", which nginx's
    auth_basic reads as *no auth at all*."""
    return literal(quoted(realm) + BASIC_CHARSET)


def _challenge_values(auth: ir.Auth, ctx: Context) -> list[str]:
    """One add_header value per challenge. nginx's own auth_basic has already added its
    Basic challenge when it refused the request, and add_header cannot remove a header: that
    challenge is added here only when no other is present yet (a map on the sent headers,
    evaluated before this route adds any of its own)."""
    native = njs_bridge.NJS.native_basic(auth.method) if njs_bridge.NJS else None
    out = []
    for c in challenges(auth):
        if c.scheme == "Basic" and native is not None and c == Challenge("Basic", native.realm):
            out.insert(0, _unless_sent(c.value(), ctx))
        elif c.scheme == "Bearer" and c.token is not None:
            out.append(literal(c.value()) + _token_var(c.token, ctx))
        else:
            out.append(literal(c.value()))
    return out


def _unless_sent(value: str, ctx: Context) -> str:
    var = ctx.var("challenge", value)
    ctx.http_maps[var] = d("map", "$sent_http_www_authenticate", var, block=[d("default", ""), d("", literal(value))])
    return var


def _token_var(t: ir.TokenSource, ctx: Context) -> str:
    """`, error="invalid_token"` when the request carries a token where `t` says, else ""
    (the same test as the njs module's extractToken)."""
    if t.header is not None:
        src = header_var(t.header)
        if src is None:
            ctx.note("GWC311", f"nginx cannot read header {t.header!r}; the Bearer challenge never says "
                     "error=\"invalid_token\"")
            return ""
        rx = f"~*^\\s*{re.escape(t.scheme)} \\s*\\S" if t.scheme else "~\\S"
    elif t.query is not None:
        # the query as the client sent it: hide_credentials rewrites $args before the 401 is made
        src, rx = "$request_uri", f"~^[^?]*\\?(?:[^&]*&)*{re.escape(t.query)}=[^&]"
    else:
        src, rx = "$http_cookie", f"~(?:^|;)\\s*{re.escape(t.cookie or '')}=\\s*[^;\\s]"
    var = ctx.var("token", src, rx)
    ctx.http_maps[var] = d("map", src, var, block=[d("default", ""), d(rx, ', error="invalid_token"')])
    return var

