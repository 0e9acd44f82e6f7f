"""Services on the real Envoy: weights, retries (one target included), the circuit breaker
(open, fail fast, recover; one target included), active health checks, timeouts, mirrors."""
from __future__ import annotations

import time

from harness_common import eventually, free_port


def test_weighted_targets(envoy, echo_upstream):
    a, b = echo_upstream("a"), echo_upstream("b")
    gw = envoy("""
version: 1
services:
  s:
    targets: [{url: "__A__", weight: 3}, {url: "__B__", weight: 1}, {url: "__B__", weight: 0}]
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"A": a, "B": b})
    seen = [gw.request("GET", "/").json()["server"] for _ in range(80)]
    assert 50 <= seen.count("a") <= 70 and seen.count("a") + seen.count("b") == 80, seen.count("a")


def test_retries_on_status_and_connection_failure(envoy, echo_upstream):
    good, bad = echo_upstream("good"), echo_upstream("bad", status=503)
    gw = envoy(f"""
version: 1
services:
  flaky:
    targets: [{{url: "__BAD__"}}, {{url: "__GOOD__"}}]
    retries: {{attempts: 3}}
  down:
    targets: [{{url: "http://127.0.0.1:{free_port()}"}}, {{url: "__GOOD__"}}]
    retries: {{attempts: 3}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes:
      - {{name: flaky, match: /flaky, service: flaky}}
      - {{name: down, match: /down, service: down}}
""", {"GOOD": good, "BAD": bad})
    for path in ("/flaky", "/down"):
        for _ in range(8):
            r = gw.request("GET", path)
            assert r.status == 200 and r.json()["server"] == "good", (path, r.status)
    assert bad.hits >= 3  # the 503s were seen, and retried


def test_one_target_is_tried_attempts_times(envoy, echo_upstream):
    one = echo_upstream("one")
    gw = envoy("""
version: 1
services:
  s: {url: "__ONE__", retries: {attempts: 3}}
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"ONE": one})
    one.script = [503, 503]
    r = gw.request("GET", "/x")
    assert r.status == 200 and one.hits == 3
    one.script = [503, 503, 503]
    r = gw.request("GET", "/x")
    assert r.status == 503 and one.hits == 6  # three tries in all, the last answer passes
    assert r.json() == {"server": "one", "error": "failing on purpose"}  # the service's own answer


def test_post_is_retried_on_status_only_with_non_idempotent(envoy, echo_upstream):
    one, two = echo_upstream("one"), echo_upstream("two")
    gw = envoy("""
version: 1
services:
  a: {url: "__ONE__", retries: {attempts: 2}}
  b: {url: "__TWO__", retries: {attempts: 2, non_idempotent: true}}
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: a, match: /a, service: a}, {name: b, match: /b, service: b}]
""", {"ONE": one, "TWO": two})
    one.script = [503]
    assert gw.request("POST", "/a", body="x").status == 503 and one.hits == 1
    one.script = [503]
    assert gw.request("PUT", "/a", body="x").status == 200 and one.hits == 3
    two.script = [503]
    assert gw.request("POST", "/b", body="x").status == 200 and two.hits == 2


def test_no_retry_without_retries(envoy, echo_upstream):
    good, bad = echo_upstream("good"), echo_upstream("bad", status=503)
    gw = envoy("""
version: 1
services:
  s: {targets: [{url: "__BAD__"}, {url: "__GOOD__"}]}
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"GOOD": good, "BAD": bad})
    # each of Envoy's two workers balances on its own, so the split is not exactly even; what
    # holds is that every request reached one target once and every 503 went to the client
    statuses = [gw.request("GET", "/").status for _ in range(4)]
    assert bad.hits >= 1 and good.hits + bad.hits == 4 and statuses.count(503) == bad.hits


def test_circuit_breaker_opens_and_recovers(envoy, echo_upstream):
    good, bad = echo_upstream("good"), echo_upstream("bad", status=500)
    gw = envoy("""
version: 1
services:
  s:
    targets: [{url: "__BAD__"}, {url: "__GOOD__"}]
    circuit_breaker: {consecutive_failures: 2, open_for: 2s}
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"GOOD": good, "BAD": bad})
    t0 = time.monotonic()  # the ejection happens after this, so nothing may return before t0 + open_for
    eventually(lambda: gw.request("GET", "/") and bad.hits == 2, within=2, step=0)
    # out after its second failure, once Envoy's main thread has told the workers (a moment:
    # docs/targets/envoy.md); until it comes back every request goes to the other target
    time.sleep(0.1)
    assert all(gw.request("GET", "/").status == 200 for _ in range(8)) and bad.hits == 2
    bad.status = None  # it recovers
    # It comes back at the first outlier sweep (every second) after open_for. Polled: a loaded
    # machine delays the sweep, and that is not what is tested.
    statuses = []
    eventually(lambda: statuses.append(gw.request("GET", "/").status) or bad.hits > 2, within=8)
    assert set(statuses) == {200} and time.monotonic() - t0 >= 2.0  # not back before open_for
    # back in rotation: it takes its share again (two workers balance separately: not exactly half)
    before = bad.hits
    assert all(gw.request("GET", "/").status == 200 for _ in range(10))
    assert 3 <= bad.hits - before <= 7


