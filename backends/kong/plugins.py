"""Route policies -> Kong plugins, attached to the route's Kong service."""
from __future__ import annotations

import json
import math
import re
from typing import Any

from gatewayc.ir import model as ir
from gatewayc.ir.answers import NO_STORE, body_for

from .context import Ctx
from .entries import entry, templated
from .routes import ALL_METHODS

PROTOCOLS = ["grpc", "grpcs", "http", "https"]


def plugin(ctx: Ctx, owner: str, name: str, config: dict) -> dict:
    return {"name": name, "id": ctx.id("plugin", f"{owner}/{name}"), "config": config, "enabled": True,
            "protocols": PROTOCOLS}


def route_plugins(route: ir.Route, owner: str, ctx: Ctx) -> list[dict]:
    """Every plugin of the route but auth (auth.py) and rate limiting (ratelimits.py)."""
    p, out = route.policies, []
    if p.cache is not None:
        out.append(plugin(ctx, owner, "proxy-cache", proxy_cache(p.cache, ctx)))
    if p.cors is not None:
        out.append(plugin(ctx, owner, "cors", cors(p.cors)))
    if p.ip is not None:
        out.append(plugin(ctx, owner, "ip-restriction", ip_restriction(p.ip, ctx)))
    if p.body_limit is not None:
        out.append(plugin(ctx, owner, "request-size-limiting",
                          {"allowed_payload_size": p.body_limit, "require_content_length": False,
                           "size_unit": "bytes"}))
    rt = request_transformer(route, ctx)
    if rt is not None:
        out.append(plugin(ctx, owner, "request-transformer", rt))
    if p.transforms.response_headers:
        out.append(plugin(ctx, owner, "response-transformer", response_transformer(route, ctx)))
    if isinstance(route.action, ir.Respond):
        out.append(plugin(ctx, owner, "request-termination", termination(route.action.status, route.action.body)))
    return out


def message_of(body: Any) -> str:
    """Kong answers `{"message": <string>}`: the closest string to the spec's body."""
    if isinstance(body, str):
        return body
    if isinstance(body, dict) and len(body) == 1 and isinstance(next(iter(body.values())), str):
        return next(iter(body.values()))
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


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


def ip_restriction(f: ir.IpFilter, ctx: Ctx) -> dict:
    conf: dict = {}
    if f.allow:
        conf["allow"] = list(f.allow)
    if f.deny:
        conf["deny"] = list(f.deny)
    # Kong answers {"message": <message>}: the gateway's 403 as close as that gets
    conf.update({"message": message_of(body_for(ctx.answers, 403)), "status": 403})
    return conf


# --- transforms ----------------------------------------------------------------------
def _pairs(ops: ir.HeaderOps, what: str, rendered: bool, ctx: Ctx, loc) -> dict[str, list[str]]:
    def entries(pairs, kind: str) -> list[str]:
        made = (entry(a, b, f"{what} {kind}", loc, ctx, rendered) for a, b in pairs)
        return [e for e in made if e is not None]

    return {
        "remove": entries(((n, None) for n in ops.remove), "remove"),
        "rename": entries(ops.rename, "rename"),
        "replace": entries(ops.set, "set"),  # set = replace if present, add if absent
        "add": entries(ops.set, "set"),
        "append": entries(ops.add, "add"),
    }


