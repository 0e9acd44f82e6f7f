"""Route policies Envoy keeps per route: CORS (cors.py), the IP filter (RBAC), the body limit (buffer)
and header changes. Each filter sits once in the connection manager's chain; a route gives it
its own configuration in typed_per_filter_config."""
from __future__ import annotations

import ipaddress

from gatewayc.ir import model as ir

from . import cors
from .context import Ctx, literal, typed

CORS = "envoy.filters.http.cors"
RBAC = "envoy.filters.http.rbac"
BUFFER = "envoy.filters.http.buffer"
OVERWRITE = "OVERWRITE_IF_EXISTS_OR_ADD"
APPEND = "APPEND_IF_EXISTS_OR_ADD"


def _cidr(s: str) -> dict:
    net = ipaddress.ip_network(s, strict=False)
    return {"direct_remote_ip": {"address_prefix": str(net.network_address), "prefix_len": net.prefixlen}}


def _any_of(ids: list[dict]) -> dict:
    return ids[0] if len(ids) == 1 else {"or_ids": {"ids": ids}}


def rbac_policy(f: ir.IpFilter) -> dict:
    """Allowed: from an `allow` range (any address without one) and from no `deny` range.
    The client is the connection's peer address, never X-Forwarded-For."""
    parts = []
    if f.allow:
        parts.append(_any_of([_cidr(x) for x in f.allow]))
    if f.deny:
        parts.append({"not_id": _any_of([_cidr(x) for x in f.deny])})
    principal = parts[0] if len(parts) == 1 else {"and_ids": {"ids": parts}} if parts else {"any": True}
    rules = {"action": "ALLOW", "policies": {"ip": {"permissions": [{"any": True}], "principals": [principal]}}}
    return typed("envoy.extensions.filters.http.rbac.v3.RBACPerRoute", rbac={"rules": rules})


def buffer_policy(limit: int) -> dict:
    # the filter is off in the chain by default; FilterConfig turns it on for this route
    return typed("envoy.config.route.v3.FilterConfig", config=typed(
        "envoy.extensions.filters.http.buffer.v3.BufferPerRoute", buffer={"max_request_bytes": limit}))


def per_filter(route: ir.Route, ctx: Ctx) -> dict:
    p = route.policies
    out: dict = {}
    if p.body_limit is not None and not ctx.dropping("body_limit"):
        if p.body_limit > 0:  # 0 (no body at all) is a lua script: routes.py
            out[BUFFER] = buffer_policy(p.body_limit)
    if p.cors is not None and not ctx.dropping("cors"):
        out[CORS] = cors.policy(p.cors)
    if p.ip is not None and not ctx.dropping("ip_filter"):
        out[RBAC] = rbac_policy(p.ip)
    return out


def header_value(name: str, value: str, action: str) -> dict:
    return {"header": {"key": name, "value": literal(value)}, "append_action": action}


def request_headers(route: ir.Route, ctx: Ctx, remove_also: tuple[str, ...] = ()) -> dict:
    ops = route.policies.transforms.request_headers
    out: dict = {}
    if ops and not ctx.dropping("transform.request.headers"):
        if ops.rename:
            ctx.error(f"route {route.name!r}: Envoy's route headers cannot rename a request header (it removes "
                      f"before it adds, so the old value is gone)", route.policies.transforms.loc)
        add = [header_value(k, v, OVERWRITE) for k, v in ops.set] + [header_value(k, v, APPEND) for k, v in ops.add]
        if add:
            out["request_headers_to_add"] = add
        remove = list(ops.remove)
    else:
        remove = []
    remove += [h for h in remove_also if h.lower() not in {x.lower() for x in remove}]
    if remove:
        out["request_headers_to_remove"] = remove
    return out


def response_headers(ops: ir.HeaderOps, ctx: Ctx) -> dict:
    out: dict = {}
    if not ops or ctx.dropping("transform.response.headers"):
        return out
    add = [header_value(k, v, OVERWRITE) for k, v in ops.set] + [header_value(k, v, APPEND) for k, v in ops.add]
    if add:
        out["response_headers_to_add"] = add
    if ops.remove:
        out["response_headers_to_remove"] = list(ops.remove)
    return out
