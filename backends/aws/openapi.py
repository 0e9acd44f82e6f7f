"""One gateway as an OpenAPI 3.0 document for API Gateway (REST or HTTP API)."""
from __future__ import annotations

from typing import Any

from . import cache
from .authorizers import authorizers
from .context import Ctx
from .cors import api_cors
from .integrations import integration
from .lint import path_problem
from .policy import resource_policy
from .responses import gateway_responses
from .tree import ANY, Op, operations
from .usage import SCHEME, Usage, plan

ANY_METHOD = "x-amazon-apigateway-any-method"
PROXY_PARAM = {"name": "proxy", "in": "path", "required": True, "schema": {"type": "string"}}


def document(ctx: Ctx, description: str, version: str) -> tuple[dict, Usage, dict]:
    """The document, the usage plan, and the Stage's cache properties."""
    gw = ctx.gateway
    ttls = cache.ttl_seconds(ctx)
    table = cache.spell_out(ctx, operations(gw))
    usage = plan(ctx, table)
    jwt = authorizers(ctx, table)
    paths: dict[str, Any] = {}
    for path, ops in table.items():
        item: dict[str, Any] = {}
        problem = path_problem(path)
        if problem is not None:
            first = next(iter(ops.values()))
            if ctx.limitation(f"routing.path.{first.match.path.kind}", problem, first.match.loc,
                              hint="rename the path, or route it through a prefix match"):
                continue
        for method, op in ops.items():
            built = _operation(op, method, ctx, cache.key_parameters(op, method, (path, method) in usage.keyed, ttls))
            if built is None:
                continue
            if (path, method) in usage.keyed:
                built = {"security": [{SCHEME: []}], **built}
            elif (path, method) in jwt.security:
                built = {"security": [{jwt.security[(path, method)]: []}], **built}
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
    schemes = dict(jwt.schemes)
    if usage.keyed:
        schemes[SCHEME] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
        doc["x-amazon-apigateway-api-key-source"] = "HEADER"
    if schemes:
        doc["components"] = {"securitySchemes": dict(sorted(schemes.items()))}
    policy = resource_policy(ctx, table)
    if policy is not None:
        doc["x-amazon-apigateway-policy"] = policy
    if ctx.rest:
        doc["x-amazon-apigateway-gateway-responses"] = gateway_responses(ctx, usage.responses)
        api_cors(ctx)  # refused on REST
    else:
        doc["x-amazon-apigateway-importexport-version"] = "1.0"
        cors = api_cors(ctx)
        if cors is not None:
            doc["x-amazon-apigateway-cors"] = cors
        ctx.warn("the HTTP API answers with its own bodies (`{\"message\": \"Not Found\"}`, ...): it has no gateway "
                 "responses, so the answers the gateway makes itself do not have the spec's shape", gw.loc)
    return doc, usage, cache.stage_settings(table, ttls)


def _operation(op: Op, method: str, ctx: Ctx, cache_keys: list[tuple[str, str]] | None) -> dict | None:
    built = integration(op, method, ctx)
    if built is None:
        return None
    integ, responses = built
    out: dict[str, Any] = {}
    params = [PROXY_PARAM] if op.greedy else []
    if cache_keys is not None:
        params += [{"name": name, "in": "header" if where == "header" else "query", "required": False,
                    "schema": {"type": "string"}} for where, name in cache_keys if where != "path"]
        if cache_keys:
            integ = {**integ, "cacheKeyParameters": [f"method.request.{where}.{name}" for where, name in cache_keys]}
    if params:
        out["parameters"] = params
    out["responses"] = responses
    out["x-amazon-apigateway-integration"] = integ
    return out
