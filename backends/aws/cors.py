"""CORS. The HTTP API has one CORS configuration for the whole API
(`x-amazon-apigateway-cors`): API Gateway answers preflights and adds the headers to every
answer, so every route must have the same CORS policy (or the build fails). A REST API's proxy
integrations pass the service's response unchanged, so the headers would be missing there:
refused."""
from __future__ import annotations

from gatewayc.ir import model as ir

from .context import Ctx


def api_cors(ctx: Ctx) -> dict | None:
    gw = ctx.gateway
    policies = {r.policies.cors for r in gw.routes}
    # in route order (not the set's, which moves with the hash seed): the diagnostic points at the first
    used = list(dict.fromkeys(r.policies.cors for r in gw.routes if r.policies.cors is not None))
    if not used or ctx.dropping("cors"):
        return None
    loc = used[0].loc
    if ctx.rest:
        ctx.limitation("cors", "a REST proxy integration passes the service's response unchanged, so API Gateway "
                       "cannot add the CORS headers to it", loc, hint="build with `--aws-api http` (its CORS "
                                                                    "configuration)")
        return None
    if len(policies) > 1:
        ctx.limitation("cors", "an HTTP API has one CORS configuration for all its routes; here routes differ (or "
                       "some have none)", loc, hint="give every route of the gateway the same `cors` (a gateway-level "
                                                    "policy)")
        return None
    c = used[0]
    for o in c.origins:
        if o != "*" and "*" in o:
            ctx.limitation("cors", f"CORS origin {o!r}: the HTTP API takes exact origins or `*`, no wildcard "
                           "subdomains", c.loc)
            return None
    out: dict = {"allowOrigins": list(c.origins), "allowMethods": list(c.methods)}
    if c.headers:
        out["allowHeaders"] = list(c.headers)
    if c.expose_headers:
        out["exposeHeaders"] = list(c.expose_headers)
    out["allowCredentials"] = c.credentials
    if c.max_age_ms is not None:
        out["maxAge"] = c.max_age_ms // 1000
    return out
