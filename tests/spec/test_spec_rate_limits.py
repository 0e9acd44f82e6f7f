"""Rate-limit scope, budgets and store (docs/spec.md, "Scope: which routes share a budget")."""
from __future__ import annotations

import textwrap

import pytest

from gatewayc.compiler import compile_spec
from gatewayc.ir import model as ir


@pytest.fixture
def compile_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def run(text: str):
        (tmp_path / "spec.yml").write_text(textwrap.dedent(text))
        return compile_spec("spec.yml")

    return run


def ok(c) -> ir.IR:
    assert c.ok, [(d.code, d.message, str(d.location)) for d in c.diagnostics]
    return c.ir


def errors(c):
    return [(d.code, d.location.line, d.location.col, d.message, d.hint) for d in c.diagnostics if d.is_error]


def limits(spec: ir.IR, gateway: str = "web") -> dict[str, ir.RateLimit | None]:
    return {r.name: r.policies.rate_limit for r in spec.gateway(gateway).routes}


SPEC = """\
    version: 1
    services:
      users:
        url: http://127.0.0.1:3001
        policies: {SERVICE}
      orders: {url: 'http://127.0.0.1:3002'}
    policies:
      per-ip: {rate_limit: {requests: 7, per: 1m}}
    gateways:
      web:
        listeners: [{port: 8080}]
        policies:
          rate_limit: {GATEWAY}
        routes:
          - {name: u1, match: /u1, service: users}
          - {name: u2, match: /u2, service: users}
          - {name: o1, match: /o1, service: orders}
          - {name: o2, match: /o2, service: orders}
          - {name: own, match: /own, service: orders, policies: {rate_limit: {requests: 3, per: 1m}}}
          - {name: off, match: /off, service: orders, policies: {rate_limit: false}}
          - {name: set1, match: /s1, service: orders, policies: {use: [per-ip]}}
          - {name: set2, match: /s2, service: orders, policies: {use: [per-ip]}}
          - {name: fixed, match: /fixed, respond: {status: 200}}
      other:
        listeners: [{port: 8081}]
        routes:
          - {name: u1, match: /u1, service: users}
    """


def spec(gateway: str = "{requests: 5, per: 1m}", service: str = "{}") -> str:
    return SPEC.replace("{GATEWAY}", gateway).replace("{SERVICE}", service)


def test_default_scope_is_the_level_the_limit_is_written_at(compile_text):
    got = limits(ok(compile_text(spec(service="{rate_limit: {requests: 9, per: 1m}}"))))
    assert {n: (x.scope, x.budget) for n, x in got.items() if x} == {
        "u1": ("service", "web/service/users"), "u2": ("service", "web/service/users"),
        "o1": ("gateway", "web/gateway"), "o2": ("gateway", "web/gateway"),
        "own": ("route", "web/route/own"),
        # a named set counts at the level of the block that uses it: here two routes, two budgets
        "set1": ("route", "web/route/set1"), "set2": ("route", "web/route/set2"),
        "fixed": ("gateway", "web/gateway"),
    }
    assert got["off"] is None


def test_routes_sharing_a_budget_have_the_same_limit(compile_text):
    got = limits(ok(compile_text(spec())))
    by_budget: dict[str, list] = {}
    for x in got.values():
        if x:
            by_budget.setdefault(x.budget, []).append(x)
    assert len(by_budget["web/gateway"]) == 5
    assert all(x == v[0] for v in by_budget.values() for x in v)


def test_budgets_never_span_gateways(compile_text):
    text = spec(gateway="{requests: 5, per: 1m}", service="{rate_limit: {requests: 9, per: 1m}}")
    c = ok(compile_text(text))
    assert c.gateway("web").routes[0].policies.rate_limit.budget == "web/service/users"
    assert c.gateway("other").routes[0].policies.rate_limit.budget == "other/service/users"


