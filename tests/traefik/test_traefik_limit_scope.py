"""Rate-limit scope on the real Traefik: which routes share a budget (docs/spec.md, meaning M1),
and the rate Traefik refills a budget at (average/period).

Traefik builds a router's middlewares per router, so a budget lives on a service every router
of the budget forwards to, or in gatewayc's plugin when the budget spans several services
(docs/targets/traefik.md, Rate limits); both ways are driven here. Every limit is 5 per minute
with the token bucket's default burst (4), so a fresh key may send 5 requests at once and the
6th within the minute gets 429 (the bucket refills one request every 12 s, far slower than a
test sends them)."""
from __future__ import annotations

import time

import pytest

LIMIT = "{requests: 5, per: 1m, body: {error: limited}}"


def spec(gateway_limit: str = LIMIT, service_policies: str = "{}", extra_routes: str = "") -> str:
    return f"""
version: 1
services:
  one: {{url: "__ECHO__", policies: {service_policies}}}
  two: {{url: "__ECHO__"}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    policies:
      auth: {{api_key: {{header: X-Key, keys: {{env: GWC_TEST_KEYS}}}}}}
      rate_limit: {gateway_limit}
    routes:
      - {{name: a, match: /a, service: one}}
      - {{name: b, match: /b, service: one}}
      - {{name: c, match: /c, service: two}}
      - name: own
        match: /own
        service: two
        policies: {{rate_limit: {LIMIT}}}
      - name: off
        match: /off
        service: two
        policies: {{rate_limit: false}}
{extra_routes}"""


KEYS = {"GWC_TEST_KEYS": "key-one,key-two"}
K1 = {"X-Key": "key-one"}
K2 = {"X-Key": "key-two"}


def statuses(gw, *paths: str, headers=K1, host: str | None = None) -> list[int]:
    return [gw.request("GET", p, headers, host=host).status for p in paths]


def test_gateway_scope_is_one_budget_across_routes_and_services(traefik, echo_upstream):
    gw = traefik(spec(), {"ECHO": echo_upstream()}, env=KEYS)
    assert statuses(gw, "/a", "/c", "/a", "/b", "/c") == [200] * 5
    # the 6th request of this client, whichever route (and service) it takes
    assert statuses(gw, "/b", "/a", "/c") == [429] * 3
    assert gw.request("GET", "/c", K1).json() == {"error": "limited"}
    # a route with its own limit, and one switched off, are outside the shared budget
    assert statuses(gw, *["/own"] * 5) == [200] * 5
    assert statuses(gw, "/own") == [429]
    assert statuses(gw, *["/off"] * 8) == [200] * 8


def test_route_scope_gives_each_route_its_own_budget(traefik, echo_upstream):
    gw = traefik(spec("{requests: 5, per: 1m, scope: route}"), {"ECHO": echo_upstream()}, env=KEYS)
    assert statuses(gw, *["/a"] * 5, *["/b"] * 5, *["/c"] * 5) == [200] * 15
    assert statuses(gw, "/a", "/b", "/c") == [429] * 3


def test_a_route_with_several_routers_is_one_budget(traefik, echo_upstream):
    """Two matches times two host groups (exact, wildcard) are four Traefik routers; the
    route still has one budget."""
    multi = """      - name: multi
        match: [{path: /m1}, {path: /m2}]
        hostnames: [a.test, "*.b.test"]
        service: two
        policies: {rate_limit: {requests: 5, per: 1m}}
"""
    gw = traefik(spec("false", extra_routes=multi), {"ECHO": echo_upstream()}, env=KEYS)
    assert len([n for n in gw.dynamic["http"]["routers"] if n.startswith("web~multi~")]) == 4
    got = [gw.request("GET", p, K1, host=h).status
           for p, h in (("/m1", "a.test"), ("/m2", "x.b.test"), ("/m2", "a.test"), ("/m1", "y.b.test"),
                        ("/m1", "a.test"), ("/m2", "x.b.test"))]
    assert got == [200] * 5 + [429]


