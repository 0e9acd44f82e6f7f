"""Route policies -> Kong plugins, attached to the route's Kong service."""
from __future__ import annotations

import json
import math
import re
from typing import Any

from gatewayc.ir import model as ir

from .context import Ctx
from .routes import ALL_METHODS

PROTOCOLS = ["grpc", "grpcs", "http", "https"]


def plugin(ctx: Ctx, owner: str, name: str, config: dict) -> dict:
    return {"name": name, "id": ctx.id("plugin", f"{owner}/{name}"), "config": config, "enabled": True,
            "protocols": PROTOCOLS}


def route_plugins(route: ir.Route, owner: str, ctx: Ctx) -> list[dict]:
    p, out = route.policies, []
    if p.rate_limit is not None:
        out.append(plugin(ctx, owner, "rate-limiting", rate_limiting(p.rate_limit, ctx)))
    if p.cache is not None:
        out.append(plugin(ctx, owner, "proxy-cache", proxy_cache(p.cache, ctx)))
    if p.cors is not None:
        out.append(plugin(ctx, owner, "cors", cors(p.cors)))
    if p.ip is not None:
        out.append(plugin(ctx, owner, "ip-restriction", ip_restriction(p.ip)))
    if p.body_limit is not None:
        out.append(plugin(ctx, owner, "request-size-limiting",
                          {"allowed_payload_size": p.body_limit, "require_content_length": False,
                           "size_unit": "bytes"}))
    rt = request_transformer(route, ctx)
    if rt is not None:
        out.append(plugin(ctx, owner, "request-transformer", rt))
    if p.transforms.response_headers:
        out.append(plugin(ctx, owner, "response-transformer", response_transformer(p.transforms, ctx)))
    if isinstance(route.action, ir.Respond):
        out.append(plugin(ctx, owner, "request-termination", termination(route.action.status, route.action.body)))
    return out


# --- rate limiting ----------------------------------------------------------------
_WINDOWS = (("day", 86_400_000), ("hour", 3_600_000), ("minute", 60_000), ("second", 1000))


