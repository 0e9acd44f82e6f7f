"""The answers API Gateway makes itself, in the spec's shape (docs/spec.md, "Answers the gateway
makes itself"): REST gateway responses (`x-amazon-apigateway-gateway-responses`), one per
response type, each with the status the spec gives that answer, its JSON body and headers."""
from __future__ import annotations

from typing import Any

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from .context import Ctx
from .integrations import static, vtl_literal

# [DG] supported-gateway-response-types: the type and the status API Gateway gives it. None:
# the DEFAULT types, which take the status of the answer they stand for.
TYPES: dict[str, int | None] = {
    "ACCESS_DENIED": 403, "API_CONFIGURATION_ERROR": 500, "AUTHORIZER_CONFIGURATION_ERROR": 500,
    "AUTHORIZER_FAILURE": 500, "BAD_REQUEST_BODY": 400, "BAD_REQUEST_PARAMETERS": 400, "DEFAULT_4XX": None,
    "DEFAULT_5XX": None, "EXPIRED_TOKEN": 403, "INTEGRATION_FAILURE": 504, "INTEGRATION_TIMEOUT": 504,
    "INVALID_API_KEY": 403, "INVALID_SIGNATURE": 403, "MISSING_AUTHENTICATION_TOKEN": 403, "QUOTA_EXCEEDED": 429,
    "RESOURCE_NOT_FOUND": 404, "THROTTLED": 429, "UNAUTHORIZED": 401, "UNSUPPORTED_MEDIA_TYPE": 415,
    "WAF_FILTERED": 403,
}
# REQUEST_TOO_LARGE (413) is left out: API Gateway does not let it be customised.


def gateway_responses(ctx: Ctx, overrides: dict[str, tuple[int, Any, dict[str, str]]]) -> dict:
    """Every response type. `overrides`: type -> (status, body, extra headers) for the answers
    a policy shapes (auth failures, rate limits)."""
    gw = ctx.gateway
    out = {}
    for kind, status in TYPES.items():
        extra: dict[str, str] = {}
        if kind in overrides:
            status, body, extra = overrides[kind]
        elif kind in ("MISSING_AUTHENTICATION_TOKEN", "RESOURCE_NOT_FOUND"):
            # what API Gateway answers for a path or method no resource has: the spec's "no route"
            status, body = gw.not_found.status, gw.not_found.body
        elif kind == "INTEGRATION_FAILURE":
            status = 502  # the service could not be reached: the spec's 502, not AWS's 504
            body = answers.body_for(gw.answers, status)
        elif status is None:
            # one body for every status the type stands for: the class name, as for a status
            # without a registered reason phrase
            body = {"error": "Client Error" if kind == "DEFAULT_4XX" else "Server Error"}
        else:
            body = answers.body_for(gw.answers, status)
        out[kind] = _response(status, body, _headers(gw, extra))
    return out


def _headers(gw: ir.Gateway, extra: dict[str, str]) -> dict[str, str]:
    h = {answers.NO_STORE[0]: answers.NO_STORE[1]}
    rh = gw.answers.response_headers
    for name, value in rh.set + rh.add:
        h[name] = value
    h.update(extra)
    return h


def _response(status: int | None, body: Any, headers: dict[str, str]) -> dict:
    out: dict[str, Any] = {}
    if status is not None:
        out["statusCode"] = str(status)
    out["responseParameters"] = {f"gatewayresponse.header.{k}": static(v) for k, v in sorted(headers.items())}
    out["responseTemplates"] = {"application/json": vtl_literal(body)}
    return out
