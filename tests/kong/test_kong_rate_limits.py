"""Rate-limit scope and store on Kong (docs/spec.md "Scope", docs/targets/kong.md): where the
plugins go, checked against Kong's schemas and counted the way Kong counts them."""
from __future__ import annotations

import pytest

import kong_harness as harness
import kongcheck
from kong_ratelimit_sim import KongCounters

LIMIT = "{requests: 5, per: 1m}"


def spec(gateway_limit: str = LIMIT, routes: str = "", service_policies: str = "{}", auth: str = "") -> str:
    return f"""\
version: 1
services:
  one: {{url: "http://one.internal:8080", policies: {service_policies}}}
  two: {{url: "http://two.internal:8080"}}
gateways:
  gw:
    listeners: [{{port: 8080}}]
    policies:
      rate_limit: {gateway_limit}
{auth}
    routes:
      - {{name: a, match: /a, service: one}}
      - {{name: b, match: /b, service: one}}
      - {{name: c, match: /c, service: two}}
      - {{name: own, match: /own, service: two, policies: {{rate_limit: {LIMIT}}}}}
      - {{name: off, match: /off, service: two, policies: {{rate_limit: false}}}}
      - {{name: fixed, match: /fixed, respond: {{status: 200}}, policies: {{rate_limit: false}}}}
{routes}"""


def build(tmp_path, text: str) -> harness.Built:
    built = harness.build_text(tmp_path, text)
    assert not built.errors, [str(d) for d in built.errors]
    doc = built.doc()
    assert kongcheck.schema_errors(doc) == [] and kongcheck.semantic_errors(doc) == []
    return built


def plugins(doc: dict, service: str | None) -> list[dict]:
    ps = doc.get("plugins", []) if service is None else \
        next(s for s in doc["services"] if s["name"] == service).get("plugins", [])
    return [p for p in ps if p["name"] == "rate-limiting"]


def run(counter: KongCounters, *paths: str, **kw) -> list[int]:
    return [counter.request(p, **kw) for p in paths]


def test_a_gateway_scope_limit_is_the_global_plugin(tmp_path):
    doc = build(tmp_path, spec()).doc()
    (glob,) = plugins(doc, None)
    assert glob["config"]["minute"] == 5 and glob["config"]["limit_by"] == "ip"
    assert plugins(doc, "a") == plugins(doc, "b") == plugins(doc, "c") == []
    assert plugins(doc, "own")[0]["config"]["minute"] == 5
    # kept out of the global plugin: a route with `rate_limit: false`, and unmatched requests
    for name in ("off", "fixed", "gatewayc~not-found"):
        (ex,) = plugins(doc, name)
        assert ex["config"]["hide_client_headers"] is True and ex["config"]["second"] >= 2 ** 53 - 1


def test_kong_counts_a_gateway_scope_limit_once_across_routes(tmp_path):
    k = KongCounters(build(tmp_path, spec()).doc())
    assert run(k, "/a", "/a", "/a", "/b", "/b") == [200] * 5
    assert run(k, "/b", "/a", "/c") == [429] * 3
    assert run(k, "/a", client="10.0.0.2") == [200]  # another client
    assert run(k, *["/own"] * 5) == [200] * 5 and run(k, "/own") == [429]
    assert run(k, *["/off"] * 9, *["/fixed"] * 9, *["/nowhere"] * 9) == [200] * 27


def test_kong_counts_a_route_scope_limit_per_route(tmp_path):
    doc = build(tmp_path, spec("{requests: 5, per: 1m, scope: route}")).doc()
    assert plugins(doc, None) == [] and plugins(doc, "gatewayc~not-found") == []
    assert plugins(doc, "off") == []
    k = KongCounters(doc)
    assert run(k, *["/a"] * 5, *["/b"] * 5, *["/c"] * 5) == [200] * 15
    assert run(k, "/a", "/b", "/c") == [429] * 3


