"""Request validation (REST only: the HTTP API ignores request validators).

`required_headers` and `required_query` become required operation parameters
(`in: header` / `in: query`) checked by a request validator
(`x-amazon-apigateway-request-validators`, `validateRequestParameters`) that the operation
names. A request without one is answered with the BAD_REQUEST_PARAMETERS gateway response,
one for the whole API: it carries the validation's `status` and body, so every validated
route must fail the same way. API Gateway also refuses a present but blank value, where the
spec asks only for presence (a warning says so). A body schema is not built yet."""
from __future__ import annotations

from typing import Any

from gatewayc.ir import model as ir

from .context import Ctx
from .tree import Op

VALIDATOR = "params"
VALIDATORS = {VALIDATOR: {"validateRequestBody": False, "validateRequestParameters": True}}
RESPONSE = "BAD_REQUEST_PARAMETERS"


def required(op: Op, ctx: Ctx) -> list[tuple[str, str]]:
    """(in, name) of the parameters the operation's route requires; [] when none (or on the
    HTTP API, where it is refused)."""
    v = op.route.policies.validation
    if v is None or not (v.required_headers or v.required_query) or ctx.dropping("validation.required"):
        return []
    if not ctx.only_rest("a request validator", v.loc, "validation.required"):
        return []
    return [("header", h) for h in v.required_headers] + [("query", q) for q in v.required_query]


def response(ctx: Ctx) -> dict[str, tuple[int, Any, dict[str, str]]]:
    """The BAD_REQUEST_PARAMETERS gateway response, shaped by the routes' validations."""
    shapes: dict[tuple[int, str], ir.Validation] = {}
    for r in ctx.gateway.routes:
        v = r.policies.validation
        if v is not None and (v.required_headers or v.required_query) and not ctx.dropping("validation.required"):
            shapes.setdefault((v.status, repr(v.body)), v)
    if not shapes or not ctx.rest:
        return {}
    first = next(iter(shapes.values()))
    if len(shapes) > 1:
        ctx.error("API Gateway answers a missing required parameter with one gateway response for the whole API; "
                  "here validated routes fail with different statuses or bodies", first.loc,
                  hint="give every validated route the same `status`")
    ctx.warn("API Gateway's request validator also refuses a required header or query parameter whose value is "
             "blank; the spec asks only that it is present", first.loc)
    return {RESPONSE: (first.status, first.body, {})}
