"""A rate limit with a Redis store (settled meaning M1): two Traefik instances running the same
build let through one budget together, not one each; limits without a store count per
instance."""
from __future__ import annotations

import pytest

from traefik_harness import another_instance

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
  other: {url: "__OTHER__"}
gateways:
  web:
    listeners: [{port: 8080}]
    policies:
      rate_limit:
        requests: 4
        per: 1m
        burst: 3
        store: {redis: {address: "127.0.0.1:__REDIS__", password: {env: GWC_REDIS_PW}, database: 3}}
    routes:
      - {name: a, match: /a, service: echo}
      - {name: b, match: /b, service: other}
      - name: local
        match: /local
        service: echo
        policies: {rate_limit: {requests: 2, per: 1m, burst: 1}}
"""


@pytest.fixture
def pair(traefik, echo_upstream, redis, tmp_path):
    r = redis(password="s3cret")
    env = {"GWC_REDIS_PW": "s3cret"}
    first = traefik(SPEC.replace("__REDIS__", str(r.port)), {"ECHO": echo_upstream(), "OTHER": echo_upstream("o")},
                    env=env)
    second = another_instance(first, tmp_path / "second", env)
    yield first, second, r
    second.stop()


def test_two_instances_share_one_budget(pair):
    first, second, r = pair
    # the gateway-scope budget is 4 at once, across both instances and both routes (two services)
    got = [first.request("GET", "/a").status, second.request("GET", "/b").status,
           second.request("GET", "/a").status, first.request("GET", "/b").status,
           first.request("GET", "/a").status, second.request("GET", "/a").status]
    assert got == [200, 200, 200, 200, 429, 429]
    assert "s3cret" not in (first.dir / "dynamic.yml").read_text()
    assert r.cli("-n", "3", "keys", "rate:*").split() == ["rate:web~gateway~rate-limit@file:127.0.0.1"]
    assert r.cli("keys", "*").split() == []  # the spec's database, not 0


def test_without_a_store_each_instance_counts_alone(pair):
    first, second, _ = pair
    assert [first.request("GET", "/local").status for _ in range(3)] == [200, 200, 429]
    assert [second.request("GET", "/local").status for _ in range(3)] == [200, 200, 429]


def test_gateway_budget_over_two_services_in_one_instance(traefik, echo_upstream):
    """Without a store, a gateway-scope limit still counts its routes together, even when
    they forward to different services (gatewayc's plugin holds that budget)."""
    gw = traefik("""
version: 1
services:
  echo: {url: "__ECHO__"}
  other: {url: "__OTHER__"}
gateways:
  web:
    listeners: [{port: 8080}]
    policies:
      rate_limit: {requests: 3, per: 1m, burst: 2}
    routes:
      - {name: a, match: /a, service: echo}
      - {name: b, match: /b, service: other}
      - {name: own, match: /own, service: other, policies: {rate_limit: {requests: 1, per: 1m}}}
""", {"ECHO": echo_upstream(), "OTHER": echo_upstream("o")})
    got = [gw.request("GET", p).status for p in ("/a", "/b", "/a", "/b", "/a")]
    assert got == [200, 200, 200, 429, 429]
    r = gw.request("GET", "/b")
    assert r.json() == {"error": "Too Many Requests"} and r.headers["retry-after"] == "20"
    # a route with its own limit is outside the gateway's budget
    assert [gw.request("GET", "/own").status for _ in range(2)] == [200, 429]
