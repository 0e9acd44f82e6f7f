"""Auth policies -> auth plugins + consumers with credentials + an acl plugin.

`hide_credentials` maps to key-auth's and basic-auth's own field; the jwt plugin has none, so a
hidden token's header or query parameter is removed by the route's request-transformer, which
runs after every auth plugin (priority 801 < 1450) (plugins.hidden_by_transformer).

Kong auth plugins accept any consumer's credential, so each route also gets an `acl` plugin that
allows only the groups of the consumers its own auth method created (one group per consumer,
named like it). any_of: every auth plugin falls back to an anonymous consumer, which has no
group, so the acl plugin refuses a request that no method authenticated.
"""
from __future__ import annotations

from gatewayc.ir import model as ir
from gatewayc.ir.answers import body_for, quoted

from . import ids
from .deck import placeholder
from .context import Ctx
from .plugins import plugin
from .pem import jwk_to_pem


def auth_plugins(route: ir.Route, owner: str, ctx: Ctx) -> list[dict]:
    a = route.policies.auth
    if a is None:
        return []
    m = a.method
    if isinstance(m, ir.AllOf) or isinstance(m, ir.MtlsAuth):
        return []  # unsupported (graded by the build)
    methods = m.methods if isinstance(m, ir.AnyOf) else (m,)
    anonymous = None
    if isinstance(m, ir.AnyOf):
        anonymous = consumer(ctx, ids.ANONYMOUS, group=False)["id"]
    out, groups, kinds = [], [], set()
    for sub in methods:
        made = _method(sub, anonymous, a.loc, ctx)
        if made is None:
            continue
        name, conf, users = made
        if name in kinds:
            ctx.limitation(f"route {route.name!r}: two {name} methods in one any_of; Kong runs one {name} plugin "
                      f"per route", a.loc)
            continue
        kinds.add(name)
        out.append(plugin(ctx, owner, name, conf))
        groups.extend(users)
    default = a.failure == ir.Failure(401, body_for(ctx.answers, 401))
    if ctx.once(f"auth-failure-{default}"):
        ctx.approximation(
            "Kong answers a failed authentication with its own {\"message\": ...} body (not the spec's failure "
            "body or status; under any_of the acl plugin's 403, without challenges) and without Cache-Control: "
            "no-store; its challenges lack the spec's details (Basic has no charset, Bearer's error=\"invalid_token\" "
            "follows the realm without a comma)", a.loc, written=not default)
    if groups:
        out.append(plugin(ctx, owner, "acl", {"allow": sorted(set(groups)), "always_use_authenticated_groups": False,
                                              "hide_groups_header": False}))
    return out


def consumer(ctx: Ctx, username: str, group: bool = True) -> dict:
    c = ctx.consumers.get(username)
    if c is None:
        c = {"username": username, "id": ctx.id("consumer", username)}
        if group:
            c["acls"] = [{"group": username, "id": ctx.id("acl", username)}]
        ctx.consumers[username] = c
    return c


def _cred(c: dict, kind: str, cred: dict, unique: str, ctx: Ctx, loc) -> None:
    """Add a credential once; `unique` is the Kong-unique field (key or username)."""
    creds = c.setdefault(kind, [])
    if any(x.get(unique) == cred.get(unique) for x in creds):
        return
    for other in ctx.consumers.values():
        if other is not c and any(x.get(unique) == cred.get(unique) for x in other.get(kind, [])):
            ctx.limitation(f"two credentials with {unique} {cred[unique]!r}: Kong needs it unique", loc)
            return
    creds.append(cred)
    creds.sort(key=lambda x: x[unique])


def _method(m, anonymous: str | None, loc, ctx: Ctx):
    if isinstance(m, ir.JwtAuth):
        return _jwt(m, anonymous, loc, ctx)
    if isinstance(m, ir.ApiKeyAuth):
        var = ctx.secret_var(m.keys, loc, "api key")
        if var is None:
            return None
        user = f"key-auth{ids.SEP}{var}"
        _cred(consumer(ctx, user), "keyauth_credentials",
              {"id": ctx.id("keyauth", var), "key": placeholder(var)}, "key", ctx, loc)
        conf = {"hide_credentials": m.hide_credentials, "key_in_body": False, "key_in_header": m.header is not None,
                "key_in_query": m.query is not None, "key_names": [m.header or m.query], "realm": quoted(m.realm),
                "run_on_preflight": True}
        if anonymous:
            conf["anonymous"] = anonymous
        return "key-auth", dict(sorted(conf.items())), [user]
    if isinstance(m, ir.BasicAuth):
        user_var = ctx.secret_var(m.credentials, loc, "basic auth credentials", "_USERNAME")
        pass_var = ctx.secret_var(m.credentials, loc, "basic auth credentials", "_PASSWORD")
        if user_var is None or pass_var is None:
            return None
        user = f"basic-auth{ids.SEP}{ids.deck_var(m.credentials.name)}"
        _cred(consumer(ctx, user), "basicauth_credentials",
              {"id": ctx.id("basicauth", user), "password": placeholder(pass_var),
               "username": placeholder(user_var)}, "username", ctx, loc)
        # Kong writes the realm between quotes as it is: escaped here, as the spec's challenge is
        conf = {"hide_credentials": m.hide_credentials, "realm": quoted(m.realm)}
        if anonymous:
            conf["anonymous"] = anonymous
        return "basic-auth", dict(sorted(conf.items())), [user]
    return None  # mtls / nested any_of: unsupported


