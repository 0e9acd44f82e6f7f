"""Rate limits: Envoy's local_ratelimit filter, once in a connection manager, with one
descriptor per budget (docs/spec.md M1: routes of one budget share one counter per key value).

A route's `rate_limits` actions make the descriptor [budget id, key value]; the filter's
descriptor for that budget has no value for the key, so each value gets its own token
bucket (Envoy's dynamic descriptors, kept for `max_dynamic_descriptors` values, least
recently used out first). A request without the key's header (or with an empty one) makes
[budget id, absent]: one bucket for all of them, the spec's "empty value". Requests of
routes without a limit make no descriptor and take the filter's own bucket, which never
runs dry. The bucket refills continuously (Envoy's atomic token bucket), so it is a token
bucket; windows are emulated by a bucket holding one window's worth."""
from __future__ import annotations

import dataclasses
import json

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from .actions import json_text
from .answers import Special

from .context import Ctx, dur, typed

NAME = "envoy.filters.http.local_ratelimit"
BUDGET_KEY = "gwc_budget"
VALUE_KEY = "gwc_key"
ABSENT_KEY = "gwc_key_absent"
UNLIMITED = 4294967295  # uint32 max: the filter's own bucket, for requests of unlimited routes
MAX_KEYS = 100000
ON = {"default_value": {"numerator": 100, "denominator": "HUNDRED"}}


def limit_of(route: ir.Route, ctx: Ctx) -> ir.RateLimit | None:
    """The route's limit as emitted: None when its algorithm or key is left out; a `store`
    left out counts in this Envoy alone."""
    rl = route.policies.rate_limit
    if rl is None or ctx.dropping(f"rate_limit.{rl.algorithm}"):
        return None
    if rl.key.kind != "client_ip" and ctx.dropping(f"rate_limit.key.{rl.key.kind}"):
        return None
    if rl.store is not None and ctx.dropping("rate_limit.shared"):
        rl = dataclasses.replace(rl, store=None)
    return rl


def bucket(rl: ir.RateLimit) -> dict:
    size = rl.burst + 1 if rl.algorithm in ("token_bucket", "leaky_bucket") else rl.requests
    return {"max_tokens": size, "tokens_per_fill": rl.requests, "fill_interval": dur(rl.period_ms)}


def route_actions(rl: ir.RateLimit, route: ir.Route, ctx: Ctx) -> list[dict]:
    budget = {"generic_key": {"descriptor_key": BUDGET_KEY, "descriptor_value": rl.budget}}
    k = rl.key
    if k.kind == "client_ip":
        return [{"actions": [budget, {"remote_address": {}}]}]
    if k.kind == "header":
        h = k.name.lower()
        absent = {"header_value_match": {"descriptor_key": ABSENT_KEY, "descriptor_value": "1", "expect_match": False,
                                         "headers": [{"name": h, "string_match": {"safe_regex": {"regex": ".+"}}}]}}
        return [{"actions": [budget, {"request_headers": {"header_name": h, "descriptor_key": VALUE_KEY}}]},
                {"actions": [budget, absent]}]
    ctx.error(f"route {route.name!r}: a rate limit keyed by {k.kind} is not counted on Envoy", rl.loc)
    return []


def descriptors(rl: ir.RateLimit) -> list[dict]:
    budget = {"key": BUDGET_KEY, "value": rl.budget}
    if rl.key.kind == "client_ip":
        return [{"entries": [budget, {"key": "remote_address"}], "token_bucket": bucket(rl)}]
    return [{"entries": [budget, {"key": VALUE_KEY}], "token_bucket": bucket(rl)},
            {"entries": [budget, {"key": ABSENT_KEY, "value": "1"}], "token_bucket": bucket(rl)}]


def filter_config(limits: list[ir.RateLimit]) -> dict | None:
    """The connection manager's local_ratelimit filter for these limits (one per budget)."""
    seen: dict[str, ir.RateLimit] = {}
    for rl in limits:
        seen.setdefault(rl.budget, rl)
    if not seen:
        return None
    descs = [d for b in sorted(seen) for d in descriptors(seen[b])]
    cfg = typed("envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
                stat_prefix="gatewayc_rate_limit",
                token_bucket={"max_tokens": UNLIMITED, "tokens_per_fill": UNLIMITED, "fill_interval": "1s"},
                filter_enabled=ON, filter_enforced=ON, descriptors=descs, max_dynamic_descriptors=MAX_KEYS)
    return {"name": NAME, "typed_config": cfg}


def specials(limited: list[tuple[ir.Route, ir.RateLimit]]) -> list[Special]:
    """The answer of each limit: its status and body, Retry-After (the filter's 429, flag RL)."""
    groups: dict[tuple, list[ir.Route]] = {}
    for route, rl in limited:
        key = (rl.status, json_text(rl.body), answers.retry_after_s(rl))
        if route not in groups.setdefault(key, []):
            groups[key].append(route)
    out = []
    for (status, body, retry), routes in groups.items():
        out.append(Special(routes, "response.code == 429 && response.code_details == 'local_rate_limited'",
                           status, json.loads(body), [("Retry-After", str(retry))]))
    return out
