"""gatewayc's Traefik plugin (plugin/*.go): shipped in the build output under plugins-local/
and declared in traefik.yml (experimental.localPlugins), so Traefik loads it from disk,
never from the network. Each middleware made here uses one of its jobs."""
from __future__ import annotations

import json
from http import HTTPStatus
from importlib import resources
from collections.abc import Callable
from typing import Any

from gatewayc.ir import model as ir

from .context import Ctx

KEY = "gwc"  # the plugin's name in traefik.yml and in middlewares
MODULE = "gatewayc.local/gwc"
SOURCES = ("gwc.go", "answers.go", "apikey.go", "go.mod", ".traefik.yml")
# the statuses Traefik answers on its own in a forwarding route
_TRAEFIK_MADE = (502, 503, 504)


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
    out: dict = {"status": status}
    if body is not None:
        out["body"] = json_text(body)
    if headers:
        out["headers"] = headers
    return out


def reason(status: int) -> dict:
    """The default body of an answer the gateway makes: {"error": "<reason phrase>"}."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"error": phrase}


def respond(a: ir.Respond, ctx: Ctx) -> dict:
    return middleware(ctx, {"respond": answer(a.status, a.body)})


def host(hostname: str, ctx: Ctx) -> dict:
    return middleware(ctx, {"host": hostname})


def api_key(m: ir.ApiKeyAuth, ctx: Ctx) -> dict:
    conf: dict = {"header": m.header} if m.header else {"query": m.query}
    if m.keys.kind == "env":
        ctx.env.add(m.keys.name)
        conf["env"] = m.keys.name
    else:
        conf["file"] = m.keys.name
    return middleware(ctx, {"apiKey": conf})


def route_answers(route: ir.Route) -> dict[str, dict]:
    """What replaces Traefik's own answers on a route: the policy's own answer where the
    spec gives one (auth failure, rate limit), else {"error": "<reason phrase>"}."""
    p = route.policies
    out: dict[int, dict] = {}
    if isinstance(route.action, ir.Forward):
        for s in _TRAEFIK_MADE:
            out[s] = answer(s, reason(s))
    if p.ip is not None:
        out[403] = answer(403, reason(403))
    if p.body_limit is not None:
        out[413] = answer(413, reason(413))
    if p.rate_limit is not None:
        out[429] = answer(p.rate_limit.status, p.rate_limit.body)
    if p.auth is not None:
        headers = None
        if isinstance(p.auth.method, ir.BasicAuth):
            headers = {"WWW-Authenticate": f'Basic realm={json.dumps(p.auth.method.realm)}, charset="UTF-8"'}
        out[401] = answer(p.auth.failure.status, p.auth.failure.body, headers)
    return {str(k): out[k] for k in sorted(out)}
