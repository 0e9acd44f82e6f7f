"""Route policies on the real Traefik, seen from the client and from an echo upstream."""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import time

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
      - name: carved
        match: /carved
        service: echo
        policies:
          ip: {allow: [127.0.0.0/8], deny: [127.0.0.1]}
      - name: admin
        match: /admin
        service: echo
        policies:
          auth: {basic: {credentials: {file: __HTPASSWD__}, realm: Admin}}
      - name: admin-env
        match: /admin-env
        service: echo
        policies:
          auth: {basic: {credentials: {env: GWC_BASIC}}}
      - name: small
        match: /small
        service: echo
        policies:
          body_limit: 16
      - name: nobody
        match: /nobody
        service: echo
        policies:
          body_limit: 0
      - name: headers
        match: /headers
        service: echo
        policies:
          request: {headers: {set: {X-Source: gateway, X-Tpl: '{{ env "HOME" }}'}, remove: [X-Debug]}}
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
      - name: see-other
        match: {path: {exact: /form}}
        redirect: {path: {full: /thanks}, status: 303}
      - name: cors-any
        match: /cors-any
        service: echo
        policies:
          cors: {origins: ["*"], methods: ["*"], headers: ["*"]}
      - name: cors
        match: /cors
        service: echo
        policies:
          cors: {origins: ["https://app.example.com", "https://*.preview.example.com"], methods: [GET, POST],
                 headers: [Authorization], max_age: 10m}
