"""The njs half of the NGINX backend: auth (JWT, API keys, basic, combinations), rate
limit keys from the authenticated identity, JSON body mapping, aggregation and the
Prometheus endpoint.

The JavaScript in njs/ is fixed; everything route-specific reaches it as data, in
njs/gwc_config.json (preloaded by nginx as the global `gwc_config`, keyed by route id).
A location names its route for the module with `set $gwc_route <id>`. No secret value
is ever written: env secrets are read through process.env (hence `env NAME;`), file
secrets are read by the module at request time; only public keys are embedded.

Relative paths here (js_path, js_preload_object) are resolved by nginx against the
directory of nginx.conf, not the -p prefix: ctx.generated_path() gives them.
"""
from __future__ import annotations

import base64
import json
from importlib import resources
from typing import Any
from urllib.parse import unquote

from gatewayc.capabilities import Support
from gatewayc.capabilities.support import emulated, unsupported
from gatewayc.ir import model as ir

from . import answers, credentials, forwarding, observability, upstreams
from .context import INTERNAL, Context, d, header_var, literal

CONFIG_FILE = "njs/gwc_config.json"
MODULES = ("gwc_util.js", "gwc_jwt.js", "gwc_auth.js", "gwc_body.js", "gwc_aggregate.js", "gwc_metrics.js",
           "gwc_respond.js", "gwc_creds.js")
ROUTE_VAR = "$gwc_route"
# The verified identity a consumer/claim limit counts by: set after auth passed, never before.
IDENTITY_VAR = "$gwc_identity"
BODY_VAR = "$gwc_body_mapped"
STUB_STATUS_URI = f"{INTERNAL}/stub_status"
# njs keeps a subrequest's whole response in this buffer; a bigger part fails.
PART_BUFFER = "1m"
# A route whose body limit is at most this keeps bodies in memory (a buffer that size
# per request at worst); others have nginx write every body to a temp file the module
# reads back, since nginx unlinks the temp files of an in-memory-first buffer at once.
MAX_BODY_BUFFER = 8 * 1024 * 1024

_NJS = "checked by the generated njs module (ngx_http_js_module 0.7+)"
NJS_CAPABILITIES: dict[str, Support] = {
    "auth.jwt.hmac": emulated(f"HS256/384/512 {_NJS}; the secret is read at request time from the "
                              "environment or the file"),
    "auth.jwt.public_key": emulated(f"RS256/384/512 and ES256/384 {_NJS}, with the JWKS file's keys "
                                    "converted to SPKI at build time (kid selects the key)"),
    "auth.jwt.jwks_url": unsupported("njs 0.7 cannot cache keys between requests; fetching the JWKS on "
                                     "every request is not acceptable. Download the JWKS to a file and "
                                     "use `jwks: {file: ...}`"),
    "auth.jwt.forward_claims": emulated("the auth subrequest returns the claims, auth_request_set and "
                                        "proxy_set_header pass them upstream"),
    "auth.api_key": emulated(f"keys {_NJS}, compared through SHA-256 digests"),
    "auth.basic": emulated("an htpasswd file uses nginx's auth_basic; env credentials (and a file under "
                           "any_of, {PLAIN}/{SHA}/{SSHA} entries only) are " + _NJS),
    "auth.mtls": emulated("$ssl_client_verify and $ssl_client_s_dn (RFC 2253 form) " + _NJS
                          + "; the listener must request client certificates"),
    "auth.any_of": emulated(_NJS),
    "auth.all_of": emulated(_NJS),
    "rate_limit.key.consumer": emulated(
        "counted after auth: the auth subrequest returns the verified identity (JWT `sub`, API key digest, "
        "basic user, client DN) and a named location reached by try_files applies the limit"),
    "rate_limit.key.claim": emulated(
        "counted after auth, by the claim of the verified token (see rate_limit.key.consumer)"),
    "transform.request.body": emulated(
        "njs maps the buffered JSON body (proxy_set_body); timestamp casts ISO-8601 text to Unix seconds"),
    "transform.request.body.rename": emulated("njs maps the buffered JSON body (proxy_set_body)"),
    "aggregation": emulated("parallel njs subrequests to internal proxy locations; a part's timeout applies "
                            "to connect, send and read separately; a part's response is limited to "
                            f"{PART_BUFFER}"),
    "observability.metrics": emulated("Prometheus text built from stub_status: connection and request "
                                      "counters for the whole nginx instance, nothing per route or status"),
}


