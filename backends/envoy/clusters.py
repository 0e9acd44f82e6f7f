"""IR services -> Envoy clusters: weighted endpoints, connect timeout, active health checks
and the spec's circuit breaker as outlier detection.

The spec's breaker takes a failing target out for `open_for`; Envoy's outlier detection
ejects a host for `base_ejection_time` (growing with each ejection unless capped: capped
here at the same value). Envoy's panic threshold would send traffic to every host again
once fewer than half are healthy (with one target: at once); it is 0 on every cluster, so
a service whose targets are all out answers 503 without contacting them (fail fast).

An https service's certificate is verified (upstream_tls): Envoy would otherwise take any
certificate. Targets on several hosts get a TLS context each (transport_socket_matches), so
that each is asked for and checked against its own name."""
from __future__ import annotations

from gatewayc.ir import model as ir

from ..base import SYSTEM_CA, is_ip  # Envoy trusts no CA by default
from .context import Ctx, dur, name, typed

MATCH = "envoy.transport_socket_match"
# Envoy caps the retries in flight per cluster at 3 by default: a retry the spec asks for is
# dropped under concurrency. The spec has no such cap.
NO_CAP = 1_000_000_000
GATEWAY_ERRORS = (502, 503, 504)


def connect_ms(route: ir.Route | None, svc: ir.Service, ctx: Ctx) -> int | None:
    if ctx.dropping("upstream.timeouts"):
        return None
    own = route.policies.timeouts.connect_ms if route is not None else None
    return own or svc.timeouts.connect_ms


def cluster_name(route: ir.Route | None, svc: ir.Service, ctx: Ctx) -> str:
    """One cluster per service, plus one per other connect timeout a route gives it (Envoy's
    connect timeout belongs to the cluster)."""
    c = connect_ms(route, svc, ctx)
    if c == connect_ms(None, svc, ctx):
        return name("service", svc.name)
    return name("service", svc.name, f"c{c}")


def cluster(cname: str, svc: ir.Service, connect: int | None, ctx: Ctx) -> dict:
    endpoints = []
    for t in svc.targets:
        if t.weight == 0:
            continue  # out of rotation
        endpoints.append({"endpoint": {"address": {"socket_address": {"address": t.host, "port_value": t.port}}},
                          "load_balancing_weight": t.weight})
    static = all(is_ip(t.host) for t in svc.targets)
    out: dict = {"name": cname, "type": "STATIC" if static else "STRICT_DNS"}
    if not static:
        out["dns_lookup_family"] = "V4_PREFERRED"
    if connect:
        out["connect_timeout"] = dur(connect)
    out["lb_policy"] = "ROUND_ROBIN"
    out["load_assignment"] = {"cluster_name": cname, "endpoints": [{"lb_endpoints": endpoints}]}
    out["common_lb_config"] = {"healthy_panic_threshold": {"value": 0}}
    if svc.retry is not None and not ctx.dropping("upstream.retry"):
        out["circuit_breakers"] = {"thresholds": [{"priority": "DEFAULT", "max_retries": NO_CAP}]}
    hc = svc.health_check if not ctx.dropping("upstream.health_check") else None
    if hc:
        out["health_checks"] = [health_check(hc)]
    cb = svc.circuit_breaker if not ctx.dropping("upstream.circuit_breaker") else None
    if cb:
        out["outlier_detection"] = outlier(svc, cb, ctx)
    if svc.targets[0].scheme == "https":
        hosts = list(dict.fromkeys(t.host for t in svc.targets if t.weight))
        if len(hosts) == 1:
            out["transport_socket"] = upstream_tls(hosts[0], SYSTEM_CA)
        else:
            # one TLS context per host (its SNI and name to verify), picked by the endpoint's metadata
            for ep in endpoints:
                host = ep["endpoint"]["address"]["socket_address"]["address"]
                ep["metadata"] = {"filter_metadata": {MATCH: {"gatewayc_host": host}}}
            out["transport_socket_matches"] = [{"name": h, "match": {"gatewayc_host": h},
                                                "transport_socket": upstream_tls(h, SYSTEM_CA)} for h in hosts]
    return out


def upstream_tls(host: str, ca: str) -> dict:
    """TLS to `host`, verified: a certificate from a CA in the bundle `ca` (Envoy trusts none
    by default) that names `host` (a DNS or IP subject alternative name); SNI `host` (not for
    an IP address)."""
    ip = is_ip(host)
    tls: dict = {"common_tls_context": {"validation_context": {
        "trusted_ca": {"filename": ca},
        "match_typed_subject_alt_names": [{"san_type": "IP_ADDRESS" if ip else "DNS", "matcher": {"exact": host}}]}}}
    if not ip:
        tls["sni"] = host
    return {"name": "envoy.transport_sockets.tls", "typed_config": typed(
        "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext", **tls)}


def health_check(hc: ir.HealthCheck) -> dict:
    ranges = []
    for s in sorted(hc.statuses):
        if ranges and ranges[-1]["end"] == s:
            ranges[-1]["end"] = s + 1
        else:
            ranges.append({"start": s, "end": s + 1})
    return {"timeout": dur(hc.timeout_ms), "interval": dur(hc.interval_ms),
            # without traffic Envoy checks every 60 s instead of `interval`
            "no_traffic_interval": dur(hc.interval_ms),
            "unhealthy_threshold": hc.unhealthy_threshold, "healthy_threshold": hc.healthy_threshold,
            "http_health_check": {"path": hc.path, "expected_statuses": ranges}}


def outlier(svc: ir.Service, cb: ir.CircuitBreaker, ctx: Ctx) -> dict:
    out: dict = {}
    statuses = set(cb.failure_statuses)
    low = sorted(s for s in statuses if s < 500)
    if low:
        ctx.warn(f"service {svc.name!r}: Envoy's outlier detection counts only 5xx responses and connection "
                 f"errors as failures; {', '.join(map(str, low))} are not counted", svc.loc)
    gateway_only = statuses <= set(GATEWAY_ERRORS)
    if cb.consecutive_failures is not None:
        if gateway_only:
            out.update({"consecutive_5xx": cb.consecutive_failures, "enforcing_consecutive_5xx": 0,
                        "consecutive_gateway_failure": cb.consecutive_failures,
                        "enforcing_consecutive_gateway_failure": 100})
        else:
            out.update({"consecutive_5xx": cb.consecutive_failures, "enforcing_consecutive_5xx": 100,
                        "enforcing_consecutive_gateway_failure": 0})
        # a host comes back at the first sweep after its ejection time: sweep often
        interval = min(1000, cb.open_ms)
    else:
        out.update({"enforcing_consecutive_5xx": 0, "enforcing_consecutive_gateway_failure": 0})
        interval = cb.window_ms
    if cb.failure_percent is not None:
        out.update({"failure_percentage_threshold": {"value": cb.failure_percent},
                    "enforcing_failure_percentage": 100, "failure_percentage_minimum_hosts": 1,
                    "failure_percentage_request_volume": cb.min_requests})
    out.update({"interval": dur(interval), "base_ejection_time": dur(cb.open_ms),
                "max_ejection_time": dur(cb.open_ms), "max_ejection_percent": 100,
                "enforcing_success_rate": 0})
    return out
