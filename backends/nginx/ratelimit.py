"""Rate and concurrency limits: limit_req / limit_conn with per-policy zones.

limit_req with `burst=B nodelay` is a token bucket of B+1 tokens refilled at the rate,
which is what the spec's token bucket means (its default burst is requests - 1: one
period's worth at once); the window algorithms are approximated by it."""
from __future__ import annotations

from gatewayc.ir import model as ir
from gatewayc.units import duration

from .context import Context, d, header_var

ZONE_SIZE = "10m"


def _zone(kind: str, ctx: Context, policy: object) -> str:
    def values(gw: ir.Gateway, r: ir.Route) -> list:
        p = r.policies.rate_limit if kind == "rl" else r.policies.concurrency_limit
        var = key_var(gw, r, p.key, ctx) if p else None
        return [(p, var)] if var else []
    return ctx.shared_name(kind, policy, values)


def key_var(gw: ir.Gateway, route: ir.Route, key: ir.LimitKey | None, ctx: Context) -> str | None:
    if key is None:
        return "$gwc_all"
    if key.kind == "client_ip":
        return "$binary_remote_addr"
    if key.kind == "header":
        v = header_var(key.name or "")
        if v is None:
            ctx.note("GWC310", f"route {route.name!r}: nginx cannot key a limit on header {key.name!r} "
                     "(only letters, digits and '-' map to a variable)", route.loc)
        return v
    # consumer / claim: the authenticated identity, which only the njs side knows
    return ctx.limit_key_var(gw, route)


def _rate(rl: ir.RateLimit, ctx: Context) -> str:
    if rl.period_ms == 1000:
        return f"{rl.requests}r/s"
    per_minute = rl.requests * 60_000 / rl.period_ms
    if per_minute != int(per_minute):
        # no route name: one note per rate limit, however many routes inherit it
        ctx.note("GWC311", f"rates are whole requests per second or minute; {rl.requests} per "
                 f"{duration(rl.period_ms)} becomes {max(1, round(per_minute))}r/m", rl.loc)
    return f"{max(1, round(per_minute))}r/m"


def http_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    zones: dict[str, dict] = {}
    for gw in gateways:
        for r in gw.routes:
            p = r.policies
            if p.rate_limit and not ctx.dropping(f"rate_limit.{p.rate_limit.algorithm}"):
                var = key_var(gw, r, p.rate_limit.key, ctx)
                if var:
                    z = _zone("rl", ctx, (p.rate_limit, var))
                    zones[z] = d("limit_req_zone", var, f"zone={z}:{ZONE_SIZE}", f"rate={_rate(p.rate_limit, ctx)}")
            if p.concurrency_limit and not ctx.dropping("concurrency_limit"):
                var = key_var(gw, r, p.concurrency_limit.key, ctx)
                if var:
                    z = _zone("cl", ctx, (p.concurrency_limit, var))
                    zones[z] = d("limit_conn_zone", var, f"zone={z}:{ZONE_SIZE}")
    return [zones[k] for k in sorted(zones)]


def refusal_status(status: int, what: str, route: ir.Route, ctx: Context) -> int:
    if 400 <= status <= 599:
        return status
    ctx.note("GWC311", f"route {route.name!r}: nginx refuses with a 4xx/5xx status only; {what} uses 429", route.loc)
    return 429


def location_directives(gw: ir.Gateway, route: ir.Route, ctx: Context) -> list[dict]:
    out: list[dict] = []
    p = route.policies
    rl = p.rate_limit
    if rl and not ctx.dropping(f"rate_limit.{rl.algorithm}"):
        var = key_var(gw, route, rl.key, ctx)
        if var:
            status = refusal_status(rl.status, "the rate limit", route, ctx)
            # the IR's burst is nginx's: requests accepted at once above the steady rate.
            # A window lets a whole window's worth through at once; a leaky bucket queues
            # (no nodelay) and lets requests out at the rate.
            burst = rl.burst + (rl.requests - 1 if rl.algorithm in ("fixed_window", "sliding_window") else 0)
            args = [f"zone={_zone('rl', ctx, (rl, var))}"]
            if burst:
                args += [f"burst={burst}"] + ([] if rl.algorithm == "leaky_bucket" else ["nodelay"])
            # the answer (body, Retry-After) is the route's error_page (answers.py)
            out += [d("limit_req", *args), d("limit_req_status", status)]
    cl = p.concurrency_limit
    if cl and not ctx.dropping("concurrency_limit"):
        var = key_var(gw, route, cl.key, ctx)
        if var:
            status = refusal_status(cl.status, "the concurrency limit", route, ctx)
            out += [d("limit_conn", _zone("cl", ctx, (cl, var)), cl.max), d("limit_conn_status", status)]
    return out
