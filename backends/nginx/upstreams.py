"""Services -> upstream blocks; per-route proxy settings: timeouts, retries, keepalive.

nginx's passive failure accounting (max_fails/fail_timeout) stands in for the circuit
breaker; active health checks and retry backoff do not exist in open-source nginx."""
from __future__ import annotations

import re

from gatewayc.ir import model as ir

from ..base import SYSTEM_CA, is_ip
from .context import Context, d

# statuses proxy_next_upstream can name; anything else cannot trigger a retry
_NEXT_UPSTREAM = {500: "http_500", 502: "http_502", 503: "http_503", 504: "http_504",
                  403: "http_403", 404: "http_404", 429: "http_429"}
KEEPALIVE = 64  # idle upstream connections kept per worker; 16 reopened ~30 % under load (benchmarks/nginx_throughput.py)


def _server_addr(t: ir.Target) -> str:
    host = f"[{t.host}]" if ":" in t.host else t.host
    return f"{host}:{t.port}"


def verified_tls(t: ir.Target) -> list[dict]:
    """TLS to an https target as the spec means it: SNI = the target's host, and the
    service's certificate from a CA in the system bundle, naming that host. nginx verifies
    nothing by default, and checks at most one CA below the leaf (depth 1) where public chains
    have an intermediate."""
    if t.scheme != "https":
        return []
    return [d("proxy_ssl_server_name", "on"), d("proxy_ssl_name", t.host), d("proxy_ssl_verify", "on"),
            d("proxy_ssl_trusted_certificate", SYSTEM_CA), d("proxy_ssl_verify_depth", "100")]


def _unverifiable(svc: ir.Service, ctx: Context) -> None:
    https = [t for t in svc.targets if t.scheme == "https"]
    if not https:
        return
    if any(is_ip(t.host) for t in https):
        ctx.note("GWC310", f"service {svc.name!r}: nginx checks an https service's certificate against DNS "
                 "names only, so a target addressed by IP address cannot be verified; give it a DNS name",
                 svc.loc)
    elif len({t.host for t in https}) > 1:
        ctx.note("GWC310", f"service {svc.name!r}: nginx sends one TLS name per service, so https targets on "
                 "different hosts cannot each be verified against their own name; make one service per host",
                 svc.loc)


def _live(svc: ir.Service) -> list[ir.Target]:
    return [t for t in svc.targets if t.weight > 0]  # weight 0: "never send traffic"; nginx has no weight 0