def _jwt(m: ir.JwtAuth, anonymous: str | None, loc, ctx: Ctx):
    t = m.token
    conf: dict = {"cookie_names": [], "header_names": [], "uri_param_names": []}
    if t.header is not None:
        if (t.scheme or "").lower() != "bearer":
            ctx.limitation(f"jwt in header {t.header!r} without the Bearer scheme: Kong's jwt plugin reads "
                      f"`Bearer <token>` from headers", loc, hint="use `scheme: Bearer`, a query or a cookie")
        conf["header_names"] = [t.header.lower()]
    elif t.query is not None:
        conf["uri_param_names"] = [t.query]
    elif t.cookie is not None:
        conf["cookie_names"] = [t.cookie]
    if not m.require_exp:
        # verify_registered_claims: a listed claim must be a number, an unlisted one is never looked at
        ctx.limitation("jwt `require_exp: false`: Kong's jwt plugin either verifies `exp`, and then refuses a "
                       "token without it, or ignores `exp`, and then accepts an expired token", m.loc,
                       hint="remove `require_exp: false` (tokens then need `exp`), or build for another target")
    if m.hide_credentials and t.cookie is not None:
        ctx.limitation(f"jwt `hide_credentials` with the token in cookie {t.cookie!r}: Kong's jwt plugin has no "
                       "hide_credentials and request-transformer removes whole headers, not one cookie", m.loc,
                       hint="send the token in a header or a query parameter, or set `hide_credentials: false`")
    if m.audiences:
        ctx.limitation("jwt `audiences`: the Kong OSS jwt plugin does not check `aud`", loc)
    extra = [c for c in m.required_claims if c not in ("exp", "nbf", "iss")]
    if extra:
        ctx.limitation(f"jwt required claims {extra}: the Kong OSS jwt plugin checks only exp and nbf", loc)
    if m.clock_skew_ms:
        ctx.approximation("jwt clock skew: Kong's jwt plugin allows none", loc)
    if len(m.algorithms) > 1 and m.family == "hmac":
        ctx.approximation(f"jwt: Kong binds a key to one algorithm; only {m.algorithms[0]} is accepted", loc)
    users: list[str] = []
    key_claim = "iss"
    if m.family == "hmac":
        if m.issuer is None:
            ctx.limitation("jwt without `issuer`: Kong's jwt plugin picks the secret by the token's `iss` claim", loc,
                      hint="set `issuer`")
            return None
        var = ctx.secret_var(m.secret, loc, "jwt secret") if m.secret else None
        if var is None:
            return None
        user = f"jwt{ids.SEP}{var}"
        _cred(consumer(ctx, user), "jwt_secrets",
              {"algorithm": m.algorithms[0], "id": ctx.id("jwt", f"{var}/{m.issuer}"), "key": m.issuer,
               "secret": placeholder(var)}, "key", ctx, loc)
        users.append(user)
    else:
        if m.jwks is None or m.jwks.keys is None:
            return None  # jwks_url: unsupported
        keys = m.jwks.keys
        if len(keys) > 1 or m.issuer is None:
            key_claim = "kid"
            if m.issuer is not None:
                ctx.limitation("jwt with several JWKS keys and an `issuer`: Kong selects the key by `kid` then, and "
                          "cannot also check `iss`", loc)
        user = f"jwks{ids.SEP}{m.jwks.source}"
        c = consumer(ctx, user)
        for k in keys:
            key = m.issuer if key_claim == "iss" else k.get("kid")
            if not key:
                ctx.limitation(f"JWKS {m.jwks.source!r}: a key without `kid`", loc)
                continue
            alg = k.get("alg") if k.get("alg") in m.algorithms else next(
                (a for a in m.algorithms if a.startswith("RS" if k.get("kty") == "RSA" else "ES")), m.algorithms[0])
            try:
                pem = jwk_to_pem(k)
            except ValueError as exc:
                ctx.limitation(f"JWKS {m.jwks.source!r}: {exc}", loc)
                continue
            _cred(c, "jwt_secrets", {"algorithm": alg, "id": ctx.id("jwt", f"{user}/{key}"), "key": key,
                                     "rsa_public_key": pem,
                                     # decK requires a secret; Kong does not use it for RS*/ES*
                                     "secret": ctx.id("jwt-unused-secret", f"{user}/{key}")}, "key", ctx, loc)
        users.append(user)
    claims = ["exp"] + (["nbf"] if "nbf" in m.required_claims else [])
    conf.update({"claims_to_verify": claims, "key_claim_name": key_claim, "maximum_expiration": 0,
                 "realm": quoted(m.realm), "run_on_preflight": True, "secret_is_base64": False})
    if anonymous:
        conf["anonymous"] = anonymous
    return "jwt", dict(sorted(conf.items())), users