def test_service_scope_shares_a_budget_per_service(traefik, echo_upstream):
    gw = traefik(spec("{requests: 5, per: 1m, scope: service}"), {"ECHO": echo_upstream()}, env=KEYS)
    assert statuses(gw, "/a", "/a", "/a", "/b", "/b") == [200] * 5
    assert statuses(gw, "/a", "/b") == [429] * 2
    # service `two` is another unit
    assert statuses(gw, *["/c"] * 5) == [200] * 5
    assert statuses(gw, "/c") == [429]


def test_a_service_limit_is_shared_by_its_routes_only(traefik, echo_upstream):
    gw = traefik(spec("false", service_policies=f"{{rate_limit: {LIMIT}}}"), {"ECHO": echo_upstream()}, env=KEYS)
    assert statuses(gw, "/a", "/b", "/a", "/b", "/a") == [200] * 5
    assert statuses(gw, "/b") == [429]
    assert statuses(gw, *["/c"] * 8) == [200] * 8


def test_a_consumer_key_counts_one_budget_per_consumer_across_routes(traefik, echo_upstream):
    gw = traefik(spec("{requests: 5, per: 1m, key: consumer}"), {"ECHO": echo_upstream()}, env=KEYS)
    assert statuses(gw, "/a", "/b", "/c", "/a", "/b") == [200] * 5
    assert statuses(gw, "/c") == [429]
    # another consumer, same client address: its own budget
    assert statuses(gw, "/a", "/b", "/c", "/a", "/b", headers=K2) == [200] * 5
    assert statuses(gw, "/a", headers=K2) == [429]


def test_budgets_never_span_gateways(traefik, echo_upstream):
    # one service-level limit, inherited by a route on each of two gateways
    text = spec("false", service_policies=f"{{rate_limit: {LIMIT}}}") + """
  zweb:
    listeners: [{port: 8081}]
    routes:
      - {name: a, match: /a, service: one}
"""
    gw = traefik(text, {"ECHO": echo_upstream()}, env=KEYS)
    assert statuses(gw, *["/a"] * 5) == [200] * 5
    assert statuses(gw, "/a") == [429]
    second = [gw.request("GET", "/a", port=gw.ports[1]).status for _ in range(5)]
    assert second == [200] * 5


@pytest.mark.parametrize("scope", ["gateway", "route"])
def test_requests_without_the_key_header_share_the_empty_budget(traefik, echo_upstream, scope):
    # gateway: a budget over two services (gatewayc's plugin counts); route: Traefik's rateLimit
    gw = traefik(spec(f"{{requests: 5, per: 1m, scope: {scope}, key: {{header: X-Tenant}}}}"),
                 {"ECHO": echo_upstream()}, env=KEYS)
    # no X-Tenant at all: counted, under the empty value
    assert statuses(gw, *["/a"] * 5) == [200] * 5
    assert statuses(gw, "/a") == [429]
    # an empty header is the same empty value
    assert statuses(gw, "/a", headers={**K1, "X-Tenant": ""}) == [429]
    # a tenant has its own budget
    assert statuses(gw, *["/a"] * 5, headers={**K1, "X-Tenant": "acme"}) == [200] * 5
    assert statuses(gw, "/a", headers={**K1, "X-Tenant": "acme"}) == [429]


@pytest.mark.parametrize("scope", ["gateway", "route"])
def test_the_budget_refills_at_requests_per_period(traefik, echo_upstream, scope):
    """1 per 4s without burst: after one request, still 429 half-way (Traefik's own rateLimit
    waits at most 500 ms for a token, which does not reach the next one), and a request again
    once the period has passed."""
    gw = traefik(spec(f"{{requests: 1, per: 4s, scope: {scope}}}"), {"ECHO": echo_upstream()}, env=KEYS)
    other = "/c" if scope == "gateway" else "/a"
    t0 = time.monotonic()
    assert statuses(gw, "/a") == [200]
    time.sleep(2)
    assert statuses(gw, other) == [429]
    time.sleep(max(0.0, 4.3 - (time.monotonic() - t0)))
    assert statuses(gw, other, "/a") == [200, 429]
