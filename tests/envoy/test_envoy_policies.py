"""Route policies on the real Envoy, seen from the client and from an echo upstream."""
from __future__ import annotations

import pytest

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
  based: {url: "__ECHO__/base"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: limited
        match: /limited
        service: echo
        policies:
          rate_limit: {requests: 2, per: 1m, burst: 1}
      - name: by-header
        match: /by-header
        service: echo
        policies:
          rate_limit: {requests: 1, per: 1m, key: {header: X-Key}}
      - name: denied
        match: /denied
        service: echo
        policies:
          ip: {deny: [127.0.0.0/8]}
      - name: allowed
        match: /allowed
        service: echo
        policies:
          ip: {allow: [127.0.0.0/8], deny: [10.0.0.0/8]}
      - name: small
        match: /small
        service: echo
        policies:
          body_limit: 16
      - name: headers
        match: /headers
        service: echo
        policies:
          request: {headers: {set: {X-Source: gateway, X-Pct: '100% %REQ(host)%'}, remove: [X-Debug]}}
          response: {headers: {set: {X-Frame-Options: DENY}, remove: [Server]}}
      - name: strip
        match: /v1
        service: based
        rewrite: {path: {strip_prefix: true}}
      - name: replace
        match: /old-api
        service: echo
        rewrite: {path: {replace_prefix: /new-api}}
      - name: replace-root
        match: /root-api
        service: echo
        rewrite: {path: {replace_prefix: /}}
      - name: full
        match: {path: {exact: /full}}
        service: echo
        rewrite: {path: {full: /replaced}}
      - name: moved
        match: /moved
        redirect: {scheme: https, hostname: example.com, status: 301}
      - name: renamed
        match: /blog
        redirect: {path: {replace_prefix: /articles}}
      - name: stripped
        match: /go
        redirect: {path: {strip_prefix: true}}
      - name: permanent
        match: /perm
        redirect: {hostname: new.example.com, port: 8443, status: 308}
      - name: secure
        match: /secure
        redirect: {scheme: https}
      - name: see-other
        match: {path: {exact: /form}}
        redirect: {path: {full: /thanks}, status: 303}
      - name: cors
        match: /cors
        service: echo
        policies:
          cors: {origins: ["https://app.example.com", "https://*.preview.example.com"], methods: [GET, POST],
                 headers: [Authorization], max_age: 10m}
      - name: cors-get
        match: {path: /cors-get, methods: [GET]}
        service: echo
        policies:
          cors: {origins: ["*"], methods: ["*"], headers: ["*"], expose_headers: [X-Total]}
"""



@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()})


def test_rate_limit_answers_429_once_the_bucket_is_empty(gw):
    # 2 per minute with burst 1: two tokens at once, then one every 30 s
    statuses = [gw.request("GET", "/limited").status for _ in range(3)]
    assert statuses == [200, 200, 429]
    r = gw.request("GET", "/limited")
    assert (r.status, r.json(), r.headers["retry-after"]) == (429, {"error": "Too Many Requests"}, "30")
    assert r.headers["content-type"] == "application/json" and r.headers["cache-control"] == "no-store"


def test_rate_limit_by_header_counts_each_value_and_absence_as_one(gw):
    assert gw.request("GET", "/by-header", {"X-Key": "a"}).status == 200
    assert gw.request("GET", "/by-header", {"X-Key": "b"}).status == 200
    assert gw.request("GET", "/by-header", {"X-Key": "a"}).status == 429
    # no header = the empty value: one budget for all such requests
    assert gw.request("GET", "/by-header").status == 200
    assert gw.request("GET", "/by-header", {"X-Key": ""}).status == 429


def test_ip_deny_wins(gw):
    r = gw.request("GET", "/denied")
    assert (r.status, r.json()) == (403, {"error": "Forbidden"})
    assert gw.request("GET", "/allowed").status == 200
    # X-Forwarded-For is never the client
    assert gw.request("GET", "/denied", {"X-Forwarded-For": "192.0.2.1"}).status == 403


def test_body_limit(gw):
    assert gw.request("POST", "/small", body="x" * 16).status == 200
    r = gw.request("POST", "/small", body="x" * 17)
    assert (r.status, r.json()) == (413, {"error": "Content Too Large"})


def test_header_transforms_at_the_upstream(gw):
    r = gw.request("GET", "/headers", {"X-Debug": "1", "X-Source": "client"})
    seen = r.json()["headers"]
    assert seen["x-source"] == "gateway"
    assert "x-debug" not in seen
    # Envoy reads header values as format strings: the spec's text must arrive as written
    assert seen["x-pct"] == "100% %REQ(host)%"
    assert r.headers["x-frame-options"] == "DENY"
    assert "server" not in r.headers
    assert not [h for h in seen if h.startswith("x-envoy")]


@pytest.mark.parametrize("path,upstream_path", [
    ("/v1", "/base"), ("/v1/", "/base/"), ("/v1/orders/7", "/base/orders/7"), ("/v1/a%2Fb", "/base/a%2Fb"),
    ("/old-api", "/new-api"), ("/old-api/x", "/new-api/x"),
    ("/root-api", "/"), ("/root-api/x", "/x"),
    ("/full", "/replaced"),
])
def test_path_rewrites(gw, path, upstream_path):
    r = gw.request("GET", path + "?q=1")
    assert r.status == 200, r.body
    assert (r.json()["path"], r.json()["query"]) == (upstream_path, "q=1")


@pytest.mark.parametrize("path,status,location", [
    ("/moved/x?y=1", 301, "https://example.com/moved/x?y=1"),
    ("/blog/2019/post?p=2", 302, "http://h.test:8000/articles/2019/post?p=2"),
    ("/blog", 302, "http://h.test:8000/articles"),
    ("/go/x", 302, "http://h.test:8000/x"),
    ("/go", 302, "http://h.test:8000/"),
])
def test_redirects(gw, path, status, location):
    r = gw.request("GET", path, host="h.test:8000")
    assert (r.status, r.headers.get("location")) == (status, location)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_redirect_status_is_the_spec_one_for_every_method(gw, method):
    r = gw.request(method, "/perm/a?b=1", host="h.test:8000")
    assert (r.status, r.headers["location"]) == (308, "http://new.example.com:8443/perm/a?b=1")
    # a Host without a port: the port the request came in on (docs/spec.md, redirect)
    r = gw.request(method, "/form?x=%20", host="h.test")
    assert (r.status, r.headers["location"]) == (303, f"http://h.test:{gw.port}/thanks?x=%20")
    assert gw.request(method, "/secure/a?b=1", host="h.test:8000").headers["location"] == \
        "https://h.test/secure/a?b=1"
    r = gw.request(method, "/moved", host="h.test")
    assert (r.status, r.headers["location"]) == (301, "https://example.com/moved")


def test_cors(gw, module_echo_upstream):
    pre = gw.request("OPTIONS", "/cors", {"Origin": "https://a.b.preview.example.com",
                                           "Access-Control-Request-Method": "POST"})
    assert pre.status == 204
    assert pre.headers["access-control-allow-origin"] == "https://a.b.preview.example.com"
    assert pre.headers["access-control-allow-methods"] == "GET, POST"
    assert pre.headers["access-control-allow-headers"] == "Authorization"
    assert pre.headers["access-control-max-age"] == "600"
    r = gw.request("GET", "/cors", {"Origin": "https://app.example.com"})
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
    r = gw.request("GET", "/cors", {"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in r.headers
    pre = gw.request("OPTIONS", "/cors", {"Origin": "https://evil.example.com",
                                           "Access-Control-Request-Method": "POST"})
    assert pre.status == 204 and "access-control-allow-origin" not in pre.headers


def test_cors_any_method_and_header_on_a_get_only_route(gw):
    pre = gw.request("OPTIONS", "/cors-get", {"Origin": "https://x.example", "Access-Control-Request-Method": "PUT",
                                               "Access-Control-Request-Headers": "Authorization, X-Custom"})
    assert pre.status == 204, (pre.status, pre.body)  # answered, though the route only takes GET
    assert pre.headers["access-control-allow-origin"] == "*"
    assert pre.headers["access-control-allow-methods"] == "PUT"
    assert pre.headers["access-control-allow-headers"] == "Authorization, X-Custom"
    r = gw.request("GET", "/cors-get", {"Origin": "https://x.example"})
    assert r.headers["access-control-allow-origin"] in ("*", "https://x.example")
    assert r.headers["access-control-expose-headers"] == "X-Total"