def handles(feature_id: str) -> bool:
    return NJS_CAPABILITIES.get(feature_id, unsupported("")).level != "unsupported"


# --- what each route needs --------------------------------------------------------
def native_basic(m: ir.AuthMethod) -> ir.BasicAuth | None:
    """The htpasswd basic auth nginx checks itself: alone, or as one member of all_of."""
    if isinstance(m, ir.BasicAuth) and m.credentials.kind == "file":
        return m
    if isinstance(m, ir.AllOf):
        found = [x for x in m.methods if isinstance(x, ir.BasicAuth) and x.credentials.kind == "file"]
        return found[0] if len(found) == 1 else None
    return None


def _auth(route: ir.Route) -> ir.Auth | None:
    return route.policies.auth


def _needs_subrequest(route: ir.Route) -> bool:
    a = _auth(route)
    return a is not None and not (isinstance(a.method, ir.BasicAuth) and a.method.credentials.kind == "file")


def _identity_keys(route: ir.Route) -> list[ir.LimitKey]:
    p = route.policies
    keys = [p.rate_limit.key if p.rate_limit else None, p.concurrency_limit.key if p.concurrency_limit else None]
    return [k for k in keys if k is not None and k.kind in ("consumer", "claim")]


def _limit_key(route: ir.Route) -> ir.LimitKey | None:
    """The identity a route's limits count by. There is one identity per request, so when
    the rate and concurrency limits name different identities the rate limit's wins
    (http_directives notes it)."""
    keys = _identity_keys(route)
    return keys[0] if keys else None


def _body_map(route: ir.Route, ctx: Context) -> ir.BodyMap | None:
    bm = route.policies.transforms.request_body
    dropped = ctx.dropping("transform.request.body") or ctx.dropping("transform.request.body.rename")
    if bm is None or dropped or not isinstance(route.action, ir.Forward):
        return None
    return bm


def _aggregate(route: ir.Route, ctx: Context) -> ir.Aggregate | None:
    a = route.action
    return a if isinstance(a, ir.Aggregate) and not ctx.dropping("aggregation") else None


def _guarded_respond(route: ir.Route) -> ir.Respond | None:
    """A fixed response behind auth: nginx's `return` would answer before auth runs."""
    a = route.action
    return a if isinstance(a, ir.Respond) and _auth(route) is not None else None


def _cached_auth(route: ir.Route, ctx: Context) -> bool:
    """A cache behind auth: its key must tell clients apart (see cache_key_parts)."""
    return _auth(route) is not None and route.policies.cache is not None and not ctx.dropping("cache")


def _hides(route: ir.Route) -> dict | None:
    """The query parameters and cookies the route must not forward (gwc_creds.js)."""
    if route.policies.auth is None:
        return None  # only an auth method's credentials are hidden
    query, cookies = credentials.hidden_query(route), credentials.hidden_cookies(route)
    return {"query": query, "cookies": cookies} if query or cookies else None


def _route_uses_njs(route: ir.Route, ctx: Context) -> bool:
    key = ("uses_njs", id(route))
    uses = ctx.memo.get(key)
    if uses is None:
        uses = ctx.memo[key] = (_needs_subrequest(route) or _body_map(route, ctx) is not None
                                or _aggregate(route, ctx) is not None or _guarded_respond(route) is not None
                                or _cached_auth(route, ctx) or _hides(route) is not None)
    return uses


def _metrics_path(gw: ir.Gateway, ctx: Context) -> str | None:
    if ctx.dropping("observability.metrics"):
        return None
    return gw.observability.metrics_path


def needed(gateways: tuple[ir.Gateway, ...], ctx: Context) -> bool:
    """Whether this build needs ngx_http_js_module at all."""
    return bool(observability.redacted(gateways, ctx)) or any(
        _metrics_path(gw, ctx) or any(_route_uses_njs(r, ctx) for r in gw.routes) for gw in gateways)


# --- names --------------------------------------------------------------------------
def _auth_uri(rid: str) -> str:
    return f"{INTERNAL}/auth/{rid}"


def _part_uri(rid: str, i: int) -> str:
    return f"{INTERNAL}/agg/{rid}/{i}"


