"""Retries, passive ejection and policies reached through the per-location dispatch."""
from __future__ import annotations

from nginx_harness import parse_conf, write_output

SPEC = """
version: 1
services:
  pool:
    targets: [{url: __BAD__}, {url: __GOOD__}]
    retries: {attempts: 2, statuses: [502]}
    circuit_breaker: {consecutive_failures: 1, open_for: 30s, failure_statuses: [502]}
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


PER_TRY_SPEC = """
version: 1
services:
  slow:
    targets: [{url: __A__}, {url: __B__}, {url: __C__}]
    retries: {attempts: 3, on_timeout: true}
    timeouts: {per_try: 400ms}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: whole
        match: {path: /whole}
        service: slow
        policies:
          timeouts: {request: 1s}
      - name: tries
        match: {path: /tries}
        service: slow
"""


def _three_silent(echo_upstream):
    ups = {k: echo_upstream(k) for k in "ABC"}
    for u in ups.values():
        u.delay = 2
    return ups


def _timed(gw, path):
    import time

    start = time.monotonic()
    status = gw.request("GET", path).status
    return status, time.monotonic() - start


def test_per_try_timeout_cuts_each_try(gateway, echo_upstream):
    ups = _three_silent(echo_upstream)
    gw = gateway(PER_TRY_SPEC, ups)
    status, took = _timed(gw, "/tries")
    # three tries, each given up after 400ms rather than the 2s the targets take
    assert status == 504 and sum(u.hits for u in ups.values()) == 3
    assert 1.15 < took < 2, took


def test_request_timeout_bounds_the_tries_together(gateway, echo_upstream):
    ups = _three_silent(echo_upstream)
    gw = gateway(PER_TRY_SPEC, ups)
    status, took = _timed(gw, "/whole")
    # a third try would start at 800ms and end at 1.2s, past the whole request's 1s: it is
    # never started, and the client has its answer within `request`
    assert status == 504 and sum(u.hits for u in ups.values()) == 2
    assert 0.75 < took < 1.2, took


def test_per_try_equal_to_request_leaves_no_time_for_a_retry(build_spec, tmp_path):
    text = PER_TRY_SPEC.replace("{request: 1s}", "{request: 400ms}")
    for i, key in enumerate("ABC"):
        text = text.replace(f"__{key}__", f"http://127.0.0.1:{3001 + i}")
    _, out = build_spec(text)
    assert any(n.code == "GWC311" and "per_try" in n.message for n in out.notes)
    write_output(tmp_path / "out", out.files)
    whole = next(n for n in parse_conf(tmp_path / "out") if n["directive"] == "location" and n["args"] == ["=", "/whole"])
    settings = {n["directive"]: n["args"] for n in whole["block"]}
    assert settings["proxy_next_upstream_tries"] == ["1"] and "proxy_next_upstream_timeout" not in settings
