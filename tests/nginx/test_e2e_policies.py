"""Policies nginx enforces itself: limits, cache, transforms, CORS, IP filter, body size."""
from __future__ import annotations

import json
import time

SPEC = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    observability:
      request_id: {}
      access_log: {format: json}
    routes:
      - name: limited
        match: {path: /limited}
        service: a
        policies:
          rate_limit: {requests: 3, per: 1m, status: 429, body: {error: slow down}}
      - name: cached
        match: {path: /cached}
        service: a
        policies:
          cache: {ttl: 30s, vary: {headers: [x-tenant]}, bypass: {headers: [x-nocache]}}
      - name: transformed
        match: {path: /t}
        service: a
        policies:
          request:
            headers:
              set: {x-set: "v$host"}
              add: {x-add: two}
              remove: [x-drop]
              rename: {x-old: x-new}
            query:
              set: {s: "1 2"}
              add: {a: "x"}
              remove: [r]
              rename: {o: n}
          response:
            headers:
              set: {x-resp: "r$1"}
              add: {x-extra: e}
      - name: cors
        match: {path: /cors}
        service: a
        policies:
          cors:
            origins: ["https://app.example.com", "https://*.example.net"]
            methods: [GET, PUT]
            headers: [x-token]
            expose_headers: [x-total]
            credentials: true
            max_age: 10m
      - name: denied
        match: {path: /denied}
        service: a
        policies:
          ip: {deny: [127.0.0.0/8]}
      - name: allowed-elsewhere
        match: {path: /allowlist}
        service: a
        policies:
          ip: {allow: [10.0.0.0/8]}
      - name: small
        match: {path: /small}
        service: a
        policies:
          body_limit: 100
"""


def _start(gateway, echo_upstream):
    return gateway(SPEC, {"A": echo_upstream("a")})


def test_rate_limit_429_with_json_after_the_limit(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    assert [gw.request("GET", "/limited").status for _ in range(3)] == [200, 200, 200]
    r = gw.request("GET", "/limited")
    assert r.status == 429 and r.json() == {"error": "slow down"}


def test_cache_miss_then_hit_and_vary(gateway, echo_upstream):
    up = echo_upstream("a")
    gw = gateway(SPEC, {"A": up})
    first = gw.request("GET", "/cached/x")
    assert first.headers["x-cache-status"] == "MISS"
    second, misses = gw.until_hit("/cached/x")
    # the HIT serves a stored upstream answer: the first MISS's, or a later MISS's when another
    # worker missed the entry while it was being stored
    assert second.body in [first.body] + [m.body for m in gw.missed]
    assert up.hits == 1 + misses  # each MISS, and only a MISS, reached the upstream
    assert gw.request("GET", "/cached/x", {"x-tenant": "b"}).headers["x-cache-status"] == "MISS"
    assert gw.request("GET", "/cached/x", {"x-nocache": "1"}).headers["x-cache-status"] == "BYPASS"
    assert gw.request("GET", "/cached/x?other").headers["x-cache-status"] == "MISS"


def test_request_and_response_transforms(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    r = gw.request("GET", "/t?r=gone&o=kept&keep=1&s=old",
                   {"x-drop": "1", "x-old": "moved", "x-add": "one", "x-set": "client"})
    seen = r.json()
    h = seen["headers"]
    assert h["x-set"] == "v$host"  # a user's "$" is never a variable
    assert h["x-add"] == "one, two"
    assert "x-drop" not in h and "x-old" not in h and h["x-new"] == "moved"
    params = dict(p.split("=", 1) for p in seen["query"].split("&"))
    assert params == {"n": "kept", "keep": "1", "s": "1%202", "a": "x"}
    assert r.headers["x-resp"] == "r$1" and r.headers["x-extra"] == "e"
    assert h["x-request-id"] and r.headers["x-request-id"] == h["x-request-id"]
    assert gw.request("GET", "/t", {"x-request-id": "abc"}).json()["headers"]["x-request-id"] == "abc"


def test_cors_preflight_and_simple(gateway, echo_upstream):
    up = echo_upstream("a")
    gw = gateway(SPEC, {"A": up})
    pre = gw.request("OPTIONS", "/cors", {"origin": "https://x.example.net",
                                          "access-control-request-method": "PUT"})
    assert pre.status == 204 and up.hits == 0
    assert pre.headers["access-control-allow-origin"] == "https://x.example.net"
    assert pre.headers["access-control-allow-methods"] == "GET, PUT"
    assert pre.headers["access-control-allow-headers"] == "x-token"
    assert pre.headers["access-control-allow-credentials"] == "true"
    assert pre.headers["access-control-max-age"] == "600"
    r = gw.request("GET", "/cors", {"origin": "https://app.example.com"})
    assert r.status == 200 and r.headers["access-control-allow-origin"] == "https://app.example.com"
    assert r.headers["access-control-expose-headers"] == "x-total"
    bad = gw.request("GET", "/cors", {"origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in bad.headers


CORS_WILDCARDS = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: any
        match: {path: /any}
        service: a
        policies:
          cors: {origins: ["*"], methods: ["*"], headers: ["*"], expose_headers: ["*"], max_age: 1m}
      - name: listed
        match: {path: /listed}
        service: a
        policies:
          cors: {origins: ["https://app.example.com"], methods: [GET]}
"""