def _claim_headers(route: ir.Route) -> list[str]:
    """Upstream header names that carry claims, in first-seen order; index i travels from
    the auth subrequest as X-Gwc-Claim-<i>."""
    out: list[str] = []

    def walk(m: ir.AuthMethod) -> None:
        if isinstance(m, ir.JwtAuth):
            for _, header in m.forward_claims:
                if header.lower() not in (h.lower() for h in out):
                    out.append(header)
        elif isinstance(m, (ir.AnyOf, ir.AllOf)):
            for x in m.methods:
                walk(x)

    a = _auth(route)
    if a is not None and _needs_subrequest(route):
        walk(a.method)
    return out


def claim_headers(gateway: ir.Gateway, route: ir.Route, ctx: Context) -> list[tuple[str, str]]:
    """(upstream header, nginx variable) for every forwarded claim of the route."""
    rid = ctx.route_id(gateway, route)
    return [(h, ctx.var(rid, "claim", str(i))) for i, h in enumerate(_claim_headers(route))]


def proxy_claim_headers(gateway: ir.Gateway, route: ir.Route, ctx: Context) -> list[tuple[str, str]]:
    """The claims a proxied route forwards, for its proxy_set_header set: they are only
    filled in (auth_request_set) when the route checks auth in a subrequest."""
    if _auth(route) is None or not _needs_subrequest(route) or not isinstance(route.action, ir.Forward):
        return []
    return claim_headers(gateway, route, ctx)


def identity_variable() -> str:
    """The variable consumer/claim limits count by (ratelimit.py applies them after auth)."""
    return IDENTITY_VAR