"""

HTPASSWD = "alice:{SHA}" + base64.b64encode(hashlib.sha1(b"wonderland").digest()).decode() + "\n"


def basic(user: str, pw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


@pytest.fixture(scope="module")
def gw(module_traefik, module_echo_upstream, tmp_path_factory):
    users = tmp_path_factory.mktemp("secrets") / "users.htpasswd"  # a path on the gateway host
    users.write_text(HTPASSWD)
    return module_traefik(SPEC.replace("__HTPASSWD__", str(users)), {"ECHO": module_echo_upstream()},
                          env={"GWC_BASIC": "bob:builder,carol:pass:with:colons"})


def test_rate_limit_answers_429_once_the_bucket_is_empty(gw):
    # 2 per minute with burst 1: two tokens at once, then one every 30 s
    statuses = [gw.request("GET", "/limited").status for _ in range(3)]
    assert statuses == [200, 200, 429]
    r = gw.request("GET", "/limited")
    assert r.status == 429 and int(r.headers["retry-after"]) >= 1


def test_a_forged_forwarded_for_gets_no_fresh_budget_and_no_other_address(gw):
    forged = {"X-Forwarded-For": "10.1.2.3", "X-Real-Ip": "10.1.2.3"}
    for _ in range(3):  # the bucket holds 2
        gw.request("GET", "/limited")
    assert gw.request("GET", "/limited").status == 429
    assert gw.request("GET", "/limited", forged).status == 429
    assert gw.request("GET", "/denied", forged).status == 403


def test_rate_limit_by_header_counts_each_value_and_absence_as_one(gw):
    assert gw.request("GET", "/by-header", {"X-Key": "a"}).status == 200
    assert gw.request("GET", "/by-header", {"X-Key": "b"}).status == 200
    assert gw.request("GET", "/by-header", {"X-Key": "a"}).status == 429
    # no header = the empty value: one budget for all such requests
    assert gw.request("GET", "/by-header").status == 200
    assert gw.request("GET", "/by-header", {"X-Key": ""}).status == 429


def test_ip_deny_wins(gw):
    assert gw.request("GET", "/denied").status == 403
    assert gw.request("GET", "/allowed").status == 200


def request_from(gw, source: str, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def test_ip_deny_inside_an_allowed_range(gw):
    assert request_from(gw, "127.0.0.1", "/carved") == 403
    assert request_from(gw, "127.0.0.2", "/carved") == 200
    assert request_from(gw, "127.0.0.2", "/denied") == 403


def test_the_service_sees_the_client_host(gw):
    seen = gw.request("GET", "/headers", host="Api.Example.test:8123").json()["headers"]
    assert seen["host"] == "Api.Example.test:8123"  # passHostHeader


def test_basic_auth_from_htpasswd_file(gw):
    r = gw.request("GET", "/admin")
    assert r.status == 401 and 'realm="Admin"' in r.headers["www-authenticate"]
    assert gw.request("GET", "/admin", basic("alice", "nope")).status == 401
    r = gw.request("GET", "/admin", basic("alice", "wonderland"))
    assert r.status == 200 and r.json()["path"] == "/admin"


def test_basic_auth_from_env(gw):
    assert gw.request("GET", "/admin-env").status == 401
    assert gw.request("GET", "/admin-env", basic("bob", "builder")).status == 200
    assert gw.request("GET", "/admin-env", basic("carol", "pass:with:colons")).status == 200
    assert gw.request("GET", "/admin-env", basic("bob", "pass:with:colons")).status == 401


def test_body_limit(gw):
    assert gw.request("POST", "/small", body="x" * 16).status == 200
    assert gw.request("POST", "/small", body="x" * 17).status == 413


def chunked_post(gw, path: str, chunks: list[bytes]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=10)
    try:
        conn.request("POST", path, body=iter(chunks), encode_chunked=True,
                     headers={"Transfer-Encoding": "chunked"})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_body_limit_zero_allows_no_body(gw):
    r = gw.request("POST", "/nobody", body="")
    assert r.status == 200 and r.json()["body"] == ""
    r = gw.request("POST", "/nobody", body="x")
    assert (r.status, r.json()) == (413, {"error": "Content Too Large"})
    assert chunked_post(gw, "/nobody", [b"abc"])[0] == 413
    status, body = chunked_post(gw, "/nobody", [])
    assert status == 200 and json.loads(body)["body"] == ""


def test_header_transforms_at_the_upstream(gw):
    r = gw.request("GET", "/headers", {"X-Debug": "1", "X-Source": "client"})
    seen = r.json()["headers"]
    assert seen["x-source"] == "gateway"
    assert "x-debug" not in seen
    # Traefik's file provider runs templates: the spec's text must arrive as written
    assert seen["x-tpl"] == '{{ env "HOME" }}'
    assert r.headers["x-frame-options"] == "DENY"
    assert "server" not in r.headers


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
    ("/blog/2019/post?p=2", 302, "http://h.test:{port}/articles/2019/post?p=2"),
    ("/blog", 302, "http://h.test:{port}/articles"),
    ("/go/x", 302, "http://h.test:{port}/x"),
    ("/go", 302, "http://h.test:{port}/"),
])
def test_redirects(gw, path, status, location):
    # the port is the one the request came in on (the listener's), not the Host header's
    r = gw.request("GET", path, host="h.test:8000")
    assert (r.status, r.headers.get("location")) == (status, location.format(port=gw.port))


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_redirect_status_is_the_spec_one_for_every_method(gw, method):
    # Traefik's own redirect middlewares would send 308 for a 301 and 307 for a 302 to a POST
    r = gw.request(method, "/perm/a?b=1", host="h.test:8000")
    assert (r.status, r.headers["location"]) == (308, "http://new.example.com:8443/perm/a?b=1")
    r = gw.request(method, "/form?x=%20", host="h.test")
    assert (r.status, r.headers["location"]) == (303, f"http://h.test:{gw.port}/thanks?x=%20")
    r = gw.request(method, "/moved", host="h.test")
    assert (r.status, r.headers["location"]) == (301, "https://example.com/moved")


def test_cors(gw):
    pre = gw.request("OPTIONS", "/cors", {"Origin": "https://a.b.preview.example.com",
                                           "Access-Control-Request-Method": "POST"})
    assert pre.status in (200, 204)
    assert pre.headers["access-control-allow-origin"] == "https://a.b.preview.example.com"
    assert pre.headers["access-control-max-age"] == "600"
    r = gw.request("GET", "/cors", {"Origin": "https://app.example.com"})
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
    r = gw.request("GET", "/cors", {"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_any_method_and_header_allows_what_the_browser_asks_for(gw):
    pre = gw.request("OPTIONS", "/cors-any", {"Origin": "https://x.example", "Access-Control-Request-Method": "PATCH",
                                               "Access-Control-Request-Headers": "authorization,x-thing"})
    assert pre.status in (200, 204)
    # a literal `*` would not cover Authorization (Fetch standard)
    assert pre.headers["access-control-allow-methods"] == "PATCH"
    assert pre.headers["access-control-allow-headers"] == "authorization,x-thing"
    r = gw.request("GET", "/cors-any", {"Origin": "https://x.example"})
    assert r.status == 200 and r.headers["access-control-allow-origin"] == "*"
    # a policy that lists its methods answers with its list
    pre = gw.request("OPTIONS", "/cors", {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"})
    assert pre.headers["access-control-allow-methods"] == "GET,POST"


def test_no_errors_after_traffic(gw):
    time.sleep(0.2)
    # Traefik logs each body over the limit as an error (a client's, not the configuration's)
    errors = [e for e in gw.errors() if "request body over limit" not in e.get("message", "")]
    assert not errors, errors