def test_breaker_with_one_target_fails_fast_and_recovers(envoy, echo_upstream):
    one = echo_upstream("one", status=500)
    gw = envoy("""
version: 1
services:
  s:
    url: "__ONE__"
    circuit_breaker: {consecutive_failures: 2, open_for: 2s}
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"ONE": one})
    assert [gw.request("GET", "/").status for _ in range(2)] == [500, 500]
    t0 = time.monotonic()
    # Envoy's main thread ejects the target and then updates the workers' host sets: a request sent in
    # that gap still reaches the target (seen once in 4,000 tests on a loaded machine), so poll for the
    # open breaker within half a second instead of expecting it on the very next request.
    answers = []
    eventually(lambda: answers.append(gw.request("GET", "/")) or answers[-1].status != 500, within=0.5, step=0.02)
    r = answers[-1]
    assert (r.status, r.json(), r.headers["content-type"]) == (503, {"error": "Service Unavailable"},
                                                               "application/json")
    hits = one.hits
    assert gw.request("GET", "/").status == 503 and one.hits == hits  # open: answered without the service
    one.status = None
    statuses = []  # 503 while open, then the service again at the first sweep after open_for
    eventually(lambda: statuses.append(gw.request("GET", "/").status) or one.hits > 2, within=8)
    assert set(statuses) <= {200, 503} and time.monotonic() - t0 >= 1.8
    assert gw.request("GET", "/").status == 200


def test_active_health_check_takes_a_target_out(envoy, echo_upstream):
    good, bad = echo_upstream("good"), echo_upstream("bad", status=500)
    gw = envoy("""
version: 1
services:
  s:
    targets: [{url: "__BAD__"}, {url: "__GOOD__"}]
    health_check: {path: /healthz, interval: 1s, timeout: 500ms, unhealthy_threshold: 1}
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"GOOD": good, "BAD": bad})
    eventually(lambda: all(gw.request("GET", "/").json().get("server") == "good" for _ in range(6)), within=6)


def test_read_timeout_gives_504(envoy, echo_upstream):
    gw = envoy("""
version: 1
services:
  s: {url: "__ECHO__", timeouts: {read: 300ms}}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - {name: r, service: s}
      - {name: patient, match: /slow/patient, service: s, policies: {timeouts: {read: 3s}}}
""", {"ECHO": echo_upstream()})
    t0 = time.monotonic()
    r = gw.request("GET", "/slow")
    assert (r.status, r.json()) == (504, {"error": "Gateway Timeout"})
    assert time.monotonic() - t0 < 1.2
    assert gw.request("GET", "/slow/patient").status == 200  # a route's own timeouts


def test_request_timeout_covers_every_try(envoy, echo_upstream):
    gw = envoy("""
version: 1
services:
  s: {url: "__ECHO__", timeouts: {request: 1s, per_try: 400ms}, retries: {attempts: 5, on_timeout: true}}
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"ECHO": (up := echo_upstream())})
    t0 = time.monotonic()
    assert gw.request("GET", "/slow").status == 504
    took = time.monotonic() - t0
    assert 0.9 < took < 1.6 and up.hits in (2, 3), (took, up.hits)


def test_unreachable_service_is_502(envoy):
    gw = envoy(f"""
version: 1
services:
  s: {{url: "http://127.0.0.1:{free_port()}"}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes: [{{name: r, service: s}}]
""")
    r = gw.request("GET", "/")
    assert (r.status, r.json(), r.headers["content-type"]) == (502, {"error": "Bad Gateway"}, "application/json")


def test_mirror_gets_a_copy_and_its_answer_is_ignored(envoy, echo_upstream):
    main, shadow = echo_upstream("main"), echo_upstream("shadow", status=500)
    gw = envoy("""
version: 1
services:
  main: {url: "__MAIN__"}
  shadow: {url: "__SHADOW__"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - {name: r, match: /m, service: main, mirror: {service: shadow}}
""", {"MAIN": main, "SHADOW": shadow})
    r = gw.request("POST", "/m/x", body="payload")
    assert r.status == 200 and r.json()["server"] == "main"
    deadline = time.monotonic() + 3
    while not shadow.seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(s["method"], s["path"], s["body"]) for s in shadow.seen] == [("POST", "/m/x", "payload")]
    assert shadow.seen[0]["headers"]["host"] == main.seen[0]["headers"]["host"]  # no -shadow suffix
