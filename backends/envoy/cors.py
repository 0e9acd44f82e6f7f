"""CORS. Actual responses: Envoy's cors filter with the route's CorsPolicy (it also puts the
headers on the answers Envoy makes after it in the chain: 401, 403, 413, 429...), except
direct responses (fixed answers, not found), which the filter skips: those routes add the
headers themselves, split on the Origin header.

Preflights are answered by routes of their own, placed before the route's own: an OPTIONS
request with Origin and Access-Control-Request-Method on the route's path is answered with
204 and never reaches the service, whatever methods the route matches (a route for GET and
POST must still answer the preflight for them). The cors filter cannot do that for a route
whose methods leave OPTIONS out, nor answer "any method/header" with what the browser asks
for (the spec's `["*"]`, docs/spec.md CORS): the preflight routes send that with
`%REQ(...)%`. A preflight from an origin the policy does not allow gets a bare 204."""
from __future__ import annotations

import re

from gatewayc.ir import model as ir

from .context import literal, typed


def origin_regex(origin: str) -> str:
    if origin == "*":
        return ".*"
    if "://*." in origin:
        scheme, rest = origin.split("://*.", 1)
        return f"{re.escape(scheme)}://[a-zA-Z0-9-]+(\\.[a-zA-Z0-9-]+)*\\.{re.escape(rest)}"
    return re.escape(origin)


def _origin_match(o: str) -> dict:
    if o != "*" and "://*." not in o:
        return {"exact": o}
    return {"safe_regex": {"regex": origin_regex(o)}}


def policy(c: ir.Cors) -> dict:
    """The cors filter's CorsPolicy: actual responses only (preflights are routes)."""
    out: dict = {"allow_origin_string_match": [_origin_match(o) for o in c.origins]}
    if c.expose_headers:
        out["expose_headers"] = ",".join(c.expose_headers)
    out["allow_credentials"] = c.credentials
    # preflights never get here (the preflight routes come first): let any through untouched
    out["forward_not_matching_preflights"] = True
    return typed("envoy.extensions.filters.http.cors.v3.CorsPolicy", **out)


def set_header(name: str, value: str, raw: bool = False) -> dict:
    """A header to set; `raw`: the value is gatewayc's own format string."""
    return {"header": {"key": name, "value": value if raw else literal(value)},
            "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}


def _common(c: ir.Cors) -> list[dict]:
    out = [set_header("Access-Control-Allow-Origin", "*") if c.origins == ("*",) and not c.credentials
           else set_header("Access-Control-Allow-Origin", "%REQ(origin)%", raw=True), set_header("Vary", "Origin")]
    if c.credentials:
        out.append(set_header("Access-Control-Allow-Credentials", "true"))
    return out


def direct_split(entry: dict, c: ir.Cors) -> list[dict]:
    """A direct_response route under CORS policy `c`, as two: from an allowed origin (with the
    headers of an actual response), and the rest. Envoy's cors filter skips direct responses
    (it looks for a forwarding route)."""
    allowed = {**entry, "name": entry["name"] + "~cors", "match": dict(entry["match"])}
    allowed["match"]["headers"] = [_origin_matcher(c)] + entry["match"].get("headers", [])
    extra = _common(c)
    if c.expose_headers:
        extra.append(set_header("Access-Control-Expose-Headers", ", ".join(c.expose_headers)))
    allowed["response_headers_to_add"] = entry.get("response_headers_to_add", []) + extra
    return [allowed, entry]


def _origin_matcher(c: ir.Cors) -> dict:
    return {"name": "origin", "string_match": {"safe_regex": {
        "regex": "|".join(f"(?:{origin_regex(o)})" for o in c.origins)}}}


def preflight_headers(c: ir.Cors) -> list[dict]:
    out = _common(c)
    out.append(set_header("Access-Control-Allow-Methods", "%REQ(access-control-request-method)%", raw=True)
               if c.any_method else set_header("Access-Control-Allow-Methods", ", ".join(c.methods)))
    if c.any_header:
        out.append(set_header("Access-Control-Allow-Headers", "%REQ(access-control-request-headers)%", raw=True))
    elif c.headers:
        out.append(set_header("Access-Control-Allow-Headers", ", ".join(c.headers)))
    if c.max_age_ms is not None:
        out.append(set_header("Access-Control-Max-Age", str(c.max_age_ms // 1000)))
    return out


def preflight_matchers(c: ir.Cors | None) -> list[dict]:
    """Header matchers of a preflight (OPTIONS, Origin, Access-Control-Request-Method), and
    of an allowed origin when `c` is given."""
    out = [{"name": ":method", "string_match": {"exact": "OPTIONS"}},
           {"name": "access-control-request-method", "present_match": True}]
    if c is None:
        out.append({"name": "origin", "present_match": True})
    else:
        out.append(_origin_matcher(c))
    return out
