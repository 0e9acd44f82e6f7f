"""JWT auth as the HTTP API's native `jwt` authorizer.

API Gateway finds the issuer's keys through its OpenID discovery document
(`<issuer>/.well-known/openid-configuration` -> `jwks_uri`), verifies RSA signatures only, and
checks `iss`, `aud` (or `client_id`) against one audience list, `exp`, `nbf` and `iat` ([DG]
http-api-jwt-authorizer). What the spec says beyond that is refused. A REST API has no JWT
authorizer gatewayc can write in OpenAPI (a Cognito or Lambda authorizer the spec cannot name):
refused there."""
from __future__ import annotations

from dataclasses import dataclass, field

from gatewayc.ir import model as ir

from .context import Ctx
from .tree import Op

RSA = {"RS256", "RS384", "RS512"}
MAX_AUTHORIZERS = 10


@dataclass
class Authorizers:
    schemes: dict[str, dict] = field(default_factory=dict)  # securityScheme name -> scheme
    security: dict[tuple[str, str], str] = field(default_factory=dict)  # (path, method) -> scheme name


def authorizers(ctx: Ctx, ops: dict[str, dict[str, Op]]) -> Authorizers:
    out = Authorizers()
    names: dict[tuple, str] = {}
    for path, methods in ops.items():
        for method, op in methods.items():
            auth = op.route.policies.auth
            if auth is None or not isinstance(auth.method, ir.JwtAuth):
                continue
            m = auth.method
            if not ctx.only_http("a JWT authorizer (the REST API has none gatewayc can write in OpenAPI: a Cognito "
                                 "or Lambda authorizer the spec cannot name)", m.loc):
                continue
            scheme = _scheme(m, ctx)
            if scheme is None:
                continue
            key = (m.issuer, m.audiences, scheme["x-amazon-apigateway-authorizer"]["identitySource"])
            if key not in names:
                names[key] = f"jwt{len(names) + 1}"
                out.schemes[names[key]] = scheme
            out.security[(path, method)] = names[key]
    if len(out.schemes) > MAX_AUTHORIZERS:
        ctx.error(f"the API would have {len(out.schemes)} JWT authorizers; API Gateway allows {MAX_AUTHORIZERS}",
                  ctx.gateway.loc)
    return out


def _scheme(m: ir.JwtAuth, ctx: Ctx) -> dict | None:
    ok = True
    if not set(m.algorithms) <= RSA:
        ctx.error(f"API Gateway's JWT authorizer verifies RSA signatures only (not {', '.join(sorted(set(m.algorithms) - RSA))})",
                  m.loc, hint="allow only RS256, RS384 or RS512")
        ok = False
    if m.issuer is None:
        ctx.error("API Gateway's JWT authorizer needs `issuer`: it finds the keys through the issuer's OpenID "
                  "discovery document", m.loc)
        ok = False
    if not m.audiences:
        ctx.error("API Gateway's JWT authorizer always checks `aud` (or `client_id`) against a list: the spec "
                  "must name `audiences`", m.loc)
        ok = False
    if m.required_claims:
        ctx.error(f"API Gateway's JWT authorizer cannot require the claims {', '.join(m.required_claims)}", m.loc)
        ok = False
    if m.clock_skew_ms:
        ctx.error("API Gateway's JWT authorizer has no clock skew setting", m.loc, hint="leave `clock_skew` out")
        ok = False
    if not m.require_exp:
        ctx.error("`require_exp: false`: API Gateway's JWT authorizer checks `exp` by its own rules, which do not "
                  "say a token without `exp` passes", m.loc)
        ok = False
    t = m.token
    if t.cookie is not None:
        ctx.error("API Gateway's JWT authorizer cannot read the token from a cookie", m.loc)
        ok = False
    if t.header is not None and t.scheme not in (None, "Bearer"):
        ctx.error(f"API Gateway's JWT authorizer takes the token bare or after `Bearer `, not after {t.scheme!r}",
                  m.loc)
        ok = False
    if m.hide_credentials and t.header is not None and t.header.lower() == "authorization":
        ctx.error("`hide_credentials: true` with the token in Authorization: an HTTP API mapping cannot remove "
                  "that (reserved) header", m.loc, hint="set `hide_credentials: false`")
        ok = False
    if not ok:
        return None
    source = f"$request.header.{t.header}" if t.header is not None else f"$request.querystring.{t.query}"
    if m.jwks is not None and m.jwks.url is not None:
        ctx.warn(f"API Gateway fetches the keys from the issuer's discovery document ({m.issuer.rstrip('/')}"
                 f"/.well-known/openid-configuration), not from {m.jwks.url}: they must be the same keys", m.loc)
    ctx.warn("API Gateway's JWT authorizer checks `exp` to be in the future; whether it refuses a token without "
             "`exp` (`require_exp: true`) is not documented", m.loc)
    return {
        "type": "openIdConnect",
        "openIdConnectUrl": m.issuer.rstrip("/") + "/.well-known/openid-configuration",
        "x-amazon-apigateway-authorizer": {
            "type": "jwt",
            "identitySource": source,
            "jwtConfiguration": {"issuer": m.issuer, "audience": list(m.audiences)},
        },
    }


def hidden(m: ir.JwtAuth) -> tuple[str, str] | None:
    """(kind, name) of the token's carrier to remove before the request goes upstream."""
    if not m.hide_credentials:
        return None
    t = m.token
    return ("header", t.header) if t.header is not None else ("querystring", t.query or "")
