"""Circuit breaker and retries on a real nginx, for services with one target (which nginx
treats specially: no failure accounting, never a second try) and with two.

A breaker opens after its failures, answers 503 at once without contacting the service
while open, and lets traffic through again after `open_for`; `retries.attempts` tries
are made even when the service has fewer targets than attempts."""
from __future__ import annotations

import time

import pytest

SPEC = """
version: 1
services:
  breaker:
    url: __BREAKER__
    timeouts: {read: 300ms}
    circuit_breaker: {consecutive_failures: 2, open_for: 2s, failure_statuses: []}  # timeouts
  retried:
    url: __RETRIED__
    retries: {attempts: 3, statuses: [503]}
  both:
    url: __BOTH__
    timeouts: {read: 300ms}
    retries: {attempts: 2, on_timeout: true}
    circuit_breaker: {consecutive_failures: 2, open_for: 2s, failure_statuses: []}  # timeouts
  pair:
    targets: [{url: __A__}, {url: __B__}]
    retries: {attempts: 3, statuses: [503]}
  weighted:
    targets: [{url: __HEAVY__, weight: 3}, {url: __LIGHT__, weight: 1}]
    retries: {attempts: 3, statuses: [503]}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - {name: breaker, match: {path: /breaker}, service: breaker}
      - {name: retried, match: {path: /retried}, service: retried}
      - {name: both, match: {path: /both}, service: both}
      - {name: pair, match: {path: /pair}, service: pair}
      - {name: weighted, match: {path: /weighted}, service: weighted}
"""

NAMES = ("BREAKER", "RETRIED", "BOTH", "A", "B", "HEAVY", "LIGHT")
OPEN = {"error": "Service Unavailable"}


@pytest.fixture
def ups(echo_upstream):
    return {n: echo_upstream(n.lower()) for n in NAMES}


@pytest.fixture
def gw(gateway, ups):
    return gateway(SPEC, ups)


def _open_and_recover(gw, srv, path: str, failing_requests: int, hits_per_failure: int) -> None:
    """`failing_requests` timeouts open the breaker; then 503 at once without a call to the
    service, even once it is healthy again, until open_for (2 s, whole seconds in nginx)."""
    assert gw.request("GET", path).status == 200
    srv.delay = 1.0  # longer than the 300ms read timeout
    for _ in range(failing_requests):
        hits = srv.hits
        assert gw.request("GET", path).status == 504
        assert srv.hits == hits + hits_per_failure
    opened = time.monotonic()
    hits = srv.hits
    for healthy in (False, True):
        srv.delay = 0.0 if healthy else 1.0
        start = time.monotonic()
        r = gw.request("GET", path)
        assert (r.status, r.json()) == (503, OPEN), (r.status, r.body[:200])
        assert time.monotonic() - start < 0.25  # failing fast
    assert srv.hits == hits  # the service was not contacted while open
    while (r := gw.request("GET", path)).status == 503:
        assert time.monotonic() - opened < 6, "the breaker never closed"
        time.sleep(0.1)
    assert r.status == 200 and time.monotonic() - opened >= 1.5, time.monotonic() - opened
    assert [gw.request("GET", path).status for _ in range(3)] == [200] * 3


def test_breaker_on_one_target(gw, ups):
    _open_and_recover(gw, ups["BREAKER"], "/breaker", failing_requests=2, hits_per_failure=1)


def test_breaker_with_retries_on_one_target(gw, ups):
    # two timed-out tries in one request: the two failures open the breaker
    _open_and_recover(gw, ups["BOTH"], "/both", failing_requests=1, hits_per_failure=2)


def test_retries_reach_the_nth_try_on_one_target(gw, ups):
    srv = ups["RETRIED"]
    srv.script = [503, 503]
    r = gw.request("GET", "/retried/x")
    assert r.status == 200 and r.json()["path"] == "/retried/x"
    assert srv.hits == 3  # success on the third try
    srv.script = [503, 503, 503, 503]
    assert gw.request("GET", "/retried/x").status == 503
    assert srv.hits == 6 and srv.script == [503]  # three tries, never a fourth
    srv.script = [503]
    assert gw.request("POST", "/retried/x", body="once").status == 503  # non_idempotent is off
    assert srv.hits == 7


@pytest.mark.parametrize("path,name", [("/retried", "RETRIED"), ("/breaker", "BREAKER"), ("/both", "BOTH")])
def test_upstream_connections_are_kept_alive(gw, ups, path, name):
    for _ in range(30):
        assert gw.request("GET", path).status == 200
    assert ups[name].hits == 30
    assert ups[name].connections <= 4, ups[name].connections  # at most a couple per worker


def test_more_attempts_than_targets(gw, ups):
    a, b = ups["A"], ups["B"]
    a.script, b.script = [503], [503]
    r = gw.request("GET", "/pair")
    assert r.status == 200 and a.hits + b.hits == 3
    a.status = 503  # one target down: every request still succeeds, on the other one
    assert [gw.request("GET", "/pair").status for _ in range(10)] == [200] * 10


def test_weights_hold_when_targets_are_listed_once_per_attempt(gw, ups):
    for _ in range(200):
        assert gw.request("GET", "/weighted").status == 200
    heavy, light = ups["HEAVY"].hits, ups["LIGHT"].hits
    assert heavy + light == 200 and 2.5 <= heavy / light <= 3.5, (heavy, light)
