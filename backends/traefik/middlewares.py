"""Route policies -> Traefik middlewares, in the order a request meets them.

Order (first = outermost): the answers middleware (gatewayc's plugin: it gives every answer
Traefik makes after it the spec's JSON shape), response header transforms and CORS (so that
those answers carry their headers too), IP filter, authentication, body limit, request header
transforms; then the per-match path rewrite or redirect (routers.py), the Host rewrite and a
fixed response. Rate limits are not here: their bucket must be shared by every router of a
budget, and Traefik builds router middlewares once per router, so they sit on a service
(see document.py)."""
from __future__ import annotations

import ipaddress
import math
import re

from gatewayc.ir import model as ir

from . import plugin
from .context import Ctx, Raw, env_value
from .durations import go_duration

_ALL_V4, _ALL_V6 = ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")


def claim_headers(gw: ir.Gateway) -> set[str]:
    """Every header some route of the gateway fills from JWT claims (settled meaning M5)."""
    # asked once per route: kept for the gateway last asked about (the IR is immutable)
    if _last_claims[0] is not gw:
        _last_claims[:] = [gw, _claim_headers(gw)]
    return set(_last_claims[1])


_last_claims: list = [None, set()]


def _claim_headers(gw: ir.Gateway) -> set[str]:
    out: set[str] = set()

    def walk(m) -> None:
        if isinstance(m, ir.JwtAuth):
            out.update(h for _, h in m.forward_claims)
        elif isinstance(m, (ir.AnyOf, ir.AllOf)):
            for x in m.methods:
                walk(x)
    for r in gw.routes:
        if r.policies.auth is not None:
            walk(r.policies.auth.method)
    return out


def _own_claim_headers(route: ir.Route) -> set[str]:
    a = route.policies.auth
    if a is not None and isinstance(a.method, ir.JwtAuth):
        return {h for _, h in a.method.forward_claims}
    return set()


def route_middlewares(gw: ir.Gateway, route: ir.Route, ctx: Ctx) -> list[tuple[str, dict]]:
    """(name suffix, middleware) pairs for everything a route does before its action."""
    p, out = route.policies, []
    answers = plugin.route_answers(gw, route)
    if answers:
        out.append(("answers", plugin.middleware(ctx, {"answers": answers})))
    t = p.transforms
    if t.response_headers and not ctx.dropping("transform.response.headers"):
        h = header_map(t.response_headers, "response", f"route {route.name!r}", t.loc, ctx)
        if h:
            out.append(("response-headers", {"headers": {"customResponseHeaders": h}}))
    if p.cors is not None and not ctx.dropping("cors"):
        out.extend(cors_chain(p.cors, ctx))
    if p.ip is not None and not ctx.dropping("ip_filter"):
        out.append(("ip", {"ipAllowList": {"sourceRange": source_range(p.ip), "rejectStatusCode": 403}}))
    if p.auth is not None:
        out.extend(auth(route, p.auth, ctx))
    if p.body_limit is not None and not ctx.dropping("body_limit"):
        # Traefik's buffering middleware takes 0 as no limit: no body at all is gatewayc's plugin's
        out.append(("body-limit", plugin.no_body(ctx) if p.body_limit == 0
                    else {"buffering": {"maxRequestBodyBytes": p.body_limit}}))
    h = {}
    if t.request_headers and not ctx.dropping("transform.request.headers"):
        h = header_map(t.request_headers, "request", f"route {route.name!r}", t.loc, ctx)
    # a client never sends a claim header upstream (the route's own jwt job sets its own)
    for n in sorted(claim_headers(gw) - _own_claim_headers(route)):
        h.setdefault(n, "")
    a = route.action
    if isinstance(a, ir.Forward) and not (a.websocket and not ctx.dropping("upstream.websocket")):
        # no upgrade at all: without Upgrade, Traefik proxies a plain request (M7)
        h["Upgrade"] = ""
    if h:
        out.append(("request-headers", {"headers": {"customRequestHeaders": dict(sorted(h.items(),
                                                                                  key=lambda kv: kv[0].lower()))}}))
    if t.request_query and not ctx.dropping("transform.request.query"):
        ctx.error(f"route {route.name!r}: Traefik has no middleware that changes query parameters", t.loc)
    if isinstance(a, ir.Forward) and a.websocket and not ctx.dropping("upstream.websocket"):
        out.append(("upgrade", plugin.websocket_only(ctx)))
    return out


