"""Services on the real Traefik: weights, retries, the circuit breaker (passive health
checks), active health checks and timeouts."""
from __future__ import annotations

import socket
import time

from harness_common import eventually, free_port


def test_weighted_targets(traefik, echo_upstream):
    a, b = echo_upstream("a"), echo_upstream("b")
    gw = traefik("""
version: 1
services:
  s:
    targets: [{url: "__A__", weight: 3}, {url: "__B__", weight: 1}, {url: "__B__", weight: 0}]
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"A": a, "B": b})
    seen = [gw.request("GET", "/").json()["server"] for _ in range(40)]
    assert (seen.count("a"), seen.count("b")) == (30, 10)


def test_retries_on_status_and_connection_failure(traefik, echo_upstream):
    # Traefik's weighted round robin may pick the same target twice in a row (never three
    # times with two targets), so three tries always reach the good one
    good, bad = echo_upstream("good"), echo_upstream("bad", status=503)
    gw = traefik(f"""
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


def test_no_retry_without_retries(traefik, echo_upstream):
    bad = echo_upstream("bad", status=503)
    gw = traefik("""
version: 1
services:
  s: {targets: [{url: "__BAD__"}, {url: "__GOOD__"}]}
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"GOOD": echo_upstream("good"), "BAD": bad})
    assert sorted(gw.request("GET", "/").status for _ in range(4)) == [200, 200, 503, 503]


def test_circuit_breaker_opens_and_recovers(traefik, echo_upstream):
    good, bad = echo_upstream("good"), echo_upstream("bad", status=500)
    gw = traefik("""
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
    for _ in range(8):
        gw.request("GET", "/")
    assert bad.hits == 2  # out after its second failure
    bad.status = None  # it recovers
    statuses = []  # polled: a loaded machine delays Traefik's timer, and that is not what is tested
    eventually(lambda: statuses.append(gw.request("GET", "/").status) or bad.hits > 2, within=8)
    assert set(statuses) == {200} and time.monotonic() - t0 >= 2.0  # not back before open_for
    before = bad.hits
    for _ in range(6):
        assert gw.request("GET", "/").status == 200
    assert bad.hits - before == 3  # back in rotation after open_for


def test_active_health_check_takes_a_target_out(traefik, echo_upstream):
    good, bad = echo_upstream("good"), echo_upstream("bad", status=500)
    gw = traefik("""
version: 1
services:
  s:
    targets: [{url: "__BAD__"}, {url: "__GOOD__"}]
    health_check: {path: /healthz, interval: 1s, timeout: 500ms}
gateways:
  web:
    listeners: [{port: 8080}]
    routes: [{name: r, service: s}]
""", {"GOOD": good, "BAD": bad})
    eventually(lambda: all(gw.request("GET", "/").json().get("server") == "good" for _ in range(6)), within=6)


def test_read_timeout_gives_504(traefik, echo_upstream):
    gw = traefik("""
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
    assert gw.request("GET", "/slow").status == 504
    assert time.monotonic() - t0 < 1.2
    assert gw.request("GET", "/slow/patient").status == 200  # a route's own timeouts


def test_connect_timeout_gives_504(traefik):
    """A target whose accept queue is full drops new connection attempts (SYNs) on Linux, so
    only the connect timeout ends the wait (Traefik's default dialTimeout is 30 s)."""
    with socket.socket() as full:
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        waiting = []
        for _ in range(3):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(full.getsockname())
            waiting.append(c)
        gw = traefik(f"""
version: 1
services:
  s: {{url: "http://127.0.0.1:{full.getsockname()[1]}", timeouts: {{connect: 300ms}}}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes: [{{name: r, service: s}}]
""")
        t0 = time.monotonic()
        r = gw.request("GET", "/")
        assert (r.status, r.json()) == (504, {"error": "Gateway Timeout"})
        assert time.monotonic() - t0 < 2
        for c in waiting:
            c.close()


def test_mirror_gets_a_copy_and_its_answer_is_ignored(traefik, echo_upstream):
    main, shadow = echo_upstream("main"), echo_upstream("shadow", status=500)
    gw = traefik("""
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
    assert [(s["method"], s["path"]) for s in shadow.seen] == [("POST", "/m/x")]


def test_retry_on_timeout_only_when_the_spec_says(traefik, echo_upstream):
    """Traefik's own 504 (a timeout) is not the service's 504: retried only with on_timeout
    (and for POST only with non_idempotent), while the service's own 504 is a retry status."""
    never, always, post = echo_upstream("never"), echo_upstream("always"), echo_upstream("post")
    gw = traefik("""
version: 1
services:
  never: {url: "__NEVER__", timeouts: {read: 300ms}, retries: {attempts: 3}}
  always: {url: "__ALWAYS__", timeouts: {read: 300ms}, retries: {attempts: 3, on_timeout: true}}
  post: {url: "__POST__", timeouts: {read: 300ms}, retries: {attempts: 3, on_timeout: true}}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - {name: never, match: /never, service: never}
      - {name: always, match: /always, service: always}
      - {name: post, match: /post, service: post}
""", {"NEVER": never, "ALWAYS": always, "POST": post})
    never.delay = always.delay = post.delay = 1.5
    for path in ("/never", "/always"):
        r = gw.request("GET", path)
        assert (r.status, r.json()) == (504, {"error": "Gateway Timeout"}), path
    assert gw.request("POST", "/post", body="x").status == 504
    time.sleep(0.2)
    assert (never.hits, always.hits, post.hits) == (1, 3, 1)
    never.delay, never.script = 0, [504]  # the service's own 504: retried
    r = gw.request("GET", "/never")
    assert r.status == 200 and never.hits == 3


def test_connection_failures_are_retried_by_on_connect_failure_alone(traefik, echo_upstream):
    """A try that never reached the service is retried with on_connect_failure (default
    true), whatever the method and the statuses, and never without it, although Traefik's
    answer to it is a 502, one of the default retry statuses."""
    good = echo_upstream("good")
    dead = f"http://127.0.0.1:{free_port()}"
    gw = traefik(f"""
version: 1
services:
  on: {{targets: [{{url: "{dead}"}}, {{url: "__GOOD__"}}], retries: {{attempts: 3, statuses: [500]}}}}
  off: {{targets: [{{url: "{dead}"}}, {{url: "__GOOD__"}}], retries: {{attempts: 3, on_connect_failure: false}}}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes:
      - {{name: on, match: /on, service: on}}
      - {{name: off, match: /off, service: off}}
""", {"GOOD": good})
    assert [gw.request(m, "/on", body="x").status for m in ("GET", "POST", "GET", "POST")] == [200] * 4
    got = sorted(gw.request("GET", "/off").status for _ in range(4))
    assert got == [200, 200, 502, 502]
    r = gw.request("GET", "/off")
    r = r if r.status == 502 else gw.request("GET", "/off")
    assert (r.status, r.json()) == (502, {"error": "Bad Gateway"})


def test_non_idempotent_methods_are_retried_only_when_the_spec_says(traefik, echo_upstream):
    plain, opted = echo_upstream("plain"), echo_upstream("opted")
    gw = traefik("""
version: 1
services:
  plain: {url: "__PLAIN__", retries: {attempts: 2}}
  opted: {url: "__OPTED__", retries: {attempts: 2, non_idempotent: true}}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - {name: plain, match: /plain, service: plain}
      - {name: opted, match: /opted, service: opted}
""", {"PLAIN": plain, "OPTED": opted})
    for srv, path in ((plain, "/plain"), (opted, "/opted")):
        srv.script = [503]
        assert gw.request("PUT", path).status == 200  # idempotent: retried
        srv.script = [503]
        r = gw.request("POST", path, body="x")
        assert r.status == (503 if srv is plain else 200), (path, r.status)