def hidden_by_transformer(route: ir.Route) -> tuple[list[str], list[str]]:
    """(headers, query parameters) with a hidden credential that no auth plugin removes: a JWT's
    (the jwt plugin has no hide_credentials), and under any_of also an API key's or basic
    credentials, since key-auth and basic-auth hide only what they authenticated and the spec
    hides it whichever method succeeded. A cookie cannot be removed alone (GWC310 in auth._jwt)."""
    a = route.policies.auth
    headers: list[str] = []
    query: list[str] = []

    def add(header: str | None, param: str | None) -> None:
        if header is not None and header.lower() not in headers:
            headers.append(header.lower())
        if param is not None and param not in query:
            query.append(param)

    def walk(m: ir.AuthMethod, alternative: bool) -> None:
        if isinstance(m, ir.JwtAuth) and m.hide_credentials:
            add(m.token.header, m.token.query)
        elif isinstance(m, ir.ApiKeyAuth) and m.hide_credentials and alternative:
            add(m.header, m.query)
        elif isinstance(m, ir.BasicAuth) and m.hide_credentials and alternative:
            add("Authorization", None)
        elif isinstance(m, (ir.AnyOf, ir.AllOf)):
            for x in m.methods:
                walk(x, alternative or isinstance(m, ir.AnyOf))

    if a is not None:
        walk(a.method, False)
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
    body = _body_renames(route, ctx)
    hidden_headers, hidden_query = hidden_by_transformer(route)
    if not (t.request_headers or t.request_query or uri or host or body or hidden_headers or hidden_query):
        return None
    h = _pairs(t.request_headers, f"route {route.name!r}: request header", True, ctx, t.loc)
    q = _pairs(t.request_query, f"route {route.name!r}: query parameter", True, ctx, t.loc)
    h["remove"] += [x for x in hidden_headers if x not in (n.lower() for n in h["remove"])]
    q["remove"] += [x for x in hidden_query if x not in q["remove"]]
    if host:
        h["replace"].append(f"host:{host}")
    conf = {op: {"body": body if op == "rename" else [], "headers": h[op], "querystring": q[op]}
            for op in ("add", "append", "remove", "rename", "replace")}
    if uri:
        if templated(uri):
            ctx.limitation(f"route {route.name!r}: rewritten path {uri!r}: Kong's request-transformer evaluates "
                           f"`$(...)` in `replace.uri` as a Lua template", route.loc)
        conf["replace"]["uri"] = uri
    return conf


def _body_renames(route: ir.Route, ctx: Ctx) -> list[str]:
    """A body mapping that only renames: request-transformer `rename.body` (top-level fields)."""
    bm = route.policies.transforms.request_body
    if bm is None or bm.set or bm.cast or "transform.request.body.rename" in ctx.dropped \
            or not isinstance(route.action, ir.Forward):
        return []  # a mapping with set or cast is unsupported (graded by the build)
    out = []
    for old, new in bm.rename:
        if "." in old or "." in new:
            ctx.cannot("transform.request.body.rename", f"route {route.name!r}: body field rename {old!r} -> "
                       f"{new!r}: a dotted name addresses a nested field, and Kong's rename.body renames top-level "
                       f"fields only", bm.loc)
            continue
        e = entry(old, new, f"route {route.name!r}: body field rename", bm.loc, ctx, True)
        if e is not None:
            out.append(e)
    return out


def response_transformer(route: ir.Route, ctx: Ctx) -> dict:
    t = route.policies.transforms
    return header_transformer(t.response_headers, f"route {route.name!r}: response header", t.loc, ctx)


def header_transformer(ops: ir.HeaderOps, what: str, loc, ctx: Ctx) -> dict:
    """response-transformer's config for header operations `ops`."""
    h = _pairs(ops, what, False, ctx, loc)
    conf: dict = {}
    for op in ("add", "append", "remove", "rename", "replace"):
        conf[op] = {"headers": h[op], "json": []}
        if op in ("add", "append", "replace"):
            conf[op]["json_types"] = []
    return conf


# --- fixed answers ---------------------------------------------------------------------
def termination(status: int, body: Any) -> dict:
    """A fixed answer: the spec's body is a JSON value, sent as JSON (a string too, quoted)."""
    conf: dict = {"echo": False, "status_code": status}
    if body is None:
        conf["body"] = ""
    else:
        conf.update({"body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                     "content_type": "application/json"})
    return {k: conf[k] for k in sorted(conf)}
