"""Response caching (REST only: the HTTP API has no cache).

API Gateway caches per stage (a cache cluster) and per method (`MethodSettings`:
`CachingEnabled`, `CacheTtlInSeconds` 1-3600). An entry's key is the resource and the
method request parameters listed in the integration's `cacheKeyParameters`, so:

- a greedy resource keys on `method.request.path.proxy` (else every path below it would
  share one entry); `vary` headers and query parameters become `method.request.header.X` /
  `method.request.querystring.x` parameters of the operation and keys;
- a method requiring an API key keys on the key too, so one consumer is never answered
  with another's entry (as the other targets key authenticated routes on the credential);
- the spec's default key holds the whole query string, which API Gateway cannot key on:
  refused, the hint says to list the parameters in `vary.query` instead;
- `bypass` has no equivalent (refused); `statuses` neither: API Gateway stores the
  service's answer whatever its status (a warning says so).

A route written for any method (`x-amazon-apigateway-any-method`) gets explicit operations
for its cached methods, so the cache settings name exactly those (API Gateway picks an
explicit method before ANY); every other method is written uncached (`/*/*`), never left
to API Gateway's stage default (which caches every GET)."""
from __future__ import annotations

from typing import Any

from gatewayc.ir import model as ir

from .context import Ctx
from .tree import ANY, Op

CLUSTER_SIZE = "0.5"  # GB, the smallest: the spec has no size
MAX_TTL_S = 3600


def spell_out(ops: dict[str, dict[str, Op]], ttls: dict[ir.Cache, int]) -> dict[str, dict[str, Op]]:
    """The table with an explicit operation for each cached method of a cached ANY route
    (`ttls`: the cache policies that are built)."""
    out: dict[str, dict[str, Op]] = {}
    for path, methods in ops.items():
        any_op = methods.get(ANY)
        cache = any_op.route.policies.cache if any_op is not None else None
        if cache is None or cache not in ttls:
            out[path] = methods
            continue
        extra = {m: any_op for m in cache.methods if m not in methods}
        merged = {**methods, **extra}
        out[path] = {m: merged[m] for m in sorted(merged, key=lambda m: (m == ANY, m))}
    return out


def ttl_seconds(ctx: Ctx) -> dict[ir.Cache, int]:
    """The gateway's cache policies that can be built, with their TTL in seconds; a refusal
    (GWC310) or an approximation (GWC311) for each that cannot be built exactly."""
    out: dict[ir.Cache, int] = {}
    for r in ctx.gateway.routes:
        c = r.policies.cache
        if c is None or c in out or ctx.dropping("cache") or not isinstance(r.action, ir.Forward):
            continue
        if not ctx.only_rest("a response cache", c.loc, "cache"):
            continue
        ttl = _check(c, ctx)
        if ttl is not None:
            out[c] = ttl
    return out


def key_parameters(op: Op, method: str, keyed: bool, ttls: dict[ir.Cache, int]) -> list[tuple[str, str]] | None:
    """(in, name) of the method request parameters a cached operation keys on, or None when
    the operation is not cached."""
    c = op.route.policies.cache
    if c is None or c not in ttls or method not in c.methods:
        return None
    out: list[tuple[str, str]] = []
    if op.greedy and "path" in c.key:
        out.append(("path", "proxy"))
    out += [("header", h) for h in c.vary_headers]
    if keyed:
        out.append(("header", "X-API-Key"))
    out += [("querystring", q) for q in c.vary_query]
    return out


def stage_settings(ops: dict[str, dict[str, Op]], ttls: dict[ir.Cache, int]) -> dict[str, Any]:
    """The Stage's cache properties: the cluster and one method setting per cached method."""
    settings = []
    for path, methods in ops.items():
        for method, op in methods.items():
            c = op.route.policies.cache
            if c is not None and c in ttls and method in c.methods:
                settings.append({"ResourcePath": _setting_path(path), "HttpMethod": method,
                                 "CachingEnabled": True, "CacheTtlInSeconds": ttls[c]})
    if not settings:
        return {}
    default = {"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": False}
    return {"CacheClusterEnabled": True, "CacheClusterSize": CLUSTER_SIZE, "MethodSettings": [default, *settings]}


def _setting_path(path: str) -> str:
    """A method setting's resource path: `/a/b` is `/~1a~1b` (slashes as `~1` after the first),
    the root resource `/`."""
    return "/" + path.replace("/", "~1") if path != "/" else "/"


def _check(c: ir.Cache, ctx: Ctx) -> int | None:
    if "query" in c.key:
        ctx.limitation("cache", "API Gateway keys a cache entry on the resource and the parameters listed in "
                       "cacheKeyParameters, never on the whole query string (the spec's `key` holds `query`)", c.loc,
                       hint="set `key: [method, host, path]` and list the query parameters the answer depends on in "
                            "`vary.query`")
        return None
    if c.bypass_headers or c.bypass_query:
        ctx.limitation("cache", "API Gateway cannot skip its cache for a request header or query parameter "
                       "(`bypass`)", c.loc, hint="remove `bypass`")
        return None
    if c.ttl_ms < 1000 or c.ttl_ms > MAX_TTL_S * 1000:
        ctx.limitation("cache", f"a cache TTL of {c.ttl_ms} ms: API Gateway caches for 1-{MAX_TTL_S} s", c.loc,
                       hint="set `ttl` between 1s and 1h")
        return None
    if c.ttl_ms % 1000:
        ctx.warn(f"the cache TTL is whole seconds: {c.ttl_ms} ms is cached for {c.ttl_ms // 1000} s", c.loc)
    ctx.warn(f"API Gateway stores the service's answer whatever its status; the spec caches only "
             f"{', '.join(map(str, c.statuses))}", c.loc)
    if "path" not in c.key:
        ctx.warn("API Gateway keeps each resource's cache entries apart; the spec's `key` has no `path`", c.loc)
    return c.ttl_ms // 1000
