"""The `x-amazon-apigateway-integration` of one operation: `http_proxy` to the route's service,
or (REST) a `mock` integration for a fixed response or a redirect."""
from __future__ import annotations

import json
from typing import Any

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from .context import Ctx
from .mappings import request_parameters
from .tree import Op

REST_TIMEOUT = (50, 29000)
HTTP_TIMEOUT = (50, 30000)


def integration(op: Op, method: str, ctx: Ctx) -> tuple[dict, dict] | None:
    """(the integration, the operation's `responses`), or None when the route cannot be built."""
    a = op.route.action
    if isinstance(a, ir.Forward):
        return http_proxy(op, method, a, ctx), {"200": {"description": f"the answer of service {a.service.name!r}"}}
    if isinstance(a, ir.Respond):
        if ctx.only_rest("a fixed response (MOCK integration)", op.route.loc, "action.respond"):
            body = _respond_body(a, ctx)
            headers = dict([answers.NO_STORE]) if a.status >= 400 else {}
            return mock(a.status, body, headers), mock_responses(a.status, body, headers)
        return None
    if isinstance(a, ir.Redirect):
        return _redirect(op, a, ctx)
    return None  # aggregation: refused by its capability


def http_proxy(op: Op, method: str, a: ir.Forward, ctx: Ctx) -> dict:
    key = (id(op.route), id(op.match))  # the IR outlives the build
    shared = ctx.proxies.get(key)
    if shared is None:
        shared = ctx.proxies[key] = _shared(op, a, ctx)
    origin, timeout, params = shared
    out: dict[str, Any] = {
        "type": "http_proxy",
        "httpMethod": method,
        "uri": origin + upstream_path(op, a.path_rewrite),
        "connectionType": "INTERNET",
    }
    if not ctx.rest:
        out["payloadFormatVersion"] = "1.0"  # the only version an HTTP proxy integration takes
    else:
        out["passthroughBehavior"] = "when_no_match"
    if timeout is not None:
        out["timeoutInMillis"] = timeout
    if op.greedy and ctx.rest and not _full(a.path_rewrite):
        # the HTTP API fills `{proxy}` in the URI from the route's path variable by itself
        params = {**params, "integration.request.path.proxy": "method.request.path.proxy"}
    if params:
        out["requestParameters"] = dict(sorted(params.items()))
    return out


def _shared(op: Op, a: ir.Forward, ctx: Ctx) -> tuple[str, int | None, dict[str, str]]:
    """What every operation of one route and match has in common: the URI up to the route's
    path, the timeout and the request parameters (with their diagnostics, made once)."""
    svc = a.service
    t = svc.targets[0]  # several targets: refused (upstream.weighted)
    host = f"[{t.host}]" if ":" in t.host else t.host
    default_port = 443 if t.scheme == "https" else 80
    origin = f"{t.scheme}://{host}" + ("" if t.port == default_port else f":{t.port}")
    timeout = timeout_ms(svc.timeouts, op.route.policies.timeouts)
    low, high = REST_TIMEOUT if ctx.rest else HTTP_TIMEOUT
    if timeout is not None and not low <= timeout <= high:
        if ctx.limitation("upstream.timeouts", f"the integration timeout would be {timeout} ms; API Gateway takes "
                          f"{low}-{high} ms on a{' REST' if ctx.rest else 'n HTTP'} API", op.match.loc,
                          hint=f"set the service's or route's timeouts to {high // 1000}s at most"):
            timeout = None
    return origin + t.base_path, timeout, request_parameters(op, ctx)


def _full(rw: ir.PathRewrite | None) -> bool:
    return rw is not None and rw.kind == "full"


def upstream_path(op: Op, rw: ir.PathRewrite | None) -> str:
    """The path the service sees (before its base path), `{proxy}` standing for the greedy rest."""
    tail = "/{proxy}" if op.greedy else ""
    if rw is None:
        return _join(op.node) + tail if op.node or tail else "/"
    if rw.kind == "full":
        return rw.value
    assert op.prefix is not None  # the compiler allows prefix rewrites on prefix matches only
    rest = op.node[len(op.prefix):]
    head = "" if rw.kind == "strip_prefix" else rw.value.rstrip("/")
    path = head + _join(rest) + tail
    return path or "/"


