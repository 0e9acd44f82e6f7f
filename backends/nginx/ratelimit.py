"""Rate and concurrency limits: limit_req / limit_conn.

A rate limit counts in one limit_req_zone per budget (the routes that share a counter,
ir.RateLimit.budget): routes of one budget name the same zone, a route-scope limit gets a
zone of its own. limit_req with `burst=B nodelay` is a token bucket of B+1 tokens refilled
at the rate, which is what the spec's token bucket means (its default burst is
requests - 1: one period's worth at once); the window algorithms are approximated by it.

nginx does not count a request whose key is empty, so a header key is prefixed with a
constant: a request without the header counts under the empty value, never not at all.
A header key is the field value as HTTP defines it, without the spaces and tabs around it:
nginx strips the spaces only, so `\tt1` would otherwise be a fresh budget beside `t1`.

A limit keyed by an identity (consumer, claim) must count only verified identities, but
limit_req/limit_conn run in the preaccess phase, before auth (access). Such limits are
returned apart (`after_auth`): actions.py applies them in a named location the route's
location hands the request to once auth has passed (see njs_policies.IDENTITY_VAR)."""
from __future__ import annotations

from dataclasses import dataclass, field

from gatewayc.ir import model as ir
from gatewayc.units import duration

from . import njs_bridge
from .context import Context, d, header_var, stable_name

ZONE_SIZE = "10m"
IDENTITY_KINDS = ("consumer", "claim")


@dataclass
class RouteLimits:
    before_auth: list[dict] = field(default_factory=list)
    after_auth: list[dict] = field(default_factory=list)


def _rate_zone(rl: ir.RateLimit) -> str:
    return stable_name("gwc_rl", rl.budget)


def _conn_zone(ctx: Context, policy: object) -> str:
    def values(gw: ir.Gateway, r: ir.Route) -> list:
        p = r.policies.concurrency_limit
        var = key_var(gw, r, p.key, ctx) if p else None
        return [(p, var)] if var else []
    return ctx.shared_name("cl", policy, values)


def key_var(gw: ir.Gateway, route: ir.Route, key: ir.LimitKey | None, ctx: Context) -> str | None:
    """The zone key for `key`, never empty for a request nginx should count."""
    if key is None:
        return "$gwc_all"
    if key.kind == "client_ip":
        return "$binary_remote_addr"
    if key.kind == "header":
        v = header_var(key.name or "")
        if v is None:
            ctx.note("GWC310", f"route {route.name!r}: nginx cannot key a limit on header {key.name!r} "
                     "(only letters, digits and '-' map to a variable)", route.loc)
            return None
        var = ctx.var("rlkey", v)
        # greedy up to the last character that is not whitespace: linear on any value
        ctx.http_maps[var] = d("map", v, var, block=[d("default", "h"), d("~^[\\t ]*(?<v>.*[^\\t ])", "h$v")])
        return var
    # consumer / claim: the verified identity, set once auth has passed
    return njs_bridge.call("identity_variable", default="") or None


def _counted(limit: ir.RateLimit | ir.ConcurrencyLimit | None, ctx: Context) -> bool:
    if limit is None:
        return False
    return not ctx.dropping(f"rate_limit.{limit.algorithm}" if isinstance(limit, ir.RateLimit)
                            else "concurrency_limit")


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
            rl, cl = r.policies.rate_limit, r.policies.concurrency_limit
            if _counted(rl, ctx):
                var = key_var(gw, r, rl.key, ctx)
                if var:
                    z = _rate_zone(rl)
                    zones[z] = d("limit_req_zone", var, f"zone={z}:{ZONE_SIZE}", f"rate={_rate(rl, ctx)}")
            if _counted(cl, ctx):
                var = key_var(gw, r, cl.key, ctx)
                if var:
                    z = _conn_zone(ctx, (cl, var))
                    zones[z] = d("limit_conn_zone", var, f"zone={z}:{ZONE_SIZE}")
    return [zones[k] for k in sorted(zones)]


def refusal_status(status: int, what: str, route: ir.Route, ctx: Context) -> int:
    if 400 <= status <= 599:
        return status
    ctx.note("GWC311", f"route {route.name!r}: nginx refuses with a 4xx/5xx status only; {what} uses 429", route.loc)
    return 429


def _after_auth(key: ir.LimitKey | None) -> bool:
    return key is not None and key.kind in IDENTITY_KINDS


def location_directives(gw: ir.Gateway, route: ir.Route, ctx: Context) -> RouteLimits:
    out = RouteLimits()
    p = route.policies
    rl = p.rate_limit
    if _counted(rl, ctx):
        var = key_var(gw, route, rl.key, ctx)
        if var:
            status = refusal_status(rl.status, "the rate limit", route, ctx)
            # the IR's burst is nginx's: requests accepted at once above the steady rate.
            # A window lets a whole window's worth through at once; a leaky bucket queues
            # (no nodelay) and lets requests out at the rate.
            burst = rl.burst + (rl.requests - 1 if rl.algorithm in ("fixed_window", "sliding_window") else 0)
            args = [f"zone={_rate_zone(rl)}"]
            if burst:
                args += [f"burst={burst}"] + ([] if rl.algorithm == "leaky_bucket" else ["nodelay"])
            # the answer (body, Retry-After) is the route's error_page (answers.py)
            (out.after_auth if _after_auth(rl.key) else out.before_auth).extend([
                d("limit_req", *args), d("limit_req_status", status)])
    cl = p.concurrency_limit
    if _counted(cl, ctx):
        var = key_var(gw, route, cl.key, ctx)
        if var:
            status = refusal_status(cl.status, "the concurrency limit", route, ctx)
            (out.after_auth if _after_auth(cl.key) else out.before_auth).extend([
                d("limit_conn", _conn_zone(ctx, (cl, var)), cl.max), d("limit_conn_status", status)])
    return out
