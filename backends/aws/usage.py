"""API keys, the usage plan and its throttles (REST only: the HTTP API has neither).

An `api_key` route requires API Gateway's key (`x-api-key` security scheme, apiKeyRequired).
Keys only work through a usage plan: the template makes one plan per gateway, on its stage, and
one `AWS::ApiGateway::ApiKey` per `keys` reference whose value is a NoEcho template parameter:
the value is given at deploy time, never written (the variable's name is listed like any other
secret the gateway needs).

Rate limits (settled meaning M1: one budget per key value per scope unit): API Gateway's stage
and method throttling count every client together, so no spec limit means that. A usage plan's
throttle counts per API key, which is `key: consumer` under `api_key` auth. The plan-level
throttle is one budget per key over every method that requires a key; a method throttle
(`/resource/METHOD`) is one budget per key for that one resource and method. So a limit maps
when its budget covers every key-requiring route (plan throttle), or is one route on one
resource and method (method throttle); anything else is refused rather than counted another
way."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from .context import Ctx
from .tree import ANY, Op

SCHEME = "api_key"
DAY_MS, WEEK_MS = 86_400_000, 7 * 86_400_000


@dataclass
class Usage:
    keyed: set[tuple[str, str]] = field(default_factory=set)  # (path, method) that require the key
    responses: dict[str, tuple[int, Any, dict[str, str]]] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)
    env: set[str] = field(default_factory=set)
    plan: dict[str, Any] = field(default_factory=dict)  # the plan's Throttle or Quota
    methods: dict[str, Any] = field(default_factory=dict)  # "/path/METHOD" -> its throttle


def plan(ctx: Ctx, ops: dict[str, dict[str, Op]]) -> Usage:
    u = Usage()
    key_routes: dict[str, ir.ApiKeyAuth] = {}
    for r in ctx.gateway.routes:
        auth = r.policies.auth
        if auth is not None and isinstance(auth.method, ir.ApiKeyAuth) and _key_ok(auth, ctx):
            key_routes[r.name] = auth.method
    for path, methods in ops.items():
        for method, op in methods.items():
            if op.route.name in key_routes:
                u.keyed.add((path, method))
    _limits(ctx, ops, key_routes, u)
    if key_routes:
        _failure(ctx, u)
        _keys(ctx, key_routes, u)
    return u


def _key_ok(auth: ir.Auth, ctx: Ctx) -> bool:
    m = auth.method
    assert isinstance(m, ir.ApiKeyAuth)
    if not ctx.only_rest("API keys", m.loc):
        return False
    ok = True
    if m.header is None or m.header.lower() != "x-api-key":
        ctx.error(f"API Gateway reads the API key from the `X-API-Key` header only (not {m.header or m.query!r})",
                  m.loc, hint="use `api_key: {header: X-API-Key, ...}`")
        ok = False
    if m.hide_credentials:
        ctx.error("a REST proxy integration forwards the X-API-Key header as received: `hide_credentials: true` "
                  "cannot be built", m.loc, hint="set `hide_credentials: false`")
        ok = False
    return ok


def _failure(ctx: Ctx, u: Usage) -> None:
    """API Gateway answers a missing or wrong key with the INVALID_API_KEY gateway response,
    one for the whole API: every key route must fail the same way."""
    shapes = {}
    for r in ctx.gateway.routes:
        auth = r.policies.auth
        if auth is not None and isinstance(auth.method, ir.ApiKeyAuth):
            headers = {"WWW-Authenticate": c.value() for c in answers.challenges(auth)}
            shapes[(auth.failure.status, repr(auth.failure.body), tuple(headers.items()))] = (auth, headers)
    if len(shapes) > 1:
        first = next(iter(shapes.values()))[0]
        ctx.error("API Gateway answers a missing or wrong API key with one gateway response for the whole API; "
                  "here api_key routes fail with different statuses, bodies or realms", first.loc,
                  hint="give every api_key route the same `failure` and `realm`")
    auth, headers = next(iter(shapes.values()))
    u.responses["INVALID_API_KEY"] = (auth.failure.status, auth.failure.body, headers)


def _keys(ctx: Ctx, key_routes: dict[str, ir.ApiKeyAuth], u: Usage) -> None:
    refs = sorted({(m.keys.kind, m.keys.name) for m in key_routes.values()})
    plan_id = "UsagePlan"
    for kind, name in refs:
        param = "ApiKey" + (re.sub(r"[^A-Za-z0-9]", "", name.title()) if kind == "env"
                            else hashlib.sha256(name.encode()).hexdigest()[:8])
        source = f"environment variable {name}" if kind == "env" else f"file {name}"
        ctx.parameters[param] = {
            "Type": "String", "NoEcho": True, "MinLength": 20, "MaxLength": 128,
            # one key per reference: a comma or line break means a list, which one ApiKey cannot hold
            "AllowedPattern": "^[^,\\s]+$",
            "Description": f"the API key (one key, 20-128 characters) from {source}",
        }
        if kind == "env":
            u.env.add(name)
        ctx.info(f"the API key from {source} is the NoEcho template parameter {param}, given at deploy time; "
                 "API Gateway keeps one key per ApiKey, so the value is one key (a list fails the parameter's "
                 "pattern)", next(m.loc for m in key_routes.values() if (m.keys.kind, m.keys.name) == (kind, name)))
        u.resources[f"{param}Key"] = {"Type": "AWS::ApiGateway::ApiKey",
                                      "Properties": {"Enabled": True, "Value": {"Ref": param}}}
        u.resources[f"{param}PlanKey"] = {"Type": "AWS::ApiGateway::UsagePlanKey",
                                          "Properties": {"KeyId": {"Ref": f"{param}Key"}, "KeyType": "API_KEY",
                                                         "UsagePlanId": {"Ref": plan_id}}}
    props: dict[str, Any] = {"ApiStages": [{"ApiId": {"Ref": "Api"}, "Stage": {"Ref": "Stage"}}],
                             "Description": f"API keys of gateway {ctx.gateway.name!r}"}
    props.update(u.plan)
    if u.methods:
        props["ApiStages"][0]["Throttle"] = dict(sorted(u.methods.items()))
    u.resources[plan_id] = {"Type": "AWS::ApiGateway::UsagePlan", "Properties": props}


def _limits(ctx: Ctx, ops: dict[str, dict[str, Op]], key_routes: dict[str, ir.ApiKeyAuth], u: Usage) -> None:
    limited = [r for r in ctx.gateway.routes if r.policies.rate_limit is not None]
    if not limited:
        return
    by_budget: dict[str, list[ir.Route]] = {}
    for r in limited:
        rl = r.policies.rate_limit
        assert rl is not None
        if not _limit_ok(r, rl, key_routes, ctx):
            continue
        by_budget.setdefault(rl.budget, []).append(r)
    shapes: dict[tuple, ir.RateLimit] = {}
    plan_budget: str | None = None
    # the budget over the most routes is the plan's; the others must fit a method throttle
    for budget, routes in sorted(by_budget.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        rl = routes[0].policies.rate_limit
        assert rl is not None
        throttle, quota = _bucket(rl, ctx)
        names = {r.name for r in routes}
        where = [(p, m) for p, ms in ops.items() for m, op in ms.items() if op.route.name in names]
        if not quota and len(where) == 1 and where[0][1] != ANY:
            u.methods[f"{where[0][0]}/{where[0][1]}"] = throttle  # overrides the plan's throttle there
        elif plan_budget is None:
            plan_budget = budget
            u.plan = {"Quota": quota} if quota else {"Throttle": throttle}
        else:
            ctx.limitation(f"rate_limit.{rl.algorithm}",
                           f"rate limit {budget!r}: a usage plan counts one budget per API key over every api_key "
                           f"route (here already {plan_budget!r}), or one per resource and method (a method "
                           f"throttle); this budget covers {len(where)} resource/method pairs", rl.loc,
                           hint="limit the api_key routes together (a gateway-level limit), and give a route its "
                                "own limit only on one exact path and method")
            continue
        shapes[(rl.status, repr(rl.body), answers.retry_after_s(rl))] = rl
    if len(shapes) > 1:
        ctx.error("API Gateway answers every throttled request with one gateway response for the whole API; here "
                  "rate limits answer with different statuses, bodies or Retry-After values",
                  next(iter(shapes.values())).loc, hint="give the limits the same `status`, `body` and period per "
                                                        "request")
    if shapes:
        rl = next(iter(shapes.values()))
        headers = {"Retry-After": str(answers.retry_after_s(rl))}
        u.responses["THROTTLED"] = (rl.status, rl.body, headers)
        u.responses["QUOTA_EXCEEDED"] = (rl.status, rl.body, headers)
    for r in ctx.gateway.routes:
        if r.name in key_routes and u.plan and r.policies.rate_limit is None:
            ctx.error(f"route {r.name!r} requires an API key but has no rate limit: the usage plan's throttle "
                      "would count it too", r.loc, hint="limit every api_key route, or none at plan level")


def _limit_ok(r: ir.Route, rl: ir.RateLimit, key_routes: dict[str, ir.ApiKeyAuth], ctx: Ctx) -> bool:
    if rl.key.kind == "client_ip":
        ctx.limitation(f"rate_limit.{rl.algorithm}", "API Gateway cannot count per client address: its stage and "
                       "method throttles count every client together, and a usage plan counts per API key", rl.loc,
                       hint="use `key: consumer` on routes with `api_key` auth (a usage plan per key)")
        return False
    if rl.key.kind != "consumer":
        return False  # header and claim keys: refused by their capability
    if not ctx.only_rest("a rate limit per consumer (usage plan)", rl.loc, f"rate_limit.{rl.algorithm}"):
        return False
    if r.name not in key_routes:
        ctx.limitation(f"rate_limit.{rl.algorithm}", "on API Gateway the consumer a limit counts per is the API "
                       "key of a usage plan: a `consumer` limit needs `api_key` auth", rl.loc)
        return False
    return True


def _bucket(rl: ir.RateLimit, ctx: Ctx) -> tuple[dict, dict | None]:
    """The usage plan's token bucket for `rl` (rate per second, burst), or its quota for a
    fixed window of a day or a week."""
    per_s = rl.period_ms / 1000
    rate = rl.requests / per_s
    rate = int(rate) if rate == int(rate) else round(rate, 6)
    if rl.algorithm == "fixed_window" and rl.period_ms in (DAY_MS, WEEK_MS):
        return {}, {"Limit": rl.requests, "Period": "DAY" if rl.period_ms == DAY_MS else "WEEK"}
    if rl.algorithm == "token_bucket":
        return {"RateLimit": rate, "BurstLimit": rl.burst + 1}, None
    ctx.warn(f"a {rl.algorithm.replace('_', ' ')} limit of {rl.requests} per {per_s:g} s is counted as a token bucket "
             f"holding one period's worth ({rl.requests}), refilled at {rate} per second: no window boundaries",
             rl.loc)
    return {"RateLimit": rate, "BurstLimit": rl.requests}, None
