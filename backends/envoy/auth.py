"""Authentication. JWT: Envoy's jwt_authn filter, one provider per route that checks a JWT.
Basic: Envoy's basic_auth filter, off in the chain, on per route with that route's users.
API keys, mTLS, any_of / all_of and routes whose limit counts by identity: a lua step per
route after both filters decides (verdict.py); jwt_authn then checks that route's tokens
without refusing any (`allow_missing_or_failed`) and hands the verified payloads to it.

Keys: a JWKS file is read by Envoy from the path the spec gives (`local_jwks.filename`). An
HS secret must reach Envoy as a JWKS too (jwt_authn reads HMAC keys only as `oct` JWKS
entries), and no configuration field can turn a raw secret into one. So a secret given as
`{env: NAME}` is read from the variable `NAME_JWKS`, which the deployment fills with the
secret's JWKS form, `{"keys": [{"kty": "oct", "k": "<base64url of the secret>"}]}`
(docs/targets/envoy.md has the one-liner); the build lists `NAME_JWKS` among the variables
Envoy needs. A secret given as `{file: path}` is refused: the file holds the raw secret."""
from __future__ import annotations

import itertools
import re

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from . import jwks, verdict
from .answers import Special
from .context import Ctx, name, typed

JWT = "envoy.filters.http.jwt_authn"
BASIC = "envoy.filters.http.basic_auth"
CLAIMS = "envoy.filters.http.header_mutation"
DENIED = "response.code_details.startsWith('jwt_authn_access_denied')"
# RFC 7515 4.1.11: a token whose `crit` names an extension the reader does not understand is
# invalid; jwt_authn ignores `crit`. It hands each verified token's header over (metadata
# under header_key(provider)); an RBAC filter after it refuses one with `crit` on the routes
# jwt_authn decides alone, the verdict step (verdict.py) on the others.
CRIT = "gatewayc.jwt_crit"
CRIT_POLICY = "jwt_crit"
CRIT_DENIED = f"response.code == 403 && response.code_details == 'rbac_access_denied_matched_policy[{CRIT_POLICY}]'"


def header_key(provider: str) -> str:
    return provider + ".header"


def crit_policy(provider: str) -> dict:
    """RBACPerRoute: refuse a request whose token verified by `provider` has a `crit` member:
    a string, number or boolean, null, or a list holding one of those (every `crit` that
    names an extension; an empty list or one of lists or objects names none)."""
    path = [{"key": header_key(provider)}, {"key": "crit"}]
    values = [{"present_match": True}, {"null_match": {}}, {"list_match": {"one_of": {"present_match": True}}}]
    ids = [{"metadata": {"filter": JWT, "path": path, "value": v}} for v in values]
    rules = {"action": "DENY", "policies": {CRIT_POLICY: {"permissions": [{"any": True}],
                                                          "principals": [{"or_ids": {"ids": ids}}]}}}
    return typed("envoy.extensions.filters.http.rbac.v3.RBACPerRoute", rbac={"rules": rules})


def jwks_env(secret: ir.SecretRef) -> str:
    return secret.name + "_JWKS"


