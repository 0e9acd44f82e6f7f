"""gatewayc's Traefik plugin (plugin/*.go): shipped in the build output under plugins-local/
and declared in traefik.yml (experimental.localPlugins), so Traefik loads it from disk,
never from the network. Each middleware made here uses one of its jobs."""
from __future__ import annotations

import base64
import json
from importlib import resources
from collections.abc import Callable
from typing import Any

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from .context import Ctx

KEY = "gwc"  # the plugin's name in traefik.yml and in middlewares
MODULE = "gatewayc.local/gwc"
SOURCES = ("gwc.go", "answers.go", "apikey.go", "identity.go", "jwt.go", "limit.go", "redirect.go", "tries.go", "nobody.go",
           "corsany.go",
           "go.mod", ".traefik.yml")
IDENTITY = "X-Gwc-Identity"  # the verified identity an identity-keyed rate limit counts (identity.go)
# the statuses Traefik answers on its own in a forwarding route
_TRAEFIK_MADE = (502, 503, 504)
# what the tries job (tries.go) makes of them inside a service's retry middleware
NO_RETRY_BASE = 90  # 502 -> 592, 503 -> 593, 504 -> 594: never retried
TIMEOUT_RETRY = 599  # a timeout the spec retries (on_timeout)


def middleware(ctx: Ctx, config: dict) -> dict:
    ctx.plugin = True
    return {"plugin": {KEY: config}}


def files(head: Callable[[str], str]) -> dict[str, bytes]:
    """The plugin's source, each file headed like every generated file (`head(comment)`)."""
    src = resources.files(__package__) / "plugin"
    return {f"plugins-local/src/{MODULE}/{n}": head("#" if n.endswith(".yml") else "//").encode()
            + (src / n).read_bytes() for n in SOURCES}


def static() -> dict[str, dict]:
    return {KEY: {"moduleName": MODULE}}


