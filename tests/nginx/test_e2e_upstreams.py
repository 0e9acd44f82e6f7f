"""Retries, passive ejection and policies reached through the per-location dispatch."""
from __future__ import annotations

SPEC = """
version: 1
services:
  pool:
    targets: [{url: __BAD__}, {url: __GOOD__}]
    retries: {attempts: 2, statuses: [502]}
    circuit_breaker: {consecutive_failures: 1, open_for: 30s}
  plain:
    targets: [{url: __BAD__}, {url: __GOOD__}]
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: pool
        match: {path: /pool}
        service: pool
      - name: plain
        match: {path: /plain}
        service: plain
      - name: guarded-post
        match: {path: /g, methods: [POST]}
        service: plain
        policies:
          body_limit: 10
          rate_limit: {requests: 2, per: 1m}
      - name: guarded-get
        match: {path: /g}
        respond: {body: {via: get}}
"""


def test_retry_reaches_the_healthy_target_and_ejects_the_failing_one(gateway, echo_upstream):
    bad, good = echo_upstream("bad", status=502), echo_upstream("good")
    gw = gateway(SPEC, {"BAD": bad, "GOOD": good})
    replies = [gw.request("GET", "/pool") for _ in range(6)]
    assert [r.status for r in replies] == [200] * 6
    assert {r.json()["server"] for r in replies} == {"good"}
    assert bad.hits == 1  # out of rotation after its first failure


def test_no_retry_policy_means_no_retry(gateway, echo_upstream):
    bad, good = echo_upstream("bad", status=502), echo_upstream("good")
    gw = gateway(SPEC, {"BAD": bad, "GOOD": good})
    statuses = sorted(gw.request("GET", "/plain").status for _ in range(4))
    assert statuses == [200, 200, 502, 502]  # round robin, each failure returned as is


def test_limits_apply_after_conditional_dispatch(gateway, echo_upstream):
    gw = gateway(SPEC, {"BAD": echo_upstream("good"), "GOOD": echo_upstream("good")})
    assert gw.request("GET", "/g").json() == {"via": "get"}
    r = gw.request("POST", "/g", body=b"x" * 11)
    assert r.status == 413 and r.json() == {"error": "Content Too Large"}
    assert [gw.request("POST", "/g", body=b"x").status for _ in range(2)] == [200, 200]
    r = gw.request("POST", "/g", body=b"x")
    assert r.status == 429 and r.json() == {"error": "Too Many Requests"}


TIMEOUT_SPEC = """
version: 1
services:
  slow:
    url: __SLOW__
    timeouts: {read: 5s, request: 500ms}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: slow
        match: {path: /}
        service: slow
"""


def test_request_timeout_cuts_off_a_silent_upstream(gateway, echo_upstream):
    import time

    slow = echo_upstream("slow")
    slow.delay = 3
    gw = gateway(TIMEOUT_SPEC, {"SLOW": slow})
    start = time.monotonic()
    assert gw.request("GET", "/x").status == 504
    assert time.monotonic() - start < 2
