"""Authentication. JWT: Envoy's jwt_authn filter, one provider per route that checks a JWT.
Basic: Envoy's basic_auth filter, off in the chain, on per route with that route's users.
API keys: a lua script per route (apikey.py).

Keys: a JWKS file is read by Envoy from the path the spec gives (`local_jwks.filename`). An
HS secret must reach Envoy as a JWKS too (jwt_authn reads HMAC keys only as `oct` JWKS
entries), and no configuration field can turn a raw secret into one. So a secret given as
`{env: NAME}` is read from the variable `NAME_JWKS`, which the deployment fills with the
secret's JWKS form, `{"keys": [{"kty": "oct", "k": "<base64url of the secret>"}]}`
(docs/targets/envoy.md has the one-liner); the build lists `NAME_JWKS` among the variables
Envoy needs. A secret given as `{file: path}` is refused: the file holds the raw secret."""
from __future__ import annotations

import re

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from . import apikey
from .answers import Special
from .context import Ctx, name, typed

JWT = "envoy.filters.http.jwt_authn"
BASIC = "envoy.filters.http.basic_auth"
CLAIMS = "envoy.filters.http.header_mutation"
DENIED = "response.code_details.startsWith('jwt_authn_access_denied')"


def jwks_env(secret: ir.SecretRef) -> str:
    return secret.name + "_JWKS"


