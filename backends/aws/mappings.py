"""Request header and query transforms as integration request parameters.

REST (`integration.request.header.N` from a single-quoted static value) can only set a value:
a proxy integration forwards every other header and parameter as received, so remove, add
and rename are refused there. The HTTP API's parameter mapping has `append`, `overwrite` and
`remove` for both."""
from __future__ import annotations

from gatewayc.ir import model as ir

from .authorizers import hidden
from .context import Ctx
from .tree import Op


def request_parameters(op: Op, ctx: Ctx) -> dict[str, str]:
    tr = op.route.policies.transforms
    out: dict[str, str] = {}
    if not ctx.rest:
        out.update(_credentials(op, ctx))
    for ops, rest_kind, http_kind, feature in ((tr.request_headers, "header", "header", "transform.request.headers"),
                                               (tr.request_query, "querystring", "querystring",
                                                "transform.request.query")):
        if not ops or ctx.dropping(feature):
            continue
        if ctx.rest:
            _rest(ops, rest_kind, tr.loc, out, ctx)
        else:
            _http(ops, http_kind, out)
    return out


def _rest(ops: ir.HeaderOps, kind: str, loc, out: dict[str, str], ctx: Ctx) -> None:
    what = "headers" if kind == "header" else "query parameters"
    feature = "transform.request.headers" if kind == "header" else "transform.request.query"
    if ops.add or ops.remove or ops.rename:
        ctx.limitation(feature, f"a REST proxy integration forwards the request's {what} as received: it can only "
                       "set one (not add, remove or rename)", loc, hint="keep to `set`, or build with `--aws-api http`")
    for name, value in ops.set:
        out[f"integration.request.{kind}.{name}"] = f"'{value}'"


def _http(ops: ir.HeaderOps, kind: str, out: dict[str, str]) -> None:
    for name in ops.remove:
        out[f"remove:{kind}.{name}"] = "''"
    for old, new in ops.rename:
        out[f"overwrite:{kind}.{new}"] = f"$request.{kind}.{old}"
        out[f"remove:{kind}.{old}"] = "''"
    for name, value in ops.add:
        out[f"append:{kind}.{name}"] = value
    for name, value in ops.set:
        out[f"overwrite:{kind}.{name}"] = value


def _credentials(op: Op, ctx: Ctx) -> dict[str, str]:
    """HTTP API: the headers a JWT route fills from claims, removed from the client's request on
    every other route of the gateway (M5), and a hidden token's carrier removed."""
    out: dict[str, str] = {}
    filled: dict[str, str] = {}
    auth = op.route.policies.auth
    if auth is not None and isinstance(auth.method, ir.JwtAuth):
        filled = {header: claim for claim, header in auth.method.forward_claims}
        gone = hidden(auth.method)
        if gone is not None:
            out[f"remove:{gone[0]}.{gone[1]}"] = "''"
    for header in ctx.claim_headers:
        if header in filled:
            out[f"overwrite:header.{header}"] = f"$context.authorizer.claims.{filled[header]}"
        else:
            out[f"remove:header.{header}"] = "''"
    return out
