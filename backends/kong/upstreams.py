"""Kong upstreams (targets, health checks, circuit breaker) and services."""
from __future__ import annotations

import ipaddress

from gatewayc.ir import model as ir

from . import ids
from .context import Ctx

_ACTIVE_HEALTHY = [200, 302]
_ACTIVE_UNHEALTHY = [404, 429, 500, 501, 502, 503, 504, 505]
_PASSIVE_HEALTHY = [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308]
_PASSIVE_UNHEALTHY = [429, 500, 503]
# what a recovery probe of "/" counts as healthy when the spec has a circuit breaker but no health check
_PROBE_HEALTHY = [200, 201, 202, 203, 204, 205, 206, 301, 302, 303, 304, 307, 308, 401, 403, 404, 405]


def seconds(ms: int) -> int:
    """decK types health check intervals and timeouts as whole seconds: round up."""
    return -(-ms // 1000)


def _count(n: int) -> int:
    return max(0, min(255, n))


def target_string(t: ir.Target) -> str:
    try:
        if ipaddress.ip_address(t.host).version == 6:
            return f"[{t.host}]:{t.port}"
    except ValueError:
        pass
    return f"{t.host}:{t.port}"


def upstream(svc: ir.Service, ctx: Ctx) -> dict:
    name = ids.upstream_name(svc.name)
    scheme = svc.targets[0].scheme if svc.targets else "http"
    targets: dict[str, int] = {}
    for t in svc.targets:
        key = target_string(t)
        targets[key] = targets.get(key, 0) + t.weight
    return {
        "name": name,
        "id": ctx.id("upstream", name),
        "algorithm": "round-robin",
        "hash_fallback": "none",
        "hash_on": "none",
        "hash_on_cookie_path": "/",
        "healthchecks": healthchecks(svc, scheme, ctx),
        "slots": 10000,
        "targets": [{"target": k, "id": ctx.id("target", f"{name}/{k}"), "weight": min(targets[k], 65535)}
                    for k in sorted(targets)],
        "use_srv_name": False,
    }


def healthchecks(svc: ir.Service, scheme: str, ctx: Ctx) -> dict:
    active = {
        "concurrency": 10,
        "healthy": {"http_statuses": _ACTIVE_HEALTHY, "interval": 0, "successes": 0},
        "http_path": "/",
        "https_verify_certificate": True,
        "timeout": 1,
        "type": scheme,
        "unhealthy": {"http_failures": 0, "http_statuses": _ACTIVE_UNHEALTHY, "interval": 0, "tcp_failures": 0,
                      "timeouts": 0},
    }
    passive = {
        "healthy": {"http_statuses": _PASSIVE_HEALTHY, "successes": 0},
        "type": scheme,
        "unhealthy": {"http_failures": 0, "http_statuses": _PASSIVE_UNHEALTHY, "tcp_failures": 0, "timeouts": 0},
    }
    hc, cb = svc.health_check, svc.circuit_breaker
    if hc is not None:
        n = _count(hc.unhealthy_threshold)
        active.update({
            "http_path": hc.path,
            "timeout": seconds(hc.timeout_ms),
            "healthy": {"http_statuses": list(hc.statuses), "interval": seconds(hc.interval_ms),
                        "successes": _count(hc.healthy_threshold)},
            "unhealthy": {"http_failures": n,
                          "http_statuses": sorted(set(_ACTIVE_UNHEALTHY) - set(hc.statuses)),
                          "interval": seconds(hc.interval_ms), "tcp_failures": n, "timeouts": n},
        })
    if cb is not None:
        if cb.consecutive_failures is None:
            ctx.error(f"service {svc.name!r}: a circuit breaker on `failure_percent` alone: Kong's passive "
                      f"health checks count failures, not a failure rate", cb.loc,
                      hint="add `consecutive_failures`")
        else:
            n = _count(cb.consecutive_failures)
            passive["unhealthy"] = {"http_failures": n, "http_statuses": list(cb.failure_statuses),
                                    "tcp_failures": n, "timeouts": n}
            if cb.failure_percent is not None:
                ctx.warn(f"service {svc.name!r}: the circuit breaker opens after {n} failures only; "
                         f"`failure_percent` has no Kong equivalent", cb.loc)
            if hc is None:
                # passive checks never bring a target back: probe ejected targets every open_for
                active["healthy"] = {"http_statuses": _PROBE_HEALTHY, "interval": 0,
                                     "successes": _count(cb.half_open_requests)}
                active["unhealthy"] = {"http_failures": 0, "http_statuses": _ACTIVE_UNHEALTHY,
                                       "interval": seconds(cb.open_ms), "tcp_failures": 0, "timeouts": 0}
            else:
                ctx.info(f"service {svc.name!r}: an ejected target comes back after {hc.healthy_threshold} "
                         f"successful health checks, not after `open_for`", cb.loc)
    return {"active": active, "passive": passive, "threshold": 0}


def service(name: str, route: ir.Route, ctx: Ctx) -> dict:
    """One Kong service per IR route: route-level timeouts and path rewrites live on the service,
    and plugins attached to it share their counters across all the route's Kong routes."""
    a = route.action
    if not isinstance(a, ir.Forward):  # answered by a plugin (request-termination, redirect): never contacted
        return {"name": name, "id": ctx.id("service", name), "connect_timeout": 60000, "enabled": True,
                "host": "127.0.0.1", "port": 9, "protocol": "http", "read_timeout": 60000, "retries": 0,
                "write_timeout": 60000}
    svc = a.service
    scheme = svc.targets[0].scheme if svc.targets else "http"
    base = svc.targets[0].base_path if svc.targets else ""
    path = base or None
    pr = a.path_rewrite
    if pr is not None and pr.kind == "replace_prefix":
        path = (base + pr.value) if pr.value != "/" or not base else base + "/"
    t, rt = svc.timeouts, route.policies.timeouts
    per_try = None if "upstream.per_try_timeout" in ctx.dropped else (rt.per_try_ms or t.per_try_ms)

    def wait(ms: int | None) -> int:
        # Kong's timeouts are per try, each wait of it: none may outlast per_try
        ms = ms or 60000
        return min(ms, per_try) if per_try else ms

    e = {
        "name": name,
        "id": ctx.id("service", name),
        "connect_timeout": wait(rt.connect_ms or t.connect_ms),
        "enabled": True,
        "host": ids.upstream_name(svc.name),
    }
    if path:
        e["path"] = path
    e.update({
        "port": 443 if scheme == "https" else 80,
        "protocol": scheme,
        "read_timeout": wait(rt.read_ms or t.read_ms),
        "retries": min(svc.retry.attempts - 1, 32767) if svc.retry else 0,
        "write_timeout": wait(rt.send_ms or t.send_ms),
    })
    return e