def _join(segs: tuple[str, ...]) -> str:
    return "/" + "/".join(segs) if segs else ""


def timeout_ms(service: ir.Timeouts, route: ir.Timeouts) -> int | None:
    """The one integration timeout: the smallest bound the spec sets on one try."""
    def pick(f: str) -> int | None:
        v = getattr(route, f)
        return v if v is not None else getattr(service, f)

    bounds = [pick("request_ms"), pick("per_try_ms")]
    connect, read = pick("connect_ms"), pick("read_ms")
    if read is not None:
        bounds.append(read + (connect or 0))
    elif connect is not None and not any(bounds):
        bounds.append(connect)
    bounds = [b for b in bounds if b]
    return min(bounds) if bounds else None


def mock(status: int, body: Any, headers: dict[str, str]) -> dict:
    """A REST MOCK integration answering `status`, `body` (JSON, or None) and static headers."""
    response: dict[str, Any] = {"statusCode": str(status)}
    params = {f"method.response.header.{k}": static(v) for k, v in sorted(headers.items())}
    if body is not None:
        params["method.response.header.Content-Type"] = static("application/json")
        response["responseTemplates"] = {"application/json": vtl_literal(body)}
    if params:
        response["responseParameters"] = params
    return {
        "type": "mock",
        "passthroughBehavior": "when_no_match",
        "requestTemplates": {"application/json": json.dumps({"statusCode": status})},
        "responses": {"default": response},
    }


def mock_responses(status: int, body: Any, headers: dict[str, str]) -> dict:
    """The method response a MOCK integration's response needs (its headers declared)."""
    names = sorted(headers) + (["Content-Type"] if body is not None else [])
    resp: dict[str, Any] = {"description": "answered by API Gateway"}
    if names:
        resp["headers"] = {n: {"schema": {"type": "string"}} for n in names}
    return {str(status): resp}


def static(value: str) -> str:
    """A static value in a REST mapping expression: single-quoted, with `'` doubled away.
    API Gateway has no escape for `'` inside the quotes, so it is refused before (lint)."""
    return f"'{value}'"


def vtl_literal(body: Any) -> str:
    """`body` as JSON text that Velocity (mapping templates) leaves alone: `$` and `#` start
    VTL references and directives, so they are written as JSON escapes (the same JSON)."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("$", "\\u0024").replace("#", "\\u0023")


def _respond_body(a: ir.Respond, ctx: Ctx) -> Any:
    if a.body is None and a.status >= 400:
        return answers.body_for(ctx.gateway.answers, a.status)
    return a.body


def _redirect(op: Op, r: ir.Redirect, ctx: Ctx) -> tuple[dict, dict] | None:
    if not ctx.only_rest("a redirect (MOCK integration)", op.route.loc, "action.redirect"):
        return None
    location = fixed_location(r)
    if location is None:
        ctx.limitation("action.redirect", "a redirect that keeps part of the request (its path, host or scheme) "
                       "cannot be written: a MOCK integration answers with a fixed Location", op.route.loc,
                       hint="give the redirect a scheme, hostname and full path")
        return None
    # The spec keeps the request's query string on every redirect; a mapping can copy one named
    # parameter into a header, never the whole query string.
    if not ctx.limitation("action.redirect", f"a redirect to {location} drops the request's query string: a MOCK "
                          "integration answers with a fixed Location, and the spec keeps the query", op.route.loc,
                          hint="accept `action.redirect` to redirect without the query string"):
        return None
    headers = {"Location": location}
    return mock(r.status, None, headers), mock_responses(r.status, None, headers)


def fixed_location(r: ir.Redirect) -> str | None:
    if r.scheme is None or r.hostname is None or r.path is None or r.path.kind != "full":
        return None
    port = f":{r.port}" if r.port is not None else ""
    return f"{r.scheme}://{r.hostname}{port}{r.path.value}"