def message_of(body: Any) -> str:
    """Kong answers `{"message": <string>}`: the closest string to the spec's body."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict) and len(body) == 1 and isinstance(next(iter(body.values())), str):
        return next(iter(body.values()))
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def rate_limiting(rl: ir.RateLimit, ctx: Ctx) -> dict:
    window, unit = next(((w, u) for w, u in _WINDOWS if u <= rl.period_ms), ("second", 1000))
    count = rl.requests if rl.period_ms == unit else max(1, math.floor(rl.requests * unit / rl.period_ms))
    if rl.period_ms != unit:
        ctx.warn(f"rate limit {rl.requests} per {rl.period_ms}ms becomes {count} per {window}: Kong counts "
                 f"seconds, minutes, hours or days", rl.loc)
    if rl.burst:
        ctx.warn(f"rate limit burst {rl.burst} is not expressible in Kong", rl.loc)
    conf: dict = {window: count, "error_code": rl.status, "error_message": message_of(rl.body),
                  "fault_tolerant": True, "hide_client_headers": False}
    k = rl.key
    if k.kind == "header":
        conf["header_name"] = k.name
        conf["limit_by"] = "header"
    elif k.kind == "client_ip":
        conf["limit_by"] = "ip"
    else:  # consumer; a claim (unsupported, or accepted as degraded) falls back to the consumer
        conf["limit_by"] = "consumer"
        if k.kind == "claim":
            ctx.warn(f"rate limit by claim {k.name!r} counts per authenticated consumer instead", rl.loc)
    conf.update({"policy": "local", "sync_rate": -1})
    if not isinstance(rl.body, str) and ctx.once("rate-limit-body"):
        ctx.info("Kong answers a rate-limited request with {\"message\": ...}; the spec's body becomes that "
                 "message", rl.loc)
    return {k: conf[k] for k in sorted(conf)}


# --- caching --------------------------------------------------------------------
def proxy_cache(c: ir.Cache, ctx: Ctx) -> dict:
    if c.bypass_headers or c.bypass_query:
        ctx.warn("cache bypass headers/query parameters are not expressible in Kong's proxy-cache", c.loc)
    return {
        "cache_control": False,
        "cache_ttl": max(1, math.ceil(c.ttl_ms / 1000)),
        "content_type": ["application/json", "text/plain"],
        "ignore_uri_case": False,
        "memory": {"dictionary_name": "kong_db_cache"},
        "request_method": sorted(c.methods),
        "response_code": sorted(c.statuses),
        "response_headers": {"X-Cache-Key": True, "X-Cache-Status": True, "age": True},
        "strategy": "memory",
        "vary_headers": sorted(c.vary_headers),
        "vary_query_params": sorted(c.vary_query),
    }


# --- cors / ip ------------------------------------------------------------------------
def origin(o: str) -> str:
    """Kong treats an origin holding a character outside [A-Za-z0-9.:/-] as a regex (anchored)."""
    if o == "*" or not o.split("://", 1)[-1].startswith("*."):
        return o
    scheme, rest = o.split("://", 1)
    return re.escape(scheme) + "://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*" + rest[1:].replace(".", "\\.")


# Kong answers a preflight with the requested headers when its list is empty; for the spec's
# empty list (CORS-safelisted headers only) it gets one safelisted name (docs/targets/kong.md)
NO_EXTRA_HEADERS = ["Accept"]


def cors(c: ir.Cors) -> dict:
    conf: dict = {
        "allow_origin_absent": True,
        "credentials": c.credentials,
        "exposed_headers": list(c.expose_headers),
        # "*": Kong's empty list, which answers with the requested headers (a literal "*"
        # would not cover Authorization)
        "headers": [] if c.any_header else list(c.headers) or NO_EXTRA_HEADERS,
    }
    if c.max_age_ms is not None:
        conf["max_age"] = math.ceil(c.max_age_ms / 1000)
    # Kong's methods are an enum of the nine standard methods: "*" lists them all
    methods = list(ALL_METHODS) if c.any_method else list(c.methods)
    conf.update({"methods": methods, "origins": [origin(o) for o in c.origins],
                 "preflight_continue": False, "private_network": False})
    return conf


def ip_restriction(f: ir.IpFilter) -> dict:
    conf: dict = {}
    if f.allow:
        conf["allow"] = list(f.allow)
    if f.deny:
        conf["deny"] = list(f.deny)
    conf.update({"message": "Your IP address is not allowed", "status": 403})
    return conf


# --- transforms ----------------------------------------------------------------------
def _pairs(ops: ir.HeaderOps, ctx: Ctx, loc) -> dict[str, list[str]]:
    for _, v in (*ops.set, *ops.add):
        if "$(" in v:
            ctx.error(f"value {v!r}: Kong's transformer plugins evaluate `$(...)` as a template", loc)
    return {
        "remove": list(ops.remove),
        "rename": [f"{a}:{b}" for a, b in ops.rename],
        "replace": [f"{a}:{b}" for a, b in ops.set],  # set = replace if present, add if absent
        "add": [f"{a}:{b}" for a, b in ops.set],
        "append": [f"{a}:{b}" for a, b in ops.add],
    }


def hidden_by_transformer(route: ir.Route) -> tuple[list[str], list[str]]:
    """(headers, query parameters) carrying a JWT whose method says hide_credentials: Kong's jwt
    plugin cannot remove them itself. A cookie cannot be removed alone (a GWC310 in _jwt)."""
    a = route.policies.auth
    headers: list[str] = []
    query: list[str] = []

    def walk(m: ir.AuthMethod) -> None:
        if isinstance(m, ir.JwtAuth) and m.hide_credentials:
            if m.token.header is not None and m.token.header.lower() not in headers:
                headers.append(m.token.header.lower())
            if m.token.query is not None and m.token.query not in query:
                query.append(m.token.query)
        elif isinstance(m, (ir.AnyOf, ir.AllOf)):
            for x in m.methods:
                walk(x)

    if a is not None:
        walk(a.method)
    return headers, query


def request_transformer(route: ir.Route, ctx: Ctx) -> dict | None:
    t = route.policies.transforms
    a = route.action
    uri = host = None
    if isinstance(a, ir.Forward):
        if a.path_rewrite is not None and a.path_rewrite.kind == "full":
            base = a.service.targets[0].base_path if a.service.targets else ""
            uri = base + a.path_rewrite.value
        host = a.host_rewrite
    hidden_headers, hidden_query = hidden_by_transformer(route)
    if not (t.request_headers or t.request_query or uri or host or hidden_headers or hidden_query):
        return None
    h = _pairs(t.request_headers, ctx, t.loc)
    q = _pairs(t.request_query, ctx, t.loc)
    h["remove"] += [x for x in hidden_headers if x not in (n.lower() for n in h["remove"])]
    q["remove"] += [x for x in hidden_query if x not in q["remove"]]
    if host:
        h["replace"].append(f"host:{host}")
    conf = {op: {"body": [], "headers": h[op], "querystring": q[op]}
            for op in ("add", "append", "remove", "rename", "replace")}
    if uri:
        conf["replace"]["uri"] = uri
    return conf


def response_transformer(t: ir.Transforms, ctx: Ctx) -> dict:
    h = _pairs(t.response_headers, ctx, t.loc)
    conf: dict = {}
    for op in ("add", "append", "remove", "rename", "replace"):
        conf[op] = {"headers": h[op], "json": []}
        if op in ("add", "append", "replace"):
            conf[op]["json_types"] = []
    return conf


# --- fixed answers ---------------------------------------------------------------------
def termination(status: int, body: Any) -> dict:
    conf: dict = {"echo": False, "status_code": status}
    if body is None:
        conf["body"] = ""
    elif isinstance(body, str):
        conf.update({"body": body, "content_type": "text/plain; charset=utf-8"})
    else:
        conf.update({"body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                     "content_type": "application/json"})
    return {k: conf[k] for k in sorted(conf)}
