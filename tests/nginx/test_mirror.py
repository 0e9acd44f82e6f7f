"""Request mirroring on the real nginx: what the mirror receives, what the client gets,
and what a slow or dead mirror costs the client."""
from __future__ import annotations

import http.client
import time

from nginx_harness import free_port

SPEC = """
version: 1
services:
  primary: {url: "__PRIMARY__/pre"}
  shadow: {url: "__SHADOW__/base", timeouts: {read: 500ms}}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: orders
        match: {path: /orders}
        service: primary
        rewrite: {path: {replace_prefix: /v2/orders}}
        mirror: {service: shadow}
        policies:
          request: {headers: {set: {X-Via: gateway}}}
      - name: sampled
        match: {path: /sampled}
        service: primary
        mirror: {service: shadow, percent: 50}
      - name: guarded
        match: {path: /guarded}
        service: primary
        mirror: {service: shadow}
        policies:
          auth: {api_key: {header: X-Key, keys: {env: GWC_MIRROR_KEYS}}}
"""


def _mirrored(srv, count: int = 1, timeout: float = 5.0) -> list[dict]:
    """What `srv` received once it has `count` requests (the mirror runs in the background)."""
    deadline = time.monotonic() + timeout
    while len(srv.seen) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return srv.seen


def _start(gateway, echo_upstream, shadow=None):
    primary = echo_upstream("primary")
    shadow = shadow or echo_upstream("shadow")
    return gateway(SPEC, {"PRIMARY": primary, "SHADOW": shadow}, env={"GWC_MIRROR_KEYS": "k1"}), primary, shadow


def test_the_mirror_receives_the_request_the_service_receives(gateway, echo_upstream):
    gw, primary, shadow = _start(gateway, echo_upstream)
    r = gw.request("POST", "/orders/7%20x?a=1&b=%41", {"Content-Type": "application/json", "X-Client": "c"},
                   body='{"item": 1}', host="shop.example.com")
    assert r.status == 200 and r.json()["server"] == "primary"  # the client gets the primary's answer
    (seen,) = _mirrored(shadow)
    sent = primary.seen[0]
    # the same request, below the mirror's own base path
    assert sent["path"] == "/pre/v2/orders/7%20x" and seen["path"] == "/base/v2/orders/7%20x"
    for key in ("method", "query", "body"):
        assert seen[key] == sent[key], key
    assert seen["method"] == "POST" and seen["body"] == '{"item": 1}' and seen["query"] == "a=1&b=%41"
    # the same headers: the routed Host, the forwarding headers and the route's transforms
    for h in ("host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-via", "x-client",
              "content-type"):
        assert seen["headers"].get(h) == sent["headers"].get(h), h
    assert seen["headers"]["host"] == "shop.example.com" and seen["headers"]["x-via"] == "gateway"


def test_a_share_of_the_requests_is_mirrored(gateway, echo_upstream):
    gw, primary, shadow = _start(gateway, echo_upstream)
    n = 200
    for _ in range(n):
        assert gw.request("GET", "/sampled").status == 200
    time.sleep(0.3)  # the last mirror requests may still be on their way
    # 50 % of 200 requests: the mean is 100, the standard deviation 7
    assert primary.hits == n and 65 <= shadow.hits <= 135, shadow.hits


def test_requests_the_route_refuses_are_not_mirrored(gateway, echo_upstream):
    gw, primary, shadow = _start(gateway, echo_upstream)
    assert gw.request("GET", "/guarded").status == 401
    assert gw.request("GET", "/guarded", {"X-Key": "k1"}).status == 200
    assert len(_mirrored(shadow)) == 1
    time.sleep(0.2)
    assert shadow.hits == 1 and primary.hits == 1


def test_a_failing_mirror_never_changes_the_answer(gateway, echo_upstream):
    failing = echo_upstream("shadow", status=500)
    gw, primary, _ = _start(gateway, echo_upstream, shadow=failing)
    r = gw.request("GET", "/orders/1")
    assert r.status == 200 and r.json()["server"] == "primary"
    assert len(_mirrored(failing)) == 1


def test_a_dead_mirror_never_changes_the_answer(gateway, echo_upstream):
    dead = type("Dead", (), {"url": f"http://127.0.0.1:{free_port()}"})()
    gw, primary, _ = _start(gateway, echo_upstream, shadow=dead)
    for _ in range(3):
        r = gw.request("POST", "/orders/1", body="x")
        assert r.status == 200 and r.json()["server"] == "primary"


def _two_on_one_connection(gw) -> tuple[float, float]:
    conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=10)
    took = []
    try:
        for _ in range(2):
            start = time.monotonic()
            conn.request("GET", "/orders/1")
            r = conn.getresponse()
            r.read()
            assert r.status == 200
            took.append(time.monotonic() - start)
    finally:
        conn.close()
    return took[0], took[1]


def test_a_slow_mirror_holds_the_connection_not_the_answer(gateway, echo_upstream):
    slow = echo_upstream("shadow")
    slow.delay = 3
    gw, _, _ = _start(gateway, echo_upstream, shadow=slow)
    first, second = _two_on_one_connection(gw)
    # the answer comes at once; nginx takes the connection's next request only after the
    # mirror has given up (the shadow's `read: 500ms`), never after the mirror's 3 s
    assert first < 0.4, first
    assert 0.35 < second < 1.5, second


def test_the_mirror_gets_the_mapped_body_and_the_request_id(gateway, echo_upstream):
    primary, shadow = echo_upstream("primary"), echo_upstream("shadow")
    gw = gateway("""
version: 1
services:
  primary: {url: __PRIMARY__}
  shadow: {url: __SHADOW__, timeouts: {read: 1s}}
gateways:
  main:
    listeners: [{port: 8080}]
    observability: {request_id: {}}
    routes:
      - name: orders
        match: {path: /orders}
        service: primary
        mirror: {service: shadow}
        policies:
          request: {body: {rename: {user_id: userId}}}
""", {"PRIMARY": primary, "SHADOW": shadow})
    r = gw.request("POST", "/orders", {"Content-Type": "application/json"}, body='{"user_id": 7}')
    assert r.status == 200
    (seen,) = _mirrored(shadow)
    sent = primary.seen[0]
    assert seen["body"] == sent["body"] and '"userId"' in seen["body"] and "user_id" not in seen["body"]
    assert seen["headers"]["x-request-id"] == sent["headers"]["x-request-id"] == r.headers["x-request-id"]


def test_a_mirror_without_timeouts_is_warned_about(build_spec):
    text = SPEC.replace("__PRIMARY__", "http://127.0.0.1:3001").replace("__SHADOW__", "http://127.0.0.1:3002")
    _, out = build_spec(text.replace(", timeouts: {read: 500ms}", ""))
    notes = [n.message for n in out.notes if n.code == "GWC311"]
    # one per route that mirrors
    assert len(notes) == 3 and all("'shadow'" in m and "60s" in m for m in notes), notes


def test_answers_from_the_cache_are_mirrored_too(gateway, echo_upstream):
    primary, shadow = echo_upstream("primary"), echo_upstream("shadow")
    gw = gateway("""
version: 1
services:
  primary: {url: __PRIMARY__}
  shadow: {url: __SHADOW__, timeouts: {read: 1s}}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: cached
        match: {path: /cached}
        service: primary
        mirror: {service: shadow}
        policies:
          cache: {ttl: 1m}
""", {"PRIMARY": primary, "SHADOW": shadow})
    _, misses = gw.until_hit("/cached")
    sent = misses + 1  # the misses until_hit saw, then the hit
    assert primary.hits == misses
    assert len(_mirrored(shadow, sent)) == sent
