"""Rate limits -> rate-limiting plugins, placed so that Kong counts each budget as the spec says.

Kong's rate-limiting plugin keeps one counter per key value per plugin *instance*: its
counter key is (route id, service id, identifier, period) with the ids of the entity the
plugin is attached to (kong/plugins/rate-limiting/policies/init.lua get_local_key), so
a global plugin is one budget for every route it runs on, a service plugin one for the
routes of that service, a route plugin one per route. This backend gives every IR route
its own Kong service, so:

- a budget used by one route: a plugin on that route's service;
- a budget shared by several routes: the global plugin, the only instance Kong shares
  across services. At most one such budget per gateway; a second cannot be expressed.
  Kong runs a global plugin on every route that has no rate-limiting plugin of its own,
  so each other route (and the not-found catch-all) gets an `EXEMPT` plugin that can
  never refuse, which is Kong's only way to keep a route out of a global plugin.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from gatewayc.ir import model as ir
from gatewayc.ir.answers import body_for, retry_after_s
from gatewayc.units import duration

from .context import Ctx
from .deck import placeholder
from .plugins import message_of, plugin

NAME = "rate-limiting"
# Kong's numbers are doubles: 2^53 - 1 is the largest count it holds exactly. One
# counter per route per second (limit_by service), hidden headers: unreachable, and cheap.
EXEMPT = {"error_code": 429, "fault_tolerant": True, "hide_client_headers": True, "limit_by": "service",
          "policy": "local", "second": 2 ** 53 - 1, "sync_rate": -1}


REDIS_TIMEOUT_MS = 2000  # Kong's default, written out (its schema requires it with policy redis)


@dataclass
class Plan:
    shared: ir.RateLimit | None = None  # the budget the global plugin counts
    own: dict[str, ir.RateLimit] = field(default_factory=dict)  # route name -> its service plugin
    exempt: set[str] = field(default_factory=set)  # routes that must not run the global plugin


def plan(gw: ir.Gateway, routes: list[ir.Route], ctx: Ctx) -> Plan:
    """Where each route's limit goes; `routes` are the gateway's routes Kong serves."""
    by_budget: dict[str, list[ir.Route]] = {}
    for r in routes:
        rl = r.policies.rate_limit
        if rl is not None and f"rate_limit.{rl.algorithm}" not in ctx.dropped:
            by_budget.setdefault(rl.budget, []).append(r)
    out = Plan()
    for budget in sorted(by_budget, key=lambda b: by_budget[b][0].index):
        members = by_budget[budget]
        rl = members[0].policies.rate_limit
        if len(members) == 1:
            out.own[members[0].name] = rl
        elif out.shared is None:
            out.shared = rl
        else:
            ctx.limitation(
                f"rate limit {rl.requests} per {duration(rl.period_ms)} ({rl.scope} scope) is one budget for routes "
                f"{', '.join(repr(m.name) for m in members)}, but Kong shares a counter across routes only in "
                f"its global plugin, which already counts the budget of routes "
                f"{', '.join(repr(m.name) for m in by_budget[out.shared.budget])}", rl.loc,
                hint="give one of the limits `scope: route` (each route counts alone), or move the routes' "
                     "limits into one gateway-level limit")
    if out.shared is not None:
        sharing = {r.name for r in by_budget[out.shared.budget]}
        out.exempt = {r.name for r in routes if r.name not in sharing and r.name not in out.own}
    return out


def global_plugins(p: Plan, ctx: Ctx, gw: ir.Gateway) -> list[dict]:
    return [plugin(ctx, "gateway", NAME, rate_limiting(p.shared, gw, ctx))] if p.shared else []


def route_plugins(p: Plan, route: ir.Route, owner: str, gw: ir.Gateway, ctx: Ctx) -> list[dict]:
    if route.name in p.own:
        return [plugin(ctx, owner, NAME, rate_limiting(p.own[route.name], gw, ctx))]
    if route.name in p.exempt:
        return [exempt(ctx, owner)]
    return []


def exempt(ctx: Ctx, owner: str) -> dict:
    return plugin(ctx, owner, NAME, dict(EXEMPT))


_WINDOWS = (("day", 86_400_000), ("hour", 3_600_000), ("minute", 60_000), ("second", 1000))


def rate_limiting(rl: ir.RateLimit, gw: ir.Gateway, ctx: Ctx) -> dict:
    window, unit = next(((w, u) for w, u in _WINDOWS if u <= rl.period_ms), ("second", 1000))
    count = rl.requests if rl.period_ms == unit else max(1, math.floor(rl.requests * unit / rl.period_ms))
    if rl.period_ms != unit:
        ctx.warn(f"rate limit {rl.requests} per {rl.period_ms}ms becomes {count} per {window}: Kong counts "
                 f"seconds, minutes, hours or days", rl.loc)
    if rl.burst:
        ctx.warn(f"rate limit burst {rl.burst} is not expressible in Kong", rl.loc)
    conf: dict = {window: count, "error_code": rl.status, "error_message": message_of(rl.body),
                  "fault_tolerant": True, "hide_client_headers": False}
    k = rl.key
    if k.kind == "header":
        conf["header_name"] = k.name
        conf["limit_by"] = "header"
        ctx.approximation(f"rate limit by header {k.name!r}: Kong counts a request without the header under its "
                          f"client address, not in the one budget of the empty value", rl.loc)
    elif k.kind == "client_ip":
        conf["limit_by"] = "ip"
    else:  # consumer; a claim (unsupported, or accepted as degraded) falls back to the consumer
        conf["limit_by"] = "consumer"
        if k.kind == "claim":
            ctx.warn(f"rate limit by claim {k.name!r} counts per authenticated consumer instead", rl.loc)
        _jwt_consumers(rl, gw, ctx)
    conf.update(_store(rl, ctx))
    # one note per limit: routes that inherit it share its location
    ctx.approximation(f"Kong answers a rate-limited request with {{\"message\": {json.dumps(conf['error_message'])}}}"
                      f" (the spec: {json.dumps(rl.body, sort_keys=True)}), a Retry-After that counts to the end of "
                      f"Kong's window (the spec: {retry_after_s(rl)}) and no Cache-Control: no-store", rl.loc,
                      written=rl.body != body_for(ctx.answers, rl.status))
    return {k: conf[k] for k in sorted(conf)}


def _store(rl: ir.RateLimit, ctx: Ctx) -> dict:
    s = rl.store
    if s is None:
        return {"policy": "local", "sync_rate": -1}
    redis: dict = {"database": s.database, "host": s.host, "port": s.port, "timeout": REDIS_TIMEOUT_MS}
    if s.password is not None:
        var = ctx.secret_var(s.password, rl.loc, "redis password")
        if var is not None:
            redis["password"] = placeholder(var)
    # sync_rate -1: every request reads and increments the counter in Redis, so all
    # instances see one count (a positive sync_rate would let each count alone in between)
    return {"policy": "redis", "redis": redis, "sync_rate": -1}


def _jwt_consumers(rl: ir.RateLimit, gw: ir.Gateway, ctx: Ctx) -> None:
    """Kong's consumer for a JWT is the consumer of its issuer (see auth.py), not the token's
    `sub`: every user of an issuer would share one budget."""
    for r in gw.routes:
        a, mine = r.policies.auth, r.policies.rate_limit
        if mine is not None and mine.budget == rl.budget and a is not None and _has_jwt(a.method):
            ctx.limitation(f"route {r.name!r}: a rate limit by consumer counts a JWT per `sub`, but Kong's "
                           f"consumer for a JWT is its issuer: all tokens of one issuer would share a budget",
                           rl.loc, hint="key the limit by client_ip, or by a header the clients send")
            return


def _has_jwt(m: ir.AuthMethod) -> bool:
    if isinstance(m, ir.JwtAuth):
        return True
    return isinstance(m, (ir.AnyOf, ir.AllOf)) and any(_has_jwt(x) for x in m.methods)
