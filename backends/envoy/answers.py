"""The answers Envoy makes itself, in the spec's shape (docs/spec.md, "Answers the gateway
makes itself"): the connection manager's local_reply_config.

Each mapper picks local replies with an access-log filter and gives them the spec's JSON body
(`%LOCAL_REPLY_BODY%` in a JSON-typed format: the body as written, Content-Type
application/json) and headers. Answers of `respond:` routes and of the not-found route are
direct responses, already in shape: every mapper leaves them alone (a CEL filter on
response.code_details). Mappers of particular routes (their rate limit's answer, their auth
challenge) come first; then Envoy's statuses for a target that could not be reached (503
`UF`: 502 in the spec); then one mapper per status."""
from __future__ import annotations

from dataclasses import dataclass

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from .actions import json_text
from .context import Ctx, SEP, typed
from .policies import APPEND, OVERWRITE, header_value

# every status Envoy answers with by itself (codec errors, filters, the router)
ENVOY_STATUSES = (400, 401, 403, 404, 405, 408, 413, 426, 429, 431, 500, 501, 502, 503, 504)
NOT_DIRECT = "response.code_details != 'direct_response'"
UNREACHABLE = ("UF", "UC", "UR")  # connection failed, terminated, reset before any answer


def cel(expr: str) -> dict:
    return {"extension_filter": {"name": "envoy.access_loggers.extension_filters.cel", "typed_config": typed(
        "envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter", expression=expr)}}


def on_routes(gw: ir.Gateway, routes: list[ir.Route]) -> str:
    """A CEL condition: the request was routed by one of these spec routes (Envoy route names
    are gateway~route~...)."""
    return "(" + " || ".join(f"xds.route_name.startsWith('{gw.name}{SEP}{r.name}{SEP}')" for r in routes) + ")"


@dataclass
class Special:
    """The answer of some routes for one local reply: `condition` (CEL, besides the routes)."""
    routes: list[ir.Route]
    condition: str
    status: int
    body: object
    headers: list[tuple[str, str]]


def common_headers(gw: ir.Gateway, ctx: Ctx) -> list[dict]:
    out = [header_value(*answers.NO_STORE, OVERWRITE)]
    ops = gw.answers.response_headers
    if ops and not ctx.dropping("transform.response.headers"):
        out += [header_value(k, v, OVERWRITE) for k, v in ops.set] + [header_value(k, v, APPEND) for k, v in ops.add]
    return out


def mapper(filt: dict, body, headers: list[dict], status: int | None = None) -> dict:
    out: dict = {"filter": filt}
    if status is not None:
        out["status_code"] = status
    out["headers_to_add"] = headers
    out["body"] = {"inline_string": json_text(body)}
    out["body_format_override"] = {"text_format_source": {"inline_string": "%LOCAL_REPLY_BODY%"},
                                   "content_type": "application/json"}
    return out


def local_reply_config(gw: ir.Gateway, specials: list[Special], ctx: Ctx) -> dict:
    common = common_headers(gw, ctx)
    mappers = []
    for s in specials:
        # a header named twice (one WWW-Authenticate challenge per method) is one line per value
        hs = [header_value(k, v, APPEND if k.lower() in [x.lower() for x, _ in s.headers[:i]] else OVERWRITE)
              for i, (k, v) in enumerate(s.headers)]
        mappers.append(mapper(cel(f"{s.condition} && {on_routes(gw, s.routes)} && {NOT_DIRECT}"), s.body,
                              common + hs, s.status))
    mappers.append(mapper({"and_filter": {"filters": [{"response_flag_filter": {"flags": list(UNREACHABLE)}},
                                                      cel(NOT_DIRECT)]}},
                          answers.body_for(gw.answers, 502), common, 502))
    statuses = sorted(set(ENVOY_STATUSES) | {s for s, _ in gw.answers.bodies})
    for status in statuses:
        mappers.append(mapper(cel(f"response.code == {status} && {NOT_DIRECT}"),
                              answers.body_for(gw.answers, status), common))
    return {"mappers": mappers}
