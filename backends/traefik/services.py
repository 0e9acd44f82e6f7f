"""IR services -> Traefik load balancers, servers transports (timeouts) and the service-level
middlewares whose state must live once per service: retries.

The spec's circuit breaker is outlier ejection per target, which is what Traefik's passive
health check does (3.6+): a server that fails `maxFailedAttempts` times within `failureWindow`
is taken out for `failureWindow`. The `circuitBreaker` middleware is not used: it opens a whole
router (each router its own breaker), not one target, and in 3.7 it trips on the first failure
(no volume threshold)."""
from __future__ import annotations

from dataclasses import dataclass

from gatewayc.ir import model as ir
from gatewayc.units import duration

from . import plugin
from .context import Ctx, name
from .durations import go_duration

NOOP = "noop@internal"


@dataclass(frozen=True)
class Transport:
    connect_ms: int | None
    read_ms: int | None

    def __bool__(self) -> bool:
        return bool(self.connect_ms or self.read_ms)


def transport_for(route: ir.Route | None, svc: ir.Service, ctx: Ctx) -> Transport:
    """The effective forwarding timeouts of a route to its service (route policy first);
    route None: the service's own."""
    t_svc = svc.timeouts
    t_route = route.policies.timeouts if route is not None else ir.Timeouts()
    connect = t_route.connect_ms or t_svc.connect_ms
    read = t_route.read_ms or t_svc.read_ms
    whole = None if ctx.dropping("upstream.request_timeout") else (t_route.request_ms or t_svc.request_ms)
    per_try = None if ctx.dropping("upstream.per_try_timeout") else (t_route.per_try_ms or t_svc.per_try_ms)
    if ctx.dropping("upstream.timeouts"):
        connect = read = None
    cap = min(x for x in (per_try, whole) if x) if per_try or whole else None
    if cap:
        # no wait of a try may outlast a try or the whole request (Traefik times each try's
        # connection and response headers; the response headers must come within it)
        connect = min(connect or cap, cap)
        read = min(read or cap, cap)
    # no send timeout: Traefik has none (the capability note of upstream.timeouts says so)
    return Transport(connect, read)


def service_name(svc: ir.Service, tr: Transport, default: Transport) -> str:
    """One Traefik service per IR service, plus one per other set of route timeouts."""
    if tr == default:
        return name("service", svc.name)
    parts = [f"c{tr.connect_ms}" if tr.connect_ms else "", f"r{tr.read_ms}" if tr.read_ms else ""]
    return name("service", svc.name, "-".join(p for p in parts if p) or "default")


def load_balancer(svc: ir.Service, tr: Transport, ctx: Ctx, transports: dict[str, dict],
                  transport_name: str) -> dict:
    servers = []
    for t in svc.targets:
        if t.weight == 0:
            continue  # out of rotation (Traefik ignores a non-positive weight anyway)
        host = f"[{t.host}]" if ":" in t.host else t.host
        # the base path is added by the route (routers.rewrite)
        servers.append({"url": f"{t.scheme}://{host}:{t.port}", "weight": t.weight})
    lb: dict = {"servers": servers, "passHostHeader": True}
    hc = svc.health_check if not ctx.dropping("upstream.health_check") else None
    if hc:
        lb["healthCheck"] = health_check(svc, hc, ctx)
    cb = svc.circuit_breaker if not ctx.dropping("upstream.circuit_breaker") else None
    if cb:
        lb["passiveHealthCheck"] = passive(svc, cb, ctx)
    if tr:
        ft: dict = {}
        if tr.connect_ms:
            ft["dialTimeout"] = go_duration(tr.connect_ms)
        if tr.read_ms:
            ft["responseHeaderTimeout"] = go_duration(tr.read_ms)
        transports[transport_name] = {"forwardingTimeouts": ft}
        lb["serversTransport"] = transport_name
    return lb


def health_check(svc: ir.Service, hc: ir.HealthCheck, ctx: Ctx) -> dict:
    out: dict = {"path": hc.path, "interval": go_duration(hc.interval_ms), "timeout": go_duration(hc.timeout_ms)}
    if len(hc.statuses) == 1:
        out["status"] = hc.statuses[0]
    else:
        ctx.warn(f"service {svc.name!r}: Traefik's health check expects one status; any 2xx or 3xx counts as "
                 f"healthy instead of {', '.join(map(str, hc.statuses))}", hc.loc)
    return out


def passive(svc: ir.Service, cb: ir.CircuitBreaker, ctx: Ctx) -> dict:
    if cb.consecutive_failures is not None:
        n = cb.consecutive_failures
    else:
        n = max(1, cb.min_requests * (cb.failure_percent or 100) // 100)
        ctx.warn(f"service {svc.name!r}: Traefik counts failures, not a failure rate: a target is taken out after "
                 f"{n} failures within {duration(cb.open_ms)}", cb.loc)
    ignored = [s for s in cb.failure_statuses if s < 500]
    if ignored:
        ctx.warn(f"service {svc.name!r}: Traefik's passive health check counts only 5xx responses and connection "
                 f"errors as failures; {', '.join(map(str, ignored))} are not counted", cb.loc)
    return {"failureWindow": go_duration(cb.open_ms), "maxFailedAttempts": n}


def retry(svc: ir.Service, r: ir.Retry, ctx: Ctx) -> dict:
    """Traefik 3.7's retry: `attempts` counts every try, like the spec. Its network-error
    retry takes a try that never reached the service (a connection that failed), whatever the
    method; a timeout only comes back as its proxy's 504, which the tries job inside
    (plugin.tries) turns into TIMEOUT_RETRY when the spec retries timeouts, and into a status
    never retried otherwise, like the proxy's 502 and 503: the statuses are the service's."""
    out: dict = {"attempts": r.attempts}
    if r.backoff_base_ms is not None and not ctx.dropping("upstream.retry.backoff"):
        out["initialInterval"] = go_duration(r.backoff_base_ms)
    statuses = [str(s) for s in r.statuses] + ([str(plugin.TIMEOUT_RETRY)] if r.on_timeout else [])
    if statuses:
        out["status"] = statuses
    if not r.on_connect_failure:
        out["disableRetryOnNetworkError"] = True
    if r.non_idempotent:
        out["retryNonIdempotentMethod"] = True
    return out