class Auth:
    """The JWT providers of one gateway and what goes with them."""

    def __init__(self, gw: ir.Gateway, ctx: Ctx, cluster_defs: dict[str, dict]) -> None:
        self.gw, self.ctx, self.cluster_defs = gw, ctx, cluster_defs
        self.providers: dict[str, dict] = {}
        self.requirements: dict[str, dict] = {}
        self.specials: list[Special] = []
        self.claim_headers: list[str] = []
        self.done: set[str] = set()
        self.basic = False  # some route checks basic credentials
        self.unchallenged = False  # some route's auth failure is not a 401
        self.lua = False  # some route's verdict is a lua step
        self.crit = False  # some route's tokens are jwt_authn's alone to refuse

    def method(self, route: ir.Route) -> ir.AuthMethod | None:
        a = route.policies.auth
        if a is None:
            return None
        m = a.method
        if isinstance(m, ir.BasicAuth):
            return None if self.ctx.dropping("auth.basic") else m
        if isinstance(m, ir.ApiKeyAuth):
            return None if self.ctx.dropping("auth.api_key") else m
        if isinstance(m, ir.JwtAuth) and self.ctx.dropping(
                "auth.jwt.hmac" if m.family == "hmac" else "auth.jwt.public_key"):
            return None
        return m

    def by_lua(self, route: ir.Route, m: ir.AuthMethod) -> bool:
        """Whether the verdict step decides (verdict.py), not jwt_authn or basic_auth alone."""
        if isinstance(m, ir.BasicAuth) and m.credentials.kind == "env":
            return True
        if isinstance(m, ir.JwtAuth) and m.token.cookie and m.hide_credentials:
            return True  # jwt_authn removes a token from a header or the query only: the step takes the cookie out
        return not isinstance(m, (ir.JwtAuth, ir.BasicAuth)) or identity_key(route, self.ctx) is not None

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
        if self.by_lua(route, m):
            return {**out, **self.lua_route(route, m)}
        if isinstance(m, ir.BasicAuth):
            self.challenge_once(route)
            return {**out, **self.basic_route(route, m)}
        assert isinstance(m, ir.JwtAuth)
        pname = name(self.gw.name, route.name)
        if pname not in self.done:
            self.done.add(pname)
            self.providers[pname] = {**self.provider(route, m), "header_in_metadata": header_key(pname)}
            self.requirements[pname] = {"provider_name": pname}
            self.specials += self.answers(route, m)
        self.crit = True
        return {**out, JWT: typed("envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig",
                                  requirement_name=pname), CRIT: crit_policy(pname)}

    def lua_route(self, route: ir.Route, m: ir.AuthMethod) -> dict:
        """The verdict step of a route, with jwt_authn (its tokens checked, none refused) and
        basic_auth (under all_of) before it."""
        self.lua = True
        out: dict = {}
        jwts: list[str] = []
        hide: list[dict] = []
        counter = itertools.count()

        def node(x: ir.AuthMethod, under_any: bool) -> dict:
            if isinstance(x, (ir.AnyOf, ir.AllOf)):
                any_ = isinstance(x, ir.AnyOf)
                return {"t": "any_of" if any_ else "all_of",
                        "methods": [node(y, under_any or any_) for y in x.methods]}
            if isinstance(x, ir.JwtAuth):
                pname = name(self.gw.name, route.name, f"jwt{len(jwts)}")
                jwts.append(pname)
                if pname not in self.providers:
                    self.providers[pname] = {**self.provider(route, x), "payload_in_metadata": pname,
                                             "header_in_metadata": header_key(pname)}
                t = x.token
                if x.hide_credentials:
                    hide.append({"header": t.header.lower()} if t.header else {"param": t.query} if t.query
                                else {"cookie": t.cookie})
                return {"t": "jwt", "meta": pname, "header": header_key(pname)}
            if isinstance(x, ir.BasicAuth):
                if x.credentials.kind == "env":
                    # plain `user:password` pairs: the step compares them itself
                    self.ctx.env.add(x.credentials.name)
                    return {"t": "basic", "where": x.credentials.name}
                if under_any:
                    self.ctx.error(f"route {route.name!r}: Envoy checks an htpasswd file only with its basic_auth "
                                   f"filter, which refuses on its own: it cannot be one choice of any_of", x.loc,
                                   hint="give the users as `{env: NAME}` (user:password pairs), or use basic "
                                        "under all_of only")
                out.update(self.basic_route(route, x))
                return {"t": "basic"}
            if isinstance(x, ir.ApiKeyAuth):
                if x.keys.kind == "env":
                    self.ctx.env.add(x.keys.name)
                if x.hide_credentials:
                    hide.append({"header": x.header.lower()} if x.header else {"param": x.query})
                return {"t": "api_key", "id": f"k{next(counter)}", "kind": x.keys.kind, "where": x.keys.name,
                        "header": x.header.lower() if x.header else None, "param": x.query}
            assert isinstance(x, ir.MtlsAuth)
            return {"t": "mtls", "subjects": {s: True for s in x.subjects} or None}

        tree = node(m, False)
        if jwts:
            # each token checked, none refused here: the verdict step decides
            each = [{"requires_any": {"requirements": [{"provider_name": p}, {"allow_missing_or_failed": {}}]}}
                    for p in jwts]
            rname = name(self.gw.name, route.name)
            self.requirements[rname] = each[0] if len(each) == 1 else {"requires_all": {"requirements": each}}
            out[JWT] = typed("envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig", requirement_name=rname)
        if route.name not in self.done:
            self.done.add(route.name)
            self.specials += self.lua_answers(route)
        return {**out, **verdict.per_route(tree, hide, identity_key(route, self.ctx))}

    def lua_answers(self, route: ir.Route) -> list[Special]:
        """The route's refusal (the verdict step's bare 401, or basic_auth's): one answer per
        combination of the token places where a token was presented (error="invalid_token"
        for the JWT methods that look there)."""
        a = route.policies.auth
        assert a is not None
        chs = answers.challenges(a)
        places = list(dict.fromkeys(c.token for c in chs if c.token is not None))
        out = []
        for seen in itertools.product((True, False), repeat=len(places)):
            conds = [presented(t) if s else f"!{presented(t)}" for t, s in zip(places, seen)]
            hs = [("WWW-Authenticate", c.value(c.token is not None and seen[places.index(c.token)])) for c in chs]
            out.append(Special([route], " && ".join(["response.code == 401", *conds]), a.failure.status,
                               a.failure.body, hs))
        return out

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
            if m.jwks is not None and m.jwks.url is not None:
                out["remote_jwks"] = jwks.remote(m.jwks.url)
                self.cluster_defs.setdefault(jwks.cluster_name(m.jwks.url), jwks.cluster(m.jwks.url))
            elif m.jwks is None or m.jwks.keys is None:
                ctx.error(f"route {route.name!r}: no JWKS for Envoy", m.loc)
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
        hide_credentials (jwt_authn and the verdict step remove the others)."""
        return ("Authorization",) if any(isinstance(x, ir.BasicAuth) and x.hide_credentials
                                         for x in members(self.method(route))) else ()

    def challenge_once(self, route: ir.Route) -> None:
        """The answer mapper of a route whose basic_auth refuses with a bare 401."""
        if route.name in self.done:
            return
        self.done.add(route.name)
        a = route.policies.auth
        assert a is not None
        self.specials.append(Special([route], "response.code == 401", a.failure.status, a.failure.body,
                                     [("WWW-Authenticate", c.value(False)) for c in answers.challenges(a)]))

    def basic_route(self, route: ir.Route, m: ir.BasicAuth) -> dict:
        """Envoy's basic_auth filter on the route, with its htpasswd file ({SHA} entries, the
        only hash Envoy reads); users from a variable are the verdict step's."""
        self.basic = True
        users = {"filename": m.credentials.name}
        return {BASIC: typed("envoy.config.route.v3.FilterConfig", config=typed(
            "envoy.extensions.filters.http.basic_auth.v3.BasicAuthPerRoute", users=users))}

    def answers(self, route: ir.Route, m: ir.JwtAuth) -> list[Special]:
        a = route.policies.auth
        assert a is not None
        chs = answers.challenges(a)
        denied = f"(((response.code == 401 || response.code == 403) && {DENIED}) || ({CRIT_DENIED}))"
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

    def jwt_filters(self) -> list[dict]:
        """basic_auth, jwt_authn, then the verdict filter when some route has a verdict step."""
        out = []
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
                requirement_map={k: self.requirements[k] for k in sorted(self.requirements)})})
        if self.crit:
            # no rules here: a route without a JWT of jwt_authn's alone lets everyone through
            out.append({"name": CRIT, "typed_config": typed("envoy.extensions.filters.http.rbac.v3.RBAC")})
        if self.lua:
            out.append(verdict.chain_filter())
        return out


def members(m: ir.AuthMethod | None) -> list[ir.AuthMethod]:
    """The methods of an auth tree, combinations walked through."""
    if isinstance(m, (ir.AnyOf, ir.AllOf)):
        return [y for x in m.methods for y in members(x)]
    return [] if m is None else [m]


def identity_key(route: ir.Route, ctx: Ctx) -> ir.LimitKey | None:
    """The key of the route's limit when it counts verified identities (M4)."""
    from .ratelimit import limit_of
    rl = limit_of(route, ctx)
    return rl.key if rl is not None and rl.key.kind in ("consumer", "claim") else None


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