# --- build-time key conversion ---------------------------------------------------
def _b64u(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _spki(jwk: dict) -> str | None:
    """A JWK public key as base64 SubjectPublicKeyInfo DER (njs 0.7 imports spki, not jwk).
    Only the public numbers are read: a private `d` in the file never leaves it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    kty = jwk.get("kty")
    if kty == "RSA":
        key: Any = rsa.RSAPublicNumbers(int.from_bytes(_b64u(jwk["e"]), "big"),
                                        int.from_bytes(_b64u(jwk["n"]), "big")).public_key()
    elif kty == "EC" and jwk.get("crv") in ("P-256", "P-384"):
        curve = ec.SECP256R1() if jwk["crv"] == "P-256" else ec.SECP384R1()
        key = ec.EllipticCurvePublicNumbers(int.from_bytes(_b64u(jwk["x"]), "big"),
                                            int.from_bytes(_b64u(jwk["y"]), "big"), curve).public_key()
    else:
        return None
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def _keys(jwt: ir.JwtAuth, route: ir.Route, ctx: Context) -> list[dict]:
    out = []
    for jwk in (jwt.jwks.keys if jwt.jwks and jwt.jwks.keys else ()):
        if jwk.get("use", "sig") != "sig":
            continue
        try:
            spki = _spki(jwk)
        except (KeyError, ValueError, TypeError):
            spki = None
        if spki is None:
            ctx.note("GWC311", f"route {route.name!r}: a key in {jwt.jwks.source!r} (kid {jwk.get('kid')!r}) is "
                     "not an RSA or P-256/P-384 EC public key; nginx ignores it", route.loc)
            continue
        out.append({"kid": jwk.get("kid"), "alg": jwk.get("alg"), "kty": jwk["kty"], "crv": jwk.get("crv"),
                    "spki": spki})
    if not out and jwt.jwks is not None and jwt.jwks.keys is not None:
        ctx.note("GWC310", f"route {route.name!r}: {jwt.jwks.source!r} has no key nginx can use; every "
                 "token will be refused", route.loc)
    return out


def _secret(ref: ir.SecretRef) -> dict:
    return {"kind": ref.kind, "name": ref.name}


def _readable(header: str | None, m: ir.JwtAuth | ir.ApiKeyAuth, ctx: Context) -> None:
    """nginx drops a request header whose name it cannot map to a variable (underscores_in_headers
    off, kept so that `X_User_Id` cannot pose as `X-User-Id`): a credential sent in it is never
    seen, and every request would be refused."""
    if header is not None and header_var(header) is None:
        ctx.note("GWC310", f"nginx drops request headers named like {header!r} (only letters, digits and '-'), "
                 "so the credential is never read and every request is refused", m.loc)


def _auth_node(m: ir.AuthMethod, route: ir.Route, headers: list[str], native: ir.BasicAuth | None,
               ctx: Context) -> dict:
    if isinstance(m, (ir.JwtAuth, ir.ApiKeyAuth)):
        _readable(m.token.header if isinstance(m, ir.JwtAuth) else m.header, m, ctx)
    if isinstance(m, ir.JwtAuth):
        if m.jwks is not None and m.jwks.url is not None:
            ctx.note("GWC310", f"route {route.name!r}: nginx cannot fetch {m.jwks.url!r}; every token will be "
                     "refused", route.loc)
        idx = {h.lower(): i for i, h in enumerate(headers)}
        t = m.token
        return {"type": "jwt", "algorithms": list(m.algorithms),
                "secret": _secret(m.secret) if m.secret else None,
                "keys": _keys(m, route, ctx), "issuer": m.issuer, "audiences": list(m.audiences),
                "required_claims": list(m.required_claims), "clock_skew_s": m.clock_skew_ms / 1000,
                "require_exp": m.require_exp,
                "forward": [[claim, f"X-Gwc-Claim-{idx[h.lower()]}"] for claim, h in m.forward_claims],
                "token": {"header": t.header, "scheme": t.scheme, "query": t.query, "cookie": t.cookie}}
    if isinstance(m, ir.ApiKeyAuth):
        return {"type": "api_key", "header": m.header, "query": m.query, "keys": _secret(m.keys)}
    if isinstance(m, ir.BasicAuth):
        if m is native:
            return {"type": "basic_native"}
        return {"type": "basic", "credentials": _secret(m.credentials)}
    if isinstance(m, ir.MtlsAuth):
        return {"type": "mtls", "subjects": list(m.subjects)}
    kind = "any_of" if isinstance(m, ir.AnyOf) else "all_of"
    return {"type": kind, "methods": [_auth_node(x, route, headers, native, ctx) for x in m.methods]}


def _route_config(gw: ir.Gateway, route: ir.Route, ctx: Context) -> dict:
    rid = ctx.route_id(gw, route)
    conf: dict = {}
    a = _auth(route)
    if a is not None and (_needs_subrequest(route) or _cached_auth(route, ctx)):
        conf["auth"] = _auth_node(a.method, route, _claim_headers(route), native_basic(a.method), ctx)
    key = _limit_key(route)
    if key is not None and _needs_subrequest(route):
        conf["limit"] = {"kind": key.kind, "name": key.name}
    bm = _body_map(route, ctx)
    if bm is not None:
        conf["body"] = {"rename": [list(x) for x in bm.rename], "set": [list(x) for x in bm.set],
                        "cast": [list(x) for x in bm.cast]}
    ag = _aggregate(route, ctx)
    if ag is not None:
        conf["aggregate"] = {"on_failure": ag.on_failure,
                             "parts": [{"key": p.key, "method": p.method, "uri": _part_uri(rid, i)}
                                       for i, p in enumerate(ag.parts)]}
    hide = _hides(route)
    if hide is not None:
        conf["hide"] = hide
    rs = _guarded_respond(route)
    if rs is not None:
        conf["respond"] = {"status": rs.status, "body": None if rs.body is None else
                           json.dumps(rs.body, sort_keys=True, separators=(",", ":"))}
    return conf


# --- the exported directive lists ----------------------------------------------------
def _env_names(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[str]:
    names: set[str] = set()

    def walk(m: ir.AuthMethod, native: ir.BasicAuth | None) -> None:
        refs = []
        if isinstance(m, ir.JwtAuth) and m.secret:
            refs.append(m.secret)
        elif isinstance(m, ir.ApiKeyAuth):
            refs.append(m.keys)
        elif isinstance(m, ir.BasicAuth) and m is not native:
            refs.append(m.credentials)
        elif isinstance(m, (ir.AnyOf, ir.AllOf)):
            for x in m.methods:
                walk(x, native)
        names.update(r.name for r in refs if r.kind == "env")

    for gw in gateways:
        for r in gw.routes:
            a = _auth(r)
            if a is not None and _needs_subrequest(r):
                walk(a.method, native_basic(a.method))
    return sorted(names)


def main_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    """`env NAME;` for every environment secret the module reads (nginx clears the rest)."""
    names = _env_names(gateways, ctx)
    ctx.env.update(names)
    return [d("env", n) for n in names]


def http_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    if not needed(gateways, ctx):
        return []
    out = [d("js_path", ctx.generated_path("njs/")),
           d("js_import", "gwc_auth", "from", "gwc_auth.js"),
           d("js_import", "gwc_body", "from", "gwc_body.js"),
           d("js_import", "gwc_aggregate", "from", "gwc_aggregate.js"),
           d("js_import", "gwc_metrics", "from", "gwc_metrics.js"),
           d("js_import", "gwc_respond", "from", "gwc_respond.js"),
           d("js_preload_object", "gwc_config", "from", ctx.generated_path(CONFIG_FILE))]
    routes = [r for gw in gateways for r in gw.routes]
    creds = [(forwarding.ARGS_WITHOUT_CREDENTIALS, "args", any(credentials.hidden_query(r) for r in routes)),
             (forwarding.COOKIE_WITHOUT_CREDENTIALS, "cookie", any(credentials.hidden_cookies(r) for r in routes)),
             (observability.LOGGED_URI, "loggedUri", bool(observability.redacted(gateways, ctx)))]
    if any(used for _, _, used in creds):
        out.insert(-1, d("js_import", "gwc_creds", "from", "gwc_creds.js"))
        out += [d("js_set", var, f"gwc_creds.{fn}") for var, fn, used in creds if used]
    if any(_body_map(r, ctx) for gw in gateways for r in gw.routes):
        out.append(d("js_set", BODY_VAR, "gwc_body.mapped"))
    for gw in gateways:
        for r in gw.routes:
            if len(set(_identity_keys(r))) > 1:
                ctx.note("GWC310", f"route {r.name!r}: nginx keys the rate and the concurrency limit by the same "
                         "identity; the concurrency limit uses the rate limit's key", r.loc)
    creds = sorted({_credential_var(gw, r, ctx) for gw in gateways for r in gw.routes if _cached_auth(r, ctx)})
    out += [d("js_set", v, "gwc_auth.credentialKey") for v in creds]
    return out


def _credential_var(gateway: ir.Gateway, route: ir.Route, ctx: Context) -> str:
    return ctx.var("cred", ctx.route_id(gateway, route))


def cache_key_parts(gateway: ir.Gateway, route: ir.Route, ctx: Context) -> list[str]:
    """What a route's cache key needs besides the request: on a route with auth, a digest
    of the client's credentials, or every authenticated client would be served whatever
    response the first one got (its own profile, its own orders, ...)."""
    return [_credential_var(gateway, route, ctx)] if _cached_auth(route, ctx) else []



def _part_location(gw: ir.Gateway, route: ir.Route, i: int, part: ir.AggregatePart, ctx: Context) -> dict:
    rid = ctx.route_id(gw, route)
    svc = part.service
    t = svc.targets[0]
    ms = f"{part.timeout_ms}ms"
    block = [d("internal"), *answers.subrequest_directives(ctx),
             d("proxy_pass", f"{ctx.proxy_pass_for(svc)}{literal(t.base_path + part.path)}"),
             d("proxy_http_version", "1.1"),
             d("proxy_pass_request_body", "off"),
             d("proxy_connect_timeout", ms), d("proxy_send_timeout", ms), d("proxy_read_timeout", ms),
             d("subrequest_output_buffer_size", PART_BUFFER),
             # the service's retries, not nginx's default (every target on error/timeout)
             *upstreams.next_upstream(svc, ctx)]
    block += upstreams.verified_tls(t)
    name = f"[{t.host}]" if ":" in t.host else t.host
    host = name if t.port == (443 if t.scheme == "https" else 80) else f"{name}:{t.port}"
    # Accept-Encoding: the module parses the part's JSON, so it must not come compressed.
    # Later entries win: the route's forwarded claims replace the withheld client values.
    headers = {h.lower(): (h, v) for h, v in
               [("Accept-Encoding", ""), ("Connection", ""), ("Content-Length", ""), ("Host", host),
                *forwarding.client_headers(gw), *forwarding.withheld(gw, route), *claim_headers(gw, route, ctx)]}
    block += [d("proxy_set_header", h, v) for h, v in headers.values()]
    return d("location", "=", _part_uri(rid, i), block=block)


def server_directives(gateway: ir.Gateway, ctx: Context) -> list[dict]:
    out: list[dict] = []
    for route in gateway.routes:
        rid = ctx.route_id(gateway, route)
        if _auth(route) is not None:
            if _needs_subrequest(route):
                out.append(d("location", "=", _auth_uri(rid), block=[
                    d("internal"), *answers.subrequest_directives(ctx),
                    d("set", ROUTE_VAR, rid),
                    d("js_content", "gwc_auth.check"),
                ]))
        ag = _aggregate(route, ctx)
        if ag is not None:
            out += [_part_location(gateway, route, i, p, ctx) for i, p in enumerate(ag.parts)]
    path = _metrics_path(gateway, ctx)
    if path:
        # nginx matches the decoded URI; the spec's path may be percent-encoded
        out += [d("location", "=", unquote(path), block=[d("js_content", "gwc_metrics.render")]),
                d("location", "=", STUB_STATUS_URI, block=[d("internal"), *answers.subrequest_directives(ctx),
                                                           d("stub_status")])]
    return out


def proxy_body_directives(route: ir.Route, ctx: Context) -> list[dict]:
    """The mapped JSON body instead of the client's, where a route proxies (also its mirror)."""
    return [d("proxy_set_body", BODY_VAR)] if _body_map(route, ctx) is not None else []


# base64 of credentials holding a NUL byte: in some 4-character group, the first, second or
# third byte it encodes is zero (checked against every position and padding in the tests)
_B64 = "[A-Za-z0-9+/]"
NUL_CREDENTIALS = (f"~^[Bb][Aa][Ss][Ii][Cc] +(?:{_B64}{{4}})*"
                   f"(?:A[A-P]|{_B64}[AQgw][A-D]|{_B64}{{2}}[AEIMQUYcgkosw048]A)")


def _users_file(path: str, ctx: Context) -> str:
    """auth_basic_user_file's argument: the htpasswd file, or an empty one for credentials
    with a NUL byte. auth_basic compares the password as a C string, so `pw\0anything` would
    pass as `pw`; with no users, auth_basic refuses it with its own 401 and challenge."""
    var = ctx.var("users", path)
    ctx.http_maps[var] = d("map", "$http_authorization", var,
                           block=[d("default", literal(path)), d(NUL_CREDENTIALS, "/dev/null")])
    return var


def location_directives(gateway: ir.Gateway, route: ir.Route, ctx: Context) -> list[dict]:
    out: list[dict] = []
    if _route_uses_njs(route, ctx):
        out.append(d("set", ROUTE_VAR, ctx.route_id(gateway, route)))
    a = _auth(route)
    if a is not None:
        native = native_basic(a.method)
        if native is not None:
            out += [d("auth_basic", answers.auth_basic_realm(native.realm)),
                    d("auth_basic_user_file", _users_file(native.credentials.name, ctx))]
        if _needs_subrequest(route):
            out.append(d("auth_request", _auth_uri(ctx.route_id(gateway, route))))
            # forwarded upstream by the route's proxy_set_header set (proxy_claim_headers)
            for i, (_, var) in enumerate(claim_headers(gateway, route, ctx)):
                out.append(d("auth_request_set", var, f"$sent_http_x_gwc_claim_{i}"))
            if _limit_key(route) is not None:
                out.append(d("auth_request_set", IDENTITY_VAR, "$sent_http_x_gwc_identity"))
        elif _limit_key(route) is not None:
            # auth_basic alone: the user it verified (the limits run after it, see ratelimit.py)
            out.append(d("set", IDENTITY_VAR, "u:$remote_user"))
    bm = _body_map(route, ctx)
    if bm is not None:
        limit = route.policies.body_limit
        if limit is not None and limit <= MAX_BODY_BUFFER and not ctx.dropping("body_limit"):
            out += [d("client_body_buffer_size", max(1, limit)), d("client_body_in_single_buffer", "on")]
        else:
            out.append(d("client_body_in_file_only", "clean"))
        out += proxy_body_directives(route, ctx)
    if _aggregate(route, ctx) is not None:
        out.append(d("js_content", "gwc_aggregate.handle"))
    if _guarded_respond(route) is not None:
        # `break` ends the rewrite phase here, so the backend's own `return` for this
        # route never runs and the answer waits for auth (see gwc_respond.js)
        out += [d("break"), d("js_content", "gwc_respond.handle")]
    return out


def files(gateways: tuple[ir.Gateway, ...], ctx: Context) -> dict[str, bytes]:
    if not needed(gateways, ctx):
        return {}
    routes = {}
    for gw in gateways:
        for r in gw.routes:
            if _route_uses_njs(r, ctx):
                routes[ctx.route_id(gw, r)] = _route_config(gw, r, ctx)
    out = {f"njs/{name}": resources.files(__package__).joinpath("njs", name).read_bytes() for name in MODULES}
    conf = {"routes": routes, "log_redact": observability.redacted(gateways, ctx)}
    out[CONFIG_FILE] = (json.dumps(conf, sort_keys=True, indent=1, ensure_ascii=True) + "\n").encode()
    return out