def test_kong_counts_a_service_scope_limit_per_service(tmp_path):
    # service `one` has two routes (the global plugin), `two` one route (its own plugin)
    k = KongCounters(build(tmp_path, spec("{requests: 5, per: 1m, scope: service}")).doc())
    assert run(k, "/a", "/b", "/a", "/b", "/a") == [200] * 5
    assert run(k, "/b") == [429]
    assert run(k, *["/c"] * 5) == [200] * 5 and run(k, "/c") == [429]


def test_two_budgets_shared_by_several_routes_are_refused(tmp_path):
    text = spec("{requests: 5, per: 1m, scope: service}", routes="      - {name: d, match: /d, service: two}\n")
    built = harness.build_text(tmp_path, text)
    errs = [(d.code, d.location.line) for d in built.errors]
    assert errs == [("GWC310", 9)], [str(d) for d in built.errors]
    assert "global plugin" in built.errors[0].message


def test_a_consumer_key_with_jwt_auth_is_refused(tmp_path):
    auth = ("      auth: {jwt: {algorithms: [HS256], secret: {env: K}, issuer: me}}\n")
    built = harness.build_text(tmp_path, spec("{requests: 5, per: 1m, key: consumer}", auth=auth))
    assert [d.code for d in built.errors] == ["GWC310"], [str(d) for d in built.errors]
    assert "issuer" in built.errors[0].message


def test_a_consumer_key_counts_per_consumer_across_routes(tmp_path):
    auth = "      auth: {api_key: {header: X-Key, keys: {env: KEY_ONE}}}\n"
    k = KongCounters(build(tmp_path, spec("{requests: 5, per: 1m, key: consumer}", auth=auth)).doc())
    assert run(k, "/a", "/b", "/c", "/a", "/b", consumer="one") == [200] * 5
    assert run(k, "/c", consumer="one") == [429]
    assert run(k, "/c", consumer="two") == [200]


def test_a_header_key_is_noted_where_kong_counts_otherwise(tmp_path):
    built = build(tmp_path, spec("{requests: 5, per: 1m, key: {header: X-Tenant}}"))
    assert any("without the header" in d.message for d in built.diagnostics)
    k = KongCounters(built.doc())
    assert run(k, *["/a"] * 5, headers={"X-Tenant": "acme"}) == [200] * 5
    assert run(k, "/b", headers={"X-Tenant": "acme"}) == [429]


@pytest.mark.parametrize("password,env", [("", set()), (", password: {env: RL_REDIS}", {"DECK_RL_REDIS"})])
def test_a_store_is_policy_redis(tmp_path, password, env):
    limit = f"{{requests: 5, per: 1m, store: {{redis: {{address: 'redis.internal:6380'{password}, database: 2}}}}}}"
    built = build(tmp_path, spec(limit))
    (glob,) = plugins(built.doc(), None)
    conf = glob["config"]
    assert (conf["policy"], conf["sync_rate"]) == ("redis", -1)
    want = {"host": "redis.internal", "port": 6380, "database": 2, "timeout": 2000}
    if env:
        want["password"] = "mock-DECK_RL_REDIS"
    assert conf["redis"] == want
    assert built.env == env
    assert "RL_REDIS" not in built.files["kong.yml"].decode().replace("DECK_RL_REDIS", "")


def test_a_store_password_from_a_file_is_refused(tmp_path):
    limit = "{requests: 5, per: 1m, store: {redis: {address: 'r:6379', password: {file: /etc/redis.pw}}}}"
    built = harness.build_text(tmp_path, spec(limit))
    assert [d.code for d in built.errors] == ["GWC300"]
    assert "redis password" in built.errors[0].message


def test_two_gateways_never_share_a_redis_budget(tmp_path):
    limit = "{requests: 5, per: 1m, store: {redis: {address: 'r:6379'}}}"
    text = spec(limit) + f"""\
  gw2:
    listeners: [{{port: 8081}}]
    policies:
      rate_limit: {limit}
    routes:
      - {{name: x, match: /x, service: one}}
      - {{name: y, match: /y, service: one}}
"""
    built = harness.build_text(tmp_path, text)
    assert [d.code for d in built.errors] == ["GWC310"], [str(d) for d in built.errors]
    assert "database" in built.errors[0].hint