def copies(svc: ir.Service, ctx: Context) -> int:
    """How often each target is listed. nginx never tries one `server` twice in a request,
    so a service with fewer targets than retry attempts lists every target again until
    each attempt has one to go to; the copies keep the weights, so traffic shares hold."""
    retry = svc.retry if not ctx.dropping("upstream.retry") else None
    live = max(1, len(_live(svc)))
    return -(-retry.attempts // live) if retry and retry.attempts > live else 1


def upstream_block(svc: ir.Service, ctx: Context) -> dict:
    cb = svc.circuit_breaker if not ctx.dropping("upstream.circuit_breaker") else None
    live, n = _live(svc), copies(svc, ctx)
    health: list[str] = ["max_fails=0"]  # no breaker asked for: never eject on errors
    if cb:
        # nginx counts failed tries per server within fail_timeout, then takes the server
        # out for fail_timeout: the closest thing to consecutive failures + open_for. A
        # target listed n times is out once every copy is: each counts its share.
        fails = cb.consecutive_failures or max(1, cb.min_requests * (cb.failure_percent or 100) // 100)
        uncounted(svc, cb, ctx)
        health = [f"max_fails={-(-fails // n)}", f"fail_timeout={max(1, -(-cb.open_ms // 1000))}s"]
    # round after round, so a retry goes to another target before the same one again
    servers = [d("server", _server_addr(t), f"weight={t.weight}", *health) for _ in range(n) for t in live]
    if cb and len(servers) == 1:
        # nginx neither counts failures nor ejects when an upstream has a single server;
        # a server that is never used (`down`) makes it keep the accounts
        servers.append(d("server", _server_addr(live[0]), "down"))
    _unverifiable(svc, ctx)
    bases = {t.base_path for t in svc.targets}
    if len(bases) > 1:
        ctx.note("GWC310", f"service {svc.name!r}: targets have different base paths; nginx uses "
                 f"{svc.targets[0].base_path or '/'!r} for all of them", svc.loc)
    if svc.health_check and not ctx.dropping("upstream.health_check"):
        ctx.note("GWC311", f"service {svc.name!r}: active health checks need NGINX Plus; only failures seen "
                 "on real traffic take a target out", svc.health_check.loc)
    # the zone shares failure counts (the circuit breaker) between worker processes
    zone = d("zone", ctx.upstream_name(svc), "64k")
    return d("upstream", ctx.upstream_name(svc), block=[zone, *servers, d("keepalive", KEEPALIVE)])


def uncounted(svc: ir.Service, cb: ir.CircuitBreaker, ctx: Context) -> None:
    """nginx counts a failing status against a target (max_fails) only when it passes the
    request on to another try (proxy_next_upstream with tries left): the one place its
    round robin records a failure besides connection errors and timeouts. A status that no
    retry follows is never counted, whatever proxy_next_upstream says (measured on nginx
    1.22, one target and two: the breaker never opened), and counting it would take a retry
    the spec does not ask for."""
    retry = svc.retry if not ctx.dropping("upstream.retry") else None
    retried = set(retry.statuses) if retry and retry.attempts > 1 else set()
    missing = sorted(set(cb.failure_statuses) - retried)
    if missing:
        ctx.note("GWC310", f"service {svc.name!r}: a failing status counts against the circuit breaker only when "
                 f"nginx retries the request, so status {', '.join(map(str, missing))} would never open it; "
                 "add them to `retries.statuses` (attempts 2 or more), or leave them out of `failure_statuses` "
                 "(`failure_statuses: []`: connection errors and timeouts only)", cb.loc)


def _ms(v: int) -> str:
    return f"{v}ms"


def proxy_settings(gw: ir.Gateway, route: ir.Route, svc: ir.Service, ctx: Context,
                   mirror: bool = False) -> list[dict]:
    """Location-level directives for proxying `route` to `svc` (besides headers and URI).
    A `mirror` copy is tried once, with the mirror service's own timeouts, and its answer
    is ignored."""
    out: list[dict] = [d("proxy_http_version", "1.1")]
    t_svc, t_route = svc.timeouts, ir.Timeouts() if mirror else route.policies.timeouts
    whole = None if ctx.dropping("upstream.request_timeout") else (t_route.request_ms or t_svc.request_ms)
    per_try = None if ctx.dropping("upstream.per_try_timeout") else (t_route.per_try_ms or t_svc.per_try_ms)
    # nginx times each wait, never a whole try or request: no single wait may outlast either
    cap = min(x for x in (per_try, whole) if x) if per_try or whole else None
    for attr, directive in (("connect_ms", "proxy_connect_timeout"), ("read_ms", "proxy_read_timeout"),
                            ("send_ms", "proxy_send_timeout")):
        v = getattr(t_route, attr) or getattr(t_svc, attr)
        if cap:
            v = min(v or cap, cap)
        if v:
            out.append(d(directive, _ms(v)))
    tries = None
    if whole and not mirror:
        # a try, once started, runs to its end: with per_try, a retry starts only while a
        # whole try still fits before `request` has passed
        window = whole - per_try if per_try else whole
        if window > 0:
            out.append(d("proxy_next_upstream_timeout", _ms(window)))
        else:
            tries = 1
            if svc.retry and svc.retry.attempts > 1 and not ctx.dropping("upstream.retry"):
                ctx.note("GWC311", f"route {route.name!r}: `per_try` equals `request`, so no retry could end in "
                         "time: nginx makes one try", route.loc)
    out += verified_tls(svc.targets[0])
    if mirror:
        return out + [d("proxy_next_upstream", "off")]
    out += next_upstream(svc, ctx, tries)
    return out


def open_breaker(svc: ir.Service, ctx: Context) -> tuple[str, str] | None:
    """(variable, regex) telling an open breaker's 502 from others, or None without a
    breaker. With every target out, nginx answers 502 ("no live upstreams") without
    contacting the service; the spec's answer for an open breaker is 503. Such a 502 is the
    one whose last $upstream_addr entry is the upstream's name instead of an address (the
    route's answer, answers.py, turns it into the 503). A 502 the service sends itself
    never reaches error_page (no proxy_intercept_errors)."""
    cb = svc.circuit_breaker if not ctx.dropping("upstream.circuit_breaker") else None
    if not cb:
        return None
    return "$upstream_addr", f"(?:^|, ){re.escape(ctx.upstream_name(svc))}$"


def next_upstream(svc: ir.Service, ctx: Context, tries: int | None = None) -> list[dict]:
    """When to try again, for a route's proxying and for aggregation parts alike. `tries`:
    at most this many tries, whatever `retries` says."""
    retry = svc.retry if not ctx.dropping("upstream.retry") else None
    cb = svc.circuit_breaker if not ctx.dropping("upstream.circuit_breaker") else None
    conds: set[str] = set()
    statuses: set[int] = set()
    if retry:
        if retry.on_connect_failure:
            conds.add("error")
        if retry.on_timeout:
            conds.add("timeout")
        statuses |= set(retry.statuses)
    if cb:
        # a failure only counts towards max_fails if proxy_next_upstream names it
        conds |= {"error", "timeout"}
        statuses |= set(cb.failure_statuses)
    lost = sorted(s for s in statuses if s not in _NEXT_UPSTREAM)
    if lost:
        ctx.note("GWC310", f"service {svc.name!r}: nginx cannot retry or count failures on status "
                 f"{', '.join(map(str, lost))} (only 500, 502, 503, 504, 403, 404, 429)", svc.loc)
    conds |= {_NEXT_UPSTREAM[s] for s in statuses if s in _NEXT_UPSTREAM}
    if not conds:
        return [d("proxy_next_upstream", "off")]
    if retry and retry.non_idempotent:
        conds.add("non_idempotent")
    # attempts counts every try, the first included: the same as proxy_next_upstream_tries
    attempts = retry.attempts if retry else 1
    if tries:
        attempts = min(attempts, tries)
    return [d("proxy_next_upstream", *sorted(conds)), d("proxy_next_upstream_tries", attempts)]