def json_text(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> dict:
    """An answer in the plugin's terms; a header given "" is removed."""
    out: dict = {"status": status}
    if body is not None:
        out["body"] = json_text(body)
    if headers:
        out["headers"] = {k: headers[k] for k in sorted(headers)}
    return out


def respond(gw: ir.Gateway, a: ir.Respond, ctx: Ctx) -> dict:
    body = a.body if a.body is not None or a.status < 400 else answers.body_for(gw.answers, a.status)
    return middleware(ctx, {"respond": answer(a.status, body)})


def not_found(gw: ir.Gateway, ctx: Ctx) -> dict:
    nf = gw.not_found
    return middleware(ctx, {"respond": answer(nf.status, nf.body, _no_store(gw.answers.response_headers))})


def redirect(m: ir.Match, a: ir.Redirect, ctx: Ctx) -> dict:
    conf: dict = {"status": a.status}
    if a.scheme:
        conf["scheme"] = a.scheme
    if a.hostname:
        conf["host"] = a.hostname
    if a.port:
        conf["port"] = str(a.port)
    pr = a.path
    if pr is not None and pr.kind == "full":
        conf["path"] = pr.value
    elif pr is not None and m.path.kind == "prefix" and m.path.value != "/":
        # the path as the client sent it (percent-encoded), like the spec's prefix
        conf["prefix"] = m.path.value
        if pr.kind == "replace_prefix" and pr.value.rstrip("/"):
            conf["replacement"] = pr.value.rstrip("/")
    elif pr is not None and pr.kind == "replace_prefix" and pr.value.rstrip("/"):
        conf["prefix"] = "/"  # under the prefix /: /x becomes <replacement>/x
        conf["replacement"] = pr.value.rstrip("/") + "/"
    return middleware(ctx, {"redirect": conf})


def limit(rl: ir.RateLimit, burst: int, ctx: Ctx) -> dict:
    conf: dict = {"budget": rl.budget, "rate": rl.requests * 1000 / rl.period_ms, "burst": burst}
    if rl.key.kind == "header":
        conf["header"] = rl.key.name
    elif rl.key.kind in ("consumer", "claim"):
        conf["header"] = IDENTITY  # set by the auth job; removed once counted
    return middleware(ctx, {"limit": conf})


def tries(r: ir.Retry, ctx: Ctx) -> dict:
    return middleware(ctx, {"tries": {"timeout": r.on_timeout}})  # never an empty map


def cors_any(c: ir.Cors, ctx: Ctx) -> dict | None:
    """In front of a CORS headers middleware: a preflight's `*` becomes what the browser asked
    for (corsany.go); None when the policy lists its methods and headers."""
    conf = {"methods": c.methods == ("*",), "headers": c.headers == ("*",)}
    return middleware(ctx, {"corsAny": conf}) if any(conf.values()) else None


def no_body(ctx: Ctx) -> dict:
    return middleware(ctx, {"noBody": True})


def websocket_only(ctx: Ctx) -> dict:
    return middleware(ctx, {"websocketOnly": True})


def host(hostname: str, ctx: Ctx) -> dict:
    return middleware(ctx, {"host": hostname})


def _identity(key: ir.LimitKey | None) -> dict:
    """The auth job's `identity` part for a rate limit keyed by consumer or claim (M4)."""
    if key is None or key.kind not in ("consumer", "claim"):
        return {}
    return {"identity": f"claim:{key.name}" if key.kind == "claim" else "consumer"}


def api_key(m: ir.ApiKeyAuth, ctx: Ctx, key: ir.LimitKey | None = None) -> dict:
    conf: dict = {"header": m.header} if m.header else {"query": m.query}
    if m.keys.kind == "env":
        ctx.env.add(m.keys.name)
        conf["env"] = m.keys.name
    else:
        conf["file"] = m.keys.name
    if m.hide_credentials:
        conf["hide"] = True
    return middleware(ctx, {"apiKey": conf, **_identity(key)})


def jwt(m: ir.JwtAuth, ctx: Ctx, key: ir.LimitKey | None = None) -> dict:
    conf: dict = {"algorithms": list(m.algorithms)}
    if m.secret is not None:
        if m.secret.kind == "env":
            ctx.env.add(m.secret.name)
            conf["secretEnv"] = m.secret.name
        else:
            conf["secretFile"] = m.secret.name
    if m.jwks is not None and m.jwks.keys:
        conf["keys"] = [{**({"kid": k["kid"]} if k.get("kid") else {}), "pem": public_pem(k)} for k in m.jwks.keys]
    if m.issuer:
        conf["issuer"] = m.issuer
    if m.audiences:
        conf["audiences"] = list(m.audiences)
    if m.required_claims:
        conf["required"] = list(m.required_claims)
    if m.clock_skew_ms:
        conf["clockSkewMs"] = m.clock_skew_ms
    if not m.require_exp:
        conf["allowNoExp"] = True
    t = m.token
    if t.header:
        conf["header"] = t.header
        if t.scheme:
            conf["scheme"] = t.scheme
    elif t.query:
        conf["query"] = t.query
    else:
        conf["cookie"] = t.cookie
    if m.forward_claims:
        conf["forward"] = dict(sorted(m.forward_claims))
    if m.hide_credentials:
        conf["hide"] = True
    conf["realm"] = answers.quoted(m.realm)
    return middleware(ctx, {"jwt": conf, **_identity(key)})


def public_pem(jwk: dict) -> str:
    """A public JWK (RSA, EC P-256/P-384) as PEM SubjectPublicKeyInfo, for Go's x509 parser."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    def num(field: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(jwk[field] + "=" * (-len(jwk[field]) % 4)), "big")
    if jwk["kty"] == "RSA":
        key = rsa.RSAPublicNumbers(num("e"), num("n")).public_key()
    else:
        curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1()}[jwk["crv"]]
        key = ec.EllipticCurvePublicNumbers(num("x"), num("y"), curve).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _no_store(response_headers: ir.HeaderOps) -> dict[str, str]:
    """Cache-Control: no-store on an error answer, unless the response transform sets or
    removes Cache-Control (then that wins: it runs on the answer too)."""
    touched = {n.lower() for n, _ in response_headers.set} | {n.lower() for n in response_headers.remove}
    return {} if "cache-control" in touched else {"Cache-Control": "no-store"}


def _gateway_answer(a: ir.Answers, status: int, base: dict[str, str]) -> dict:
    """The gateway's answer for `status`: the same for most routes, so made once per gateway
    (kept for the gateway's answers last asked about; the IR is immutable). Shared, never changed."""
    if _last_answers[0] is not a:
        _last_answers[:] = [a, {}]
    memo = _last_answers[1]
    key = (status, *base.items())
    got = memo.get(key)
    if got is None:
        got = memo[key] = answer(status, answers.body_for(a, status), base)
    return got


_last_answers: list = [None, {}]


def route_answers(gw: ir.Gateway, route: ir.Route) -> dict[str, dict]:
    """What replaces Traefik's own answers on a route (docs/spec.md, "Answers the gateway makes
    itself"): the policy's own answer where the spec gives one (auth failure, rate limit),
    else the gateway's body for the status."""
    p = route.policies
    base = _no_store(p.transforms.response_headers)

    def made(status: int, body: Any = None, headers: dict[str, str] | None = None) -> dict:
        if body is None and not headers:
            return _gateway_answer(gw.answers, status, base)
        return answer(status, body if body is not None else answers.body_for(gw.answers, status),
                      {**base, **(headers or {})})

    out: dict[int, dict] = {}
    if isinstance(route.action, ir.Forward):
        for s in _TRAEFIK_MADE:
            out[s] = made(s)
        if any(t.scheme == "https" for t in route.action.service.targets):
            # Traefik answers 500 itself when the service's certificate fails verification:
            # the gateway got no answer from the service, which the spec answers with 502
            out[500] = made(502)
        r = route.action.service.retry
        if r is not None:
            # Traefik's own answers, as the tries job passes them through a retry middleware
            for s in _TRAEFIK_MADE:
                out[s + NO_RETRY_BASE] = made(s)
            if r.on_timeout:
                out[TIMEOUT_RETRY] = made(504)
    if p.ip is not None:
        out[403] = made(403)
    if p.body_limit is not None:
        out[413] = made(413)
    if p.rate_limit is not None:
        rl = p.rate_limit
        out[429] = made(rl.status, rl.body, {"Retry-After": str(answers.retry_after_s(rl))})
    if p.auth is not None:
        ch = answers.challenges(p.auth)
        if ch and isinstance(p.auth.method, ir.JwtAuth):
            challenge = {}  # the jwt job sets it: with error="invalid_token" when a token came
        else:
            # Traefik's basicAuth sets its own challenge: replaced, or removed when the spec has none
            challenge = {"WWW-Authenticate": ch[0].value() if ch else ""}
        out[401] = made(p.auth.failure.status, p.auth.failure.body, challenge)
    return {str(k): out[k] for k in sorted(out)}