# --- ip filter ---------------------------------------------------------------------------
def source_range(f: ir.IpFilter) -> list[str]:
    """ipAllowList only admits: deny is taken out of allow (everything when allow is empty)."""
    allow = [ipaddress.ip_network(x, strict=False) for x in f.allow] or [_ALL_V4, _ALL_V6]
    deny = [ipaddress.ip_network(x, strict=False) for x in f.deny]
    nets = allow
    for d in deny:
        nxt = []
        for a in nets:
            if a.version != d.version or not a.overlaps(d):
                nxt.append(a)
            elif d.supernet_of(a):
                continue
            else:
                nxt.extend(a.address_exclude(d))
        nets = nxt
    nets = list(ipaddress.collapse_addresses([n for n in nets if n.version == 4])) + \
        list(ipaddress.collapse_addresses([n for n in nets if n.version == 6]))
    if not nets:
        # everything denied: a range no client address can be in
        return ["0.0.0.0/32"]
    return [str(n) for n in nets]


# --- cors ----------------------------------------------------------------------------------
def _origin_regex(o: str) -> str:
    scheme, rest = o.split("://", 1)
    host_port = rest[2:]  # after "*."
    return "^" + re.escape(scheme) + "://[^/.:]+(\\.[^/.:]+)*\\." + re.escape(host_port) + "$"


def cors_chain(c: ir.Cors, ctx: Ctx) -> list[tuple[str, dict]]:
    """The CORS headers middleware, behind gatewayc's plugin when "any" method or header must
    answer a preflight with what the browser asked for."""
    any_ = plugin.cors_any(c, ctx)
    return ([("cors-any", any_)] if any_ else []) + [("cors", {"headers": cors(c)})]


def cors(c: ir.Cors) -> dict:
    out: dict = {}
    plain = [o for o in c.origins if "://*." not in o]
    wild = [o for o in c.origins if "://*." in o]
    if plain:
        out["accessControlAllowOriginList"] = plain
    if wild:
        out["accessControlAllowOriginListRegex"] = [_origin_regex(o) for o in wild]
    if c.methods:
        out["accessControlAllowMethods"] = list(c.methods)
    if c.headers:
        out["accessControlAllowHeaders"] = list(c.headers)
    if c.expose_headers:
        out["accessControlExposeHeaders"] = list(c.expose_headers)
    if c.credentials:
        out["accessControlAllowCredentials"] = True
    if c.max_age_ms is not None:
        out["accessControlMaxAge"] = math.ceil(c.max_age_ms / 1000)
    out["addVaryHeader"] = True
    return out


# --- auth ------------------------------------------------------------------------------------
def identity_key(route: ir.Route, ctx: Ctx) -> ir.LimitKey | None:
    """The route's rate-limit key when it names the verified identity (M4), else None."""
    rl = route.policies.rate_limit
    if rl is None or rl.key.kind not in ("consumer", "claim") or ctx.dropping(f"rate_limit.{rl.algorithm}") \
            or ctx.dropping(f"rate_limit.key.{rl.key.kind}"):
        return None
    return rl.key


def auth(route: ir.Route, a: ir.Auth, ctx: Ctx) -> list[tuple[str, dict]]:
    m = a.method
    key = identity_key(route, ctx)
    if isinstance(m, ir.BasicAuth):
        conf = basic(m, ctx)
        if key is not None:
            conf["headerField"] = plugin.IDENTITY  # the user name, set (replacing the client's) on success
        return [("auth", {"basicAuth": conf})]
    if isinstance(m, ir.ApiKeyAuth):
        return [("auth", plugin.api_key(m, ctx, key))]
    if isinstance(m, ir.JwtAuth):
        if m.jwks is not None and m.jwks.keys is None:
            return [("auth", _closed())]  # a JWKS URL: refused by the capability check
        return [("auth", plugin.jwt(m, ctx, key))]
    # other methods are refused by the capability check (which reports them): stay closed
    return [("auth", _closed())]


def _closed() -> dict:
    return {"ipAllowList": {"sourceRange": ["0.0.0.0/32"], "rejectStatusCode": 401}}


