"""One gateway -> one Kong declarative document (a dict in output order)."""
from __future__ import annotations

import dataclasses
from functools import lru_cache

from gatewayc.ir import model as ir
from gatewayc.ir.answers import NO_STORE

from . import ids, ratelimits
from .auth import auth_plugins
from .context import Ctx
from .plugins import cors, header_transformer, plugin, route_plugins, termination
from .redirects import redirect
from .routes import plan, routed
from .upstreams import service, upstream


def document(gw: ir.Gateway, ctx: Ctx) -> dict:
    redirects = {r.name: redirect(gw, r, ctx) for r in gw.routes if isinstance(r.action, ir.Redirect)}
    skip = frozenset(name for name, conf in redirects.items() if conf is None)
    kong_routes = plan(gw, ctx, skip)
    limits = ratelimits.plan(gw, [r for r in gw.routes if routed(r) and r.name not in skip], ctx)
    ctx.global_limit = limits.shared
    services, used = [], {}
    for r in gw.routes:
        if not routed(r) or r.name in skip:
            continue
        s = service(r.name, r, ctx)
        plugins = (auth_plugins(r, r.name, ctx) + route_plugins(r, r.name, ctx)
                   + ratelimits.route_plugins(limits, r, r.name, gw, ctx))
        if r.name in redirects:
            plugins.append(plugin(ctx, r.name, "redirect", redirects[r.name]))
        if plugins:
            s["plugins"] = sorted(plugins, key=lambda p: p["name"])
        s["routes"] = kong_routes.get(r.name, [])
        services.append(s)
        if isinstance(r.action, ir.Forward):
            used[r.action.service.name] = r.action.service
    services.append(_not_found(gw, limits, ctx))
    if any(isinstance(r.action, (ir.Forward, ir.Aggregate)) or r.policies.body_limit is not None for r in gw.routes):
        ctx.approximation(f"gateway {gw.name!r}: Kong answers upstream failures (502, 503, 504) and bodies over a "
                          "limit (413) itself, with a {\"message\": ...} body from kong.conf's error templates "
                          "(not the spec's {\"error\": ...}) and without Cache-Control: no-store", gw.loc,
                          written=False)
    doc: dict = {"_format_version": "3.0"}
    if ctx.consumers:
        doc["consumers"] = [ctx.consumers[k] for k in sorted(ctx.consumers)]
    glob = sorted(_global_plugins(gw, ctx) + ratelimits.global_plugins(limits, ctx, gw), key=lambda p: p["name"])
    if glob:
        doc["plugins"] = glob
    doc["services"] = sorted((_ordered(s) for s in services), key=lambda s: s["name"])
    ups = [upstream(used[k], ctx) for k in sorted(used)]
    if ups:
        doc["upstreams"] = sorted(ups, key=lambda u: u["name"])
    _listeners(gw, ctx)
    _websocket_everywhere(gw, ctx)
    return doc


def _websocket_everywhere(gw: ir.Gateway, ctx: Ctx) -> None:
    """Kong's router sets the upstream `Upgrade: websocket` before any plugin runs, on every
    http/https route, and the ws/wss route protocols that would set WebSocket routes apart
    are Enterprise-only: a route without `websocket: true` cannot refuse the upgrade on
    Kong OSS. An info note, not a warning: Kong never passes any other upgrade (no h2c
    tunnel), and a WebSocket upgrade only reaches the route's own service after the
    route's checks (docs/targets/kong.md, WebSocket)."""
    plain = [r.name for r in gw.routes if isinstance(r.action, ir.Forward) and not r.action.websocket]
    if plain:
        listed = ", ".join(repr(n) for n in plain[:3]) + (f" and {len(plain) - 3} more" if len(plain) > 3 else "")
        ctx.info(f"gateway {gw.name!r}: Kong OSS forwards WebSocket upgrades on every route; {listed} "
                 "(without `websocket: true`) accept them too", gw.loc)