def test_a_gateway_limit_narrowed_to_service_scope(compile_text):
    got = limits(ok(compile_text(spec(gateway="{requests: 5, per: 1m, scope: service}"))))
    assert got["u1"].budget == got["u2"].budget == "web/service/users"
    assert got["o1"].budget == got["o2"].budget == "web/service/orders"
    # no service to share with: it counts alone
    assert got["fixed"].budget == "web/route/fixed"


def test_a_gateway_limit_narrowed_to_route_scope(compile_text):
    got = limits(ok(compile_text(spec(gateway="{requests: 5, per: 1m, scope: route}"))))
    assert {n: x.budget for n, x in got.items() if x and x.requests == 5} == {
        n: f"web/route/{n}" for n in ("u1", "u2", "o1", "o2", "fixed")}


@pytest.mark.parametrize("where,text,line,col", [
    ("service", spec(service="{rate_limit: {requests: 9, per: 1m, scope: gateway}}"), 5, 58),
    ("route", spec().replace("rate_limit: {requests: 3, per: 1m}", "rate_limit: {requests: 3, per: 1m, scope: service}"),
     19, 104),
])
def test_a_scope_never_widens_the_level(compile_text, where, text, line, col):
    errs = errors(compile_text(text))
    assert [(e[0], e[1], e[2]) for e in errs] == [("GWC204", line, col)], errs
    assert f"wider than the {where} policies" in errs[0][3]


def test_a_named_set_widened_by_its_user_is_reported_at_the_set(compile_text):
    text = spec().replace("per-ip: {rate_limit: {requests: 7, per: 1m}}",
                          "per-ip: {rate_limit: {requests: 7, per: 1m, scope: gateway}}")
    errs = errors(compile_text(text))
    assert [(e[0], e[1]) for e in errs] == [("GWC204", 8)], errs
    assert "route policies" in errs[0][3]


@pytest.mark.parametrize("old", ["shared", "instance"])
def test_the_old_scopes_are_retired_with_a_hint(compile_text, old):
    errs = errors(compile_text(spec(gateway=f"{{requests: 5, per: 1m, scope: {old}}}")))
    assert [(e[0], e[1]) for e in errs] == [("GWC103", 13)], errs
    assert "retired" in errs[0][3]
    assert ("store" in errs[0][4]) if old == "shared" else ("remove `scope`" in errs[0][4])


def test_store_lowers_to_the_ir(compile_text):
    text = spec(gateway="{requests: 5, per: 1m, store: {redis: {address: 'redis.internal:6380', "
                        "password: {env: RL_PASS}, database: 3}}}")
    got = limits(ok(compile_text(text)))
    assert got["u1"].store == ir.RedisStore("redis.internal", 6380, ir.SecretRef("env", "RL_PASS"), 3)
    assert got["own"].store is None


def test_store_takes_ipv6_and_no_password(compile_text):
    got = limits(ok(compile_text(spec(gateway="{requests: 5, per: 1m, store: {redis: {address: '[::1]:6379'}}}"))))
    assert got["u1"].store == ir.RedisStore("::1", 6379, None, 0)


@pytest.mark.parametrize("store,code", [
    ("{redis: {address: 'redis.internal'}}", "GWC103"),
    ("{redis: {address: 'redis.internal:0'}}", "GWC103"),
    ("{redis: {address: 'redis.internal:65536'}}", "GWC103"),
    ("{redis: {address: 'redis internal:6379'}}", "GWC103"),
    ("{redis: {address: '[nope]:6379'}}", "GWC103"),
    ("{redis: {address: '*.internal:6379'}}", "GWC103"),
    ("{redis: {address: 'r:6379', password: hunter2}}", "GWC109"),
    ("{redis: {address: 'r:6379', database: -1}}", "GWC103"),
    ("{memcached: {address: 'r:11211'}}", "GWC102 GWC100"),
    ("{}", "GWC102"),
])
def test_bad_stores(compile_text, store, code):
    errs = errors(compile_text(spec(gateway=f"{{requests: 5, per: 1m, store: {store}}}")))
    assert [e[0] for e in errs] == code.split(), errs
