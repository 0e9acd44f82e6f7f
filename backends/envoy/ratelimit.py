"""Rate limits: Envoy's local_ratelimit filter, with one descriptor per budget (docs/spec.md
M1: routes of one budget share one counter per key value).

Every Envoy route of a limited spec route carries its budget id in its metadata
(`gatewayc.budget`), and the filter's own `rate_limits` actions make the descriptor
[budget id, key value] from it: so a route that answers by itself (`respond`, a redirect)
counts like one that forwards (route-level actions need a forwarding route). Routes without
a limit have no budget, make no descriptor and take the filter's own bucket, which never runs
dry. The filter's descriptor for a budget has no value for the key, so each value gets its
own token bucket (Envoy's dynamic descriptors, kept for `max_dynamic_descriptors` values,
least recently used out first). A request without the key's header (or with an empty one)
makes [budget id, absent]: one bucket for all of them, the spec's "empty value". Descriptor
keys name the header, so that another header a request carries never counts for it.

Limits keyed by a verified identity (M4: `consumer`, `claim`) are a second local_ratelimit
filter after the auth verdict step, which puts the identity in the dynamic metadata
(verdict.py): a request refused by auth never reaches it. The bucket refills continuously
(Envoy's atomic token bucket), so it is a token bucket; windows are emulated by a bucket
holding one window's worth."""
from __future__ import annotations

import dataclasses
import json

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from .actions import json_text
from .answers import Special
from .context import Ctx, dur, typed
from .verdict import IDENTITY_KEY, IDENTITY_NS

NAME = "envoy.filters.http.local_ratelimit"
IDENTITY_FILTER = "gatewayc.identity_ratelimit"
META = "gatewayc"
BUDGET_KEY = "gwc_budget"
VALUE_KEY = "gwc_key"
ABSENT_KEY = "gwc_key_absent"
ID_KEY = "gwc_identity"
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


def by_identity(rl: ir.RateLimit) -> bool:
    return rl.key.kind in ("consumer", "claim")


def route_metadata(rl: ir.RateLimit) -> dict:
    """The filter_metadata of each Envoy route of a limited spec route: its budget."""
    return {META: {"budget": rl.budget}}


def bucket(rl: ir.RateLimit) -> dict:
    size = rl.burst + 1 if rl.algorithm in ("token_bucket", "leaky_bucket") else rl.requests
    return {"max_tokens": size, "tokens_per_fill": rl.requests, "fill_interval": dur(rl.period_ms)}


_BUDGET = {"metadata": {"descriptor_key": BUDGET_KEY, "source": "ROUTE_ENTRY",
                        "metadata_key": {"key": META, "path": [{"key": "budget"}]}}}


def actions(k: ir.LimitKey) -> list[dict]:
    """The filter's rate_limits entries that make the descriptors of a limit keyed by `k`."""
    if k.kind == "client_ip":
        return [{"actions": [_BUDGET, {"remote_address": {}}]}]
    if k.kind == "header":
        h = k.name.lower()
        absent = {"header_value_match": {"descriptor_key": f"{ABSENT_KEY}:{h}", "descriptor_value": "1",
                                         "expect_match": False,
                                         "headers": [{"name": h, "string_match": {"safe_regex": {"regex": ".+"}}}]}}
        return [{"actions": [_BUDGET, {"request_headers": {"header_name": h, "descriptor_key": f"{VALUE_KEY}:{h}"}}]},
                {"actions": [_BUDGET, absent]}]
    return [{"actions": [_BUDGET, {"metadata": {"descriptor_key": ID_KEY, "source": "DYNAMIC", "metadata_key": {
        "key": IDENTITY_NS, "path": [{"key": IDENTITY_KEY}]}}}]}]


def descriptors(rl: ir.RateLimit) -> list[dict]:
    budget = {"key": BUDGET_KEY, "value": rl.budget}
    k = rl.key
    if k.kind == "client_ip":
        keys = [{"key": "remote_address"}]
    elif k.kind == "header":
        h = k.name.lower()
        keys = [{"key": f"{VALUE_KEY}:{h}"}, {"key": f"{ABSENT_KEY}:{h}", "value": "1"}]
    else:
        keys = [{"key": ID_KEY}]
    return [{"entries": [budget, e], "token_bucket": bucket(rl)} for e in keys]


def _filter(name: str, stat: str, limits: list[ir.RateLimit]) -> list[dict]:
    seen: dict[str, ir.RateLimit] = {}
    for rl in limits:
        seen.setdefault(rl.budget, rl)
    if not seen:
        return []
    acts: list[dict] = []
    for b in sorted(seen):
        acts += [a for a in actions(seen[b].key) if a not in acts]
    cfg = typed("envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
                stat_prefix=stat,
                token_bucket={"max_tokens": UNLIMITED, "tokens_per_fill": UNLIMITED, "fill_interval": "1s"},
                filter_enabled=ON, filter_enforced=ON, rate_limits=acts,
                descriptors=[d for b in sorted(seen) for d in descriptors(seen[b])],
                max_dynamic_descriptors=MAX_KEYS)
    return [{"name": name, "typed_config": cfg}]


def filter_config(limits: list[ir.RateLimit]) -> list[dict]:
    """The local_ratelimit filter for the limits keyed by client address or header (before
    authentication)."""
    return _filter(NAME, "gatewayc_rate_limit", [rl for rl in limits if not by_identity(rl)])


def identity_filter(limits: list[ir.RateLimit]) -> list[dict]:
    """The local_ratelimit filter for the limits keyed by identity (after the verdict step)."""
    return _filter(IDENTITY_FILTER, "gatewayc_identity_rate_limit", [rl for rl in limits if by_identity(rl)])


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