def _ordered(e: dict) -> dict:
    """Entity keys: identity first, then alphabetical (plugins and routes included)."""
    out = {k: e[k] for k in _key_order(tuple(e))}
    if "routes" in out:
        out["routes"] = [_ordered(r) for r in out["routes"]]
    return out


@lru_cache(maxsize=None)
def _key_order(keys: tuple[str, ...]) -> list[str]:
    # entities come in a few shapes: one order per shape
    head = [k for k in ("name", "username", "target", "id") if k in keys]
    return head + sorted(k for k in keys if k not in head)


def _not_found(gw: ir.Gateway, limits: ratelimits.Plan, ctx: Ctx) -> dict:
    """A catch-all route below every other one answers like the spec's not_found, with the
    gateway level's CORS and response headers and Cache-Control: no-store (docs/spec.md,
    Answers the gateway makes itself): this service never answers anything else. It spends
    no rate-limit budget: a global rate-limiting plugin would run there too."""
    name = ids.NOT_FOUND
    a = gw.answers
    ops = a.response_headers
    if not any(n.lower() == NO_STORE[0].lower() for n in (*(k for k, _ in ops.set), *ops.remove)):
        ops = dataclasses.replace(ops, set=(*ops.set, NO_STORE))
    plugins = [plugin(ctx, name, "request-termination", termination(gw.not_found.status, gw.not_found.body)),
               plugin(ctx, name, "response-transformer",
                      header_transformer(ops, f"gateway {gw.name!r}: response header", a.loc, ctx))]
    if a.cors is not None:
        plugins.append(plugin(ctx, name, "cors", cors(a.cors)))
    if limits.shared is not None:
        plugins.append(ratelimits.exempt(ctx, name))
    return {
        "name": name, "id": ctx.id("service", name), "connect_timeout": 60000, "enabled": True,
        "host": "127.0.0.1",
        "plugins": sorted(plugins, key=lambda p: p["name"]),
        "port": 9, "protocol": "http", "read_timeout": 60000, "retries": 0,
        "routes": [{"name": name, "id": ctx.id("route", name), "paths": ["~/"], "https_redirect_status_code": 426,
                    "path_handling": "v0", "preserve_host": True, "protocols": ["http", "https"],
                    "regex_priority": 0, "request_buffering": True, "response_buffering": True,
                    "strip_path": False}],
        "write_timeout": 60000,
    }


def _global_plugins(gw: ir.Gateway, ctx: Ctx) -> list[dict]:
    o, out = gw.observability, []
    owner = "gateway"
    if o.request_id_header:
        out.append(plugin(ctx, owner, "correlation-id", {"echo_downstream": True, "generator": "uuid",
                                                         "header_name": o.request_id_header}))
        if not o.request_id_generate:
            ctx.info("correlation-id always generates a request id when the request has none", o.loc)
    if o.metrics_path:
        out.append(plugin(ctx, owner, "prometheus", {
            "ai_metrics": False, "bandwidth_metrics": True, "latency_metrics": True, "per_consumer": False,
            "status_code_metrics": True, "upstream_health_metrics": True, "wasm_metrics": False}))
    return sorted(out, key=lambda p: p["name"])


def _listeners(gw: ir.Gateway, ctx: Ctx) -> None:
    parts = [(f"[{lst.address}]" if ":" in lst.address else lst.address) + f":{lst.port}"
             + (" ssl" if lst.tls else "") for lst in sorted(gw.listeners, key=lambda x: (x.port, x.address))]
    if parts:
        ctx.info(f"gateway {gw.name!r}: listeners are set in kong.conf, not kong.yml: "
                 f"KONG_PROXY_LISTEN=\"{', '.join(parts)}\"", gw.loc)
    for lst in gw.listeners:
        if lst.tls:
            key = lst.tls.key
            src = f"the file {key.name}" if key.kind == "file" else f"the PEM in ${key.name}"
            ctx.info(f"gateway {gw.name!r}: set KONG_SSL_CERT={lst.tls.certificate} and KONG_SSL_CERT_KEY to "
                     f"{src} (kong.conf ssl_cert/ssl_cert_key)", lst.loc)
