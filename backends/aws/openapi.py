"""One gateway as an OpenAPI 3.0 document for API Gateway (REST or HTTP API)."""
from __future__ import annotations

from typing import Any

from . import cache, validation
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
    table = cache.spell_out(operations(gw), ttls)
    usage = plan(ctx, table)
    jwt = authorizers(ctx, table)
    paths: dict[str, Any] = {}
    validated = False
    for path, ops in table.items():
        item: dict[str, Any] = {}
        problem = path_problem(path)
        if problem is not None:
            first = next(iter(ops.values()))
            if ctx.limitation(f"routing.path.{first.match.path.kind}", problem, first.match.loc,
                              hint="rename the path, or route it through a prefix match"):
                continue
        for method, op in ops.items():
            keys = cache.key_parameters(op, method, (path, method) in usage.keyed, ttls)
            needed = validation.required(op, ctx)
            built = _operation(op, method, ctx, keys, needed)
            if built is None:
                continue
            validated |= bool(needed)
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
    if validated:
        doc["x-amazon-apigateway-request-validators"] = validation.VALIDATORS
    if ctx.rest:
        doc["x-amazon-apigateway-gateway-responses"] = gateway_responses(ctx, {**usage.responses,
                                                                              **validation.response(ctx)})
        api_cors(ctx)  # refused on REST
    else:
        doc["x-amazon-apigateway-importexport-version"] = "1.0"
        cors = api_cors(ctx)
        if cors is not None:
            doc["x-amazon-apigateway-cors"] = cors
        ctx.warn("the HTTP API answers with its own bodies (`{\"message\": \"Not Found\"}`, ...): it has no gateway "
                 "responses, and its response mappings apply only to a service's answers, so the answers the gateway "
                 "makes itself (no route, a failed token, a throttled request, an unreachable service) do not have "
                 "the spec's shape; a REST API (the default `--aws-api`) gives them", gw.loc)
    return doc, usage, cache.stage_settings(table, ttls)


def _operation(op: Op, method: str, ctx: Ctx, cache_keys: list[tuple[str, str]] | None,
               needed: list[tuple[str, str]]) -> dict | None:
    """The operation; `cache_keys`: (in, name) its cache keys on, None when not cached;
    `needed`: (in, name) of the parameters its request validator requires."""
    built = integration(op, method, ctx)
    if built is None:
        return None
    integ, responses = built
    out: dict[str, Any] = {}
    # one parameter per place and name (header names case-insensitively); required wins
    params: dict[tuple[str, str], dict] = {("path", "proxy"): PROXY_PARAM} if op.greedy else {}
    for where, name, must in [*((w, n, False) for w, n in cache_keys or ()), *((w, n, True) for w, n in needed)]:
        place = "query" if where == "querystring" else where
        if place != "path":
            key = (place, name.lower() if place == "header" else name)
            if must or key not in params:
                params[key] = {"name": name, "in": place, "required": must, "schema": {"type": "string"}}
    if cache_keys:
        integ = {**integ, "cacheKeyParameters": [f"method.request.{where}.{name}" for where, name in cache_keys]}
    if params:
        out["parameters"] = list(params.values())
    if needed:
        out["x-amazon-apigateway-request-validator"] = validation.VALIDATOR
    out["responses"] = responses
    out["x-amazon-apigateway-integration"] = integ
    return out