class Auth:
    """The JWT providers of one gateway and what goes with them."""

    def __init__(self, gw: ir.Gateway, ctx: Ctx) -> None:
        self.gw, self.ctx = gw, ctx
        self.providers: dict[str, dict] = {}
        self.specials: list[Special] = []
        self.claim_headers: list[str] = []
        self.done: set[str] = set()
        self.basic = False  # some route checks basic credentials
        self.unchallenged = False  # some route's auth failure is not a 401
        self.lua = False  # some route checks API keys

    def method(self, route: ir.Route) -> ir.JwtAuth | ir.BasicAuth | ir.ApiKeyAuth | None:
        a = route.policies.auth
        if a is None:
            return None
        m = a.method
        if isinstance(m, ir.BasicAuth):
            return None if self.ctx.dropping("auth.basic") else m
        if isinstance(m, ir.ApiKeyAuth):
            return None if self.ctx.dropping("auth.api_key") else m
        if not isinstance(m, ir.JwtAuth):
            return None  # refused by the capability check (never dropped: auth)
        if self.ctx.dropping("auth.jwt.hmac" if m.family == "hmac" else "auth.jwt.public_key"):
            return None
        return m

    def per_route(self, route: ir.Route) -> dict:
        m = self.method(route)
        if m is None:
            return {}
        out = {}
        a = route.policies.auth
        assert a is not None
        if a.failure.status != 401:
            # jwt_authn and basic_auth add a challenge of their own, which no answer rewrite can
            # take out: this route removes WWW-Authenticate from its responses (after them)
            self.unchallenged = True
            out[CLAIMS] = typed("envoy.extensions.filters.http.header_mutation.v3.HeaderMutationPerRoute",
                                mutations={"response_mutations": [{"remove": "www-authenticate"}]})
        if isinstance(m, ir.BasicAuth):
            return {**out, **self.basic_route(route, m)}
        if isinstance(m, ir.ApiKeyAuth):
            self.lua = True
            self.challenge_once(route)
            if m.keys.kind == "env":
                self.ctx.env.add(m.keys.name)
            return {**out, **apikey.per_route(m)}
        pname = name(self.gw.name, route.name)
        if pname not in self.done:
            self.done.add(pname)
            self.providers[pname] = self.provider(route, m)
            self.specials += self.answers(route, m)
        return {**out, JWT: typed("envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig",
                                  requirement_name=pname)}

    def provider(self, route: ir.Route, m: ir.JwtAuth) -> dict:
        ctx = self.ctx
        out: dict = {}
        if m.issuer:
            out["issuer"] = m.issuer
        if m.audiences:
            out["audiences"] = list(m.audiences)
        if m.require_exp:
            out["require_expiration"] = True  # M3: no `exp`, no entry
        # whole seconds; Envoy reads 0 as its default of 60 s, so no skew is 1 s
        out["clock_skew_seconds"] = max(1, -(-m.clock_skew_ms // 1000))
        if m.family == "hmac":
            if m.secret is None or m.secret.kind != "env":
                ctx.error(f"route {route.name!r}: Envoy reads an HMAC key only as a JWKS; give the secret as "
                          f"{{env: NAME}} (Envoy then reads its JWKS form from NAME_JWKS)", m.loc)
                out["local_jwks"] = {"inline_string": '{"keys": []}'}
            else:
                ctx.env.add(jwks_env(m.secret))
                out["local_jwks"] = {"environment_variable": jwks_env(m.secret)}
        else:
            if m.jwks is None or m.jwks.keys is None:
                ctx.error(f"route {route.name!r}: Envoy reads JWKS from a file here, not from a URL", m.loc)
                out["local_jwks"] = {"inline_string": '{"keys": []}'}
            else:
                out["local_jwks"] = {"filename": m.jwks.source}
        t = m.token
        if t.header:
            h: dict = {"name": t.header}
            if t.scheme:
                h["value_prefix"] = t.scheme + " "
            out["from_headers"] = [h]
        if t.query:
            out["from_params"] = [t.query]
        if t.cookie:
            out["from_cookies"] = [t.cookie]
        # M5: the token goes on as received unless hide_credentials
        out["forward"] = not m.hide_credentials
        if t.cookie and m.hide_credentials:
            ctx.error(f"route {route.name!r}: Envoy's jwt_authn removes a token from a header or the query, not "
                      f"from a cookie: hide_credentials cannot be honoured", m.loc,
                      hint="take the token from a header or a query parameter, or set hide_credentials: false")
        if m.required_claims:
            ctx.error(f"route {route.name!r}: Envoy's jwt_authn cannot require claims "
                      f"({', '.join(m.required_claims)}) to be present", m.loc)
        if m.forward_claims and not ctx.dropping("auth.jwt.forward_claims"):
            out["claim_to_headers"] = [{"header_name": h, "claim_name": c} for c, h in m.forward_claims]
            self.claim_headers += [h for _, h in m.forward_claims if h.lower() not in
                                   {x.lower() for x in self.claim_headers}]
        return out

    def hidden_headers(self, route: ir.Route) -> tuple[str, ...]:
        """Headers the route removes before the request goes on: basic credentials under
        hide_credentials (jwt_authn removes a token itself)."""
        m = self.method(route)
        return ("Authorization",) if isinstance(m, ir.BasicAuth) and m.hide_credentials else ()

    def challenge_once(self, route: ir.Route) -> bool:
        """The answer mapper of a route whose filter refuses with a bare 401 (basic, API key);
        True the first time for this route."""
        if route.name in self.done:
            return False
        self.done.add(route.name)
        a = route.policies.auth
        assert a is not None
        self.specials.append(Special([route], "response.code == 401", a.failure.status, a.failure.body,
                                     [("WWW-Authenticate", c.value(False)) for c in answers.challenges(a)]))
        return True

    def basic_route(self, route: ir.Route, m: ir.BasicAuth) -> dict:
        """Envoy's basic_auth filter reads an htpasswd file whose entries are {SHA} hashes; the
        spec's plain `user:password` pairs in a variable cannot be given to it."""
        self.basic = True
        if self.challenge_once(route):
            if m.credentials.kind != "file":
                self.ctx.error(f"route {route.name!r}: Envoy's basic_auth reads users only from an htpasswd file "
                               f"with {{SHA}} entries, not `user:password` pairs from a variable", m.loc,
                               hint="give `credentials: {file: path}` (htpasswd -s)")
        users = ({"filename": m.credentials.name} if m.credentials.kind == "file"
                 else {"inline_string": "gatewayc-nobody:{SHA}AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"})
        return {BASIC: typed("envoy.config.route.v3.FilterConfig", config=typed(
            "envoy.extensions.filters.http.basic_auth.v3.BasicAuthPerRoute", users=users))}

    def answers(self, route: ir.Route, m: ir.JwtAuth) -> list[Special]:
        a = route.policies.auth
        assert a is not None
        chs = answers.challenges(a)
        denied = f"(response.code == 401 || response.code == 403) && {DENIED}"
        out = []
        if chs:
            out.append(Special([route], f"{denied} && {presented(m.token)}", a.failure.status, a.failure.body,
                               [("WWW-Authenticate", c.value(True)) for c in chs]))
        out.append(Special([route], denied, a.failure.status, a.failure.body,
                           [("WWW-Authenticate", c.value(False)) for c in chs]))
        return out

    def claim_filters(self) -> list[dict]:
        """header_mutation, before authentication: M5, a client can never send what a route fills
        from claims (jwt_authn sets them later); and the challenge removal of some routes."""
        if not (self.claim_headers or self.unchallenged):
            return []
        return [{"name": CLAIMS, "typed_config": typed(
            "envoy.extensions.filters.http.header_mutation.v3.HeaderMutation",
            mutations={"request_mutations": [{"remove": h} for h in self.claim_headers]})}]

    def jwt_filters(self, lua: bool = False) -> list[dict]:
        """basic_auth, jwt_authn, and the lua filter when API keys or `lua` (redirects) need it."""
        out = [apikey.chain_filter()] if self.lua or lua else []
        if self.basic:
            # off unless a route turns it on with its users file; Envoy wants some users here
            # even so: one whose SHA-1 is all zero bytes, which no password has
            out.append({"name": BASIC, "disabled": True, "typed_config": typed(
                "envoy.extensions.filters.http.basic_auth.v3.BasicAuth",
                users={"inline_string": "gatewayc-nobody:{SHA}AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"})})
        if self.providers:
            out.append({"name": JWT, "typed_config": typed(
                "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
                providers={k: self.providers[k] for k in sorted(self.providers)},
                requirement_map={k: {"provider_name": k} for k in sorted(self.providers)})})
        return out


def cel_string(s: str) -> str:
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def presented(t: ir.TokenSource) -> str:
    """CEL: the request carries something where the token is looked for."""
    if t.header:
        h = cel_string(t.header.lower())
        if not t.scheme:
            return f"{h} in request.headers"
        # a header with another scheme (Basic ...) presents no token
        return f"({h} in request.headers && request.headers[{h}].matches({cel_string('(?i)^' + re.escape(t.scheme) + ' ')}))"
    if t.query:
        return f"request.query.matches({cel_string('(^|&)' + re.escape(t.query) + '=')})"
    cookie = cel_string("(^|;\\s*)" + re.escape(t.cookie or "") + "=")
    return f"('cookie' in request.headers && request.headers['cookie'].matches({cookie}))"