# An env reference holds "user:password" pairs separated by commas; Traefik wants htpasswd
# lines, so the file provider's template hashes each pair (bcrypt) when it loads the file.
# A malformed pair (no ':') is left out rather than failing the whole file.
_BASIC_ENV = ('[{{{{ range $i, $c := splitList "," (env "{name}") }}}}'
              '{{{{ $p := regexSplit ":" $c 2 }}}}{{{{ if eq (len $p) 2 }}}}'
              '{{{{ htpasswd (index $p 0) (index $p 1) | toJson }}}},{{{{ end }}}}{{{{ end }}}}]')


def basic(m: ir.BasicAuth, ctx: Ctx) -> dict:
    out: dict = {}
    if m.credentials.kind == "file":
        out["usersFile"] = m.credentials.name
    else:
        ctx.env.add(m.credentials.name)
        out["users"] = Raw(_BASIC_ENV.format(name=m.credentials.name))
    out["realm"] = m.realm
    if m.hide_credentials:
        out["removeHeader"] = True
    return out


# --- header transforms ---------------------------------------------------------------------
def header_map(ops: ir.HeaderOps, where: str, what: str, loc, ctx: Ctx) -> dict[str, str]:
    """Traefik's headers middleware sets a header (replacing the client's) or, with an empty
    value, removes it; it cannot append to a header or rename one. `what` names the owner."""
    out: dict[str, str] = {}
    for n in ops.remove:
        out[n] = ""
    for n, v in ops.set:
        if v == "":
            ctx.error(f"{what}: {where} header {n!r} set to the empty string: Traefik's headers "
                      f"middleware removes a header given an empty value", loc)
        out[n] = v
    if ops.add:
        ctx.error(f"{what}: {where} headers `add` ({', '.join(n for n, _ in ops.add)}): Traefik's "
                  f"headers middleware replaces a header, it cannot add a value to the client's", loc,
                  hint="use `set`")
    if ops.rename:
        ctx.error(f"{what}: {where} headers `rename`: Traefik's headers middleware cannot copy a "
                  f"header's value to another name", loc)
    return {k: out[k] for k in sorted(out, key=str.lower)}


# --- rate limits -----------------------------------------------------------------------------
def bucket_size(rl: ir.RateLimit) -> int:
    """Tokens the bucket holds: the spec's burst passes at once above the rate (plus the one
    request the rate itself admits); a window admits a whole window's worth at once."""
    return rl.burst + (rl.requests if rl.algorithm in ("fixed_window", "sliding_window") else 1)


def rate_limit(rl: ir.RateLimit, route: ir.Route, ctx: Ctx) -> dict:
    """Traefik's token bucket (golang.org/x/time/rate): refilled at average/period, holding
    `burst` tokens. The spec's token bucket holds burst + 1 (burst is what passes at once
    above the rate); its windows hold a whole window's worth."""
    out: dict = {"average": rl.requests, "period": go_duration(rl.period_ms), "burst": bucket_size(rl)}
    if rl.store is not None:
        out["redis"] = redis(rl.store, route, ctx)
    k = rl.key
    if k.kind == "header":
        out["sourceCriterion"] = {"requestHeaderName": k.name}
    elif k.kind in ("consumer", "claim"):
        # the verified identity, put there by the route's auth middleware (M4)
        out["sourceCriterion"] = {"requestHeaderName": plugin.IDENTITY}
    return out  # its 429 gets the spec's status and body from the answers middleware


def redis(store: ir.RedisStore, route: ir.Route, ctx: Ctx) -> dict:
    """Traefik 3.4+ keeps the buckets in Redis (key: middleware name and source), so every
    Traefik instance with this configuration counts against one budget."""
    host = f"[{store.host}]" if ":" in store.host else store.host
    out: dict = {"endpoints": [f"{host}:{store.port}"]}
    pw = store.password
    if pw is not None:
        if pw.kind == "env":
            ctx.env.add(pw.name)
            out["password"] = env_value(pw.name)
        else:
            ctx.error(f"route {route.name!r}: Traefik takes the Redis password from its configuration, not from a "
                      f"file ({pw.name!r})", route.loc, hint="use `password: {env: NAME}`")
    if store.database:
        out["db"] = store.database
    return out