def test_cors_wildcards_answer_what_the_browser_asks(gateway, echo_upstream):
    up = echo_upstream("a")
    gw = gateway(CORS_WILDCARDS, {"A": up})
    # "*" is answered with the requested method and headers: a literal "*" would not cover
    # Authorization, which a browser then refuses to send
    pre = gw.request("OPTIONS", "/any", {"origin": "https://x.example", "access-control-request-method": "DELETE",
                                         "access-control-request-headers": "authorization, x-custom"})
    assert pre.status == 204 and up.hits == 0
    assert pre.headers["access-control-allow-origin"] == "*"
    assert pre.headers["access-control-allow-methods"] == "DELETE"
    assert pre.headers["access-control-allow-headers"] == "authorization, x-custom"
    assert "access-control-allow-credentials" not in pre.headers
    r = gw.request("DELETE", "/any", {"origin": "https://x.example"})
    assert r.status == 200 and r.json()["method"] == "DELETE"
    assert r.headers["access-control-allow-origin"] == "*" and r.headers["access-control-expose-headers"] == "*"


def test_cors_without_headers_allows_only_safelisted_ones(gateway, echo_upstream):
    gw = gateway(CORS_WILDCARDS, {"A": echo_upstream("a")})
    pre = gw.request("OPTIONS", "/listed", {"origin": "https://app.example.com",
                                            "access-control-request-method": "GET",
                                            "access-control-request-headers": "x-custom"})
    assert pre.status == 204 and pre.headers["access-control-allow-methods"] == "GET"
    # no Access-Control-Allow-Headers: the browser sends no header beyond the safelisted ones
    assert "access-control-allow-headers" not in pre.headers


def test_ip_filter_403_json(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    for path in ("/denied", "/allowlist"):
        r = gw.request("GET", path)
        assert r.status == 403 and r.json() == {"error": "Forbidden"}


def test_body_limit_413_json(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    assert gw.request("POST", "/small", body=b"x" * 100).json()["body"] == "x" * 100
    r = gw.request("POST", "/small", body=b"x" * 101)
    assert r.status == 413 and r.json() == {"error": "Content Too Large"}


def test_json_access_log(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    gw.request("GET", "/t?q=1", {"x-request-id": "rid-1"})
    log = gw.runtime / "access.log"
    deadline = time.monotonic() + 5  # nginx logs after the response has gone out
    while not (log.exists() and log.read_text().endswith("\n")) and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert lines[-1]["uri"] == "/t?q=1" and lines[-1]["request_id"] == "rid-1" and lines[-1]["status"] == "200"
