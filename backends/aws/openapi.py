"""One gateway as an OpenAPI 3.0 document for API Gateway (REST or HTTP API)."""
from __future__ import annotations

from typing import Any

from .context import Ctx
from .cors import api_cors
from .integrations import integration
from .responses import gateway_responses
from .tree import ANY, Op, operations

ANY_METHOD = "x-amazon-apigateway-any-method"
PROXY_PARAM = {"name": "proxy", "in": "path", "required": True, "schema": {"type": "string"}}


def document(ctx: Ctx, description: str, version: str) -> dict:
    gw = ctx.gateway
    paths: dict[str, Any] = {}
    for path, ops in operations(gw).items():
        item: dict[str, Any] = {}
        for method, op in ops.items():
            built = _operation(op, method, ctx)
            if built is None:
                continue
            item[ANY_METHOD if method == ANY else method.lower()] = built
            ctx.op_loc[(path, method)] = op.match.loc
        if item:
            paths[path] = item
            ctx.path_loc.setdefault(path, next(iter(ops.values())).match.loc)
    ctx.info("API Gateway serves HTTPS on port 443 at its own endpoint (or a custom domain name): the listeners' "
             "ports and addresses do not apply", gw.loc)
    doc: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": {"title": gw.name, "description": description, "version": version},
        "paths": paths,
    }
    if ctx.rest:
        doc["x-amazon-apigateway-gateway-responses"] = gateway_responses(ctx, {})
        api_cors(ctx)  # refused on REST
    else:
        doc["x-amazon-apigateway-importexport-version"] = "1.0"
        cors = api_cors(ctx)
        if cors is not None:
            doc["x-amazon-apigateway-cors"] = cors
        ctx.warn("the HTTP API answers with its own bodies (`{\"message\": \"Not Found\"}`, ...): it has no gateway "
                 "responses, so the answers the gateway makes itself do not have the spec's shape", gw.loc)
    return doc


def _operation(op: Op, method: str, ctx: Ctx) -> dict | None:
    built = integration(op, method, ctx)
    if built is None:
        return None
    integ, responses = built
    out: dict[str, Any] = {}
    if op.greedy:
        out["parameters"] = [PROXY_PARAM]
    out["responses"] = responses
    out["x-amazon-apigateway-integration"] = integ
    return out
