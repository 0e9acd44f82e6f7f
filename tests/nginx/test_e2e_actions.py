"""Redirects, rewrites, fixed responses and upstream addressing, as seen by the upstream."""
from __future__ import annotations

SPEC = """
version: 1
services:
  a: {url: __A__}
  based: {url: __A__/base}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: strip
        match: {path: /api}
        service: a
        rewrite: {path: {strip_prefix: true}}
      - name: replace
        match: {path: /old}
        service: a
        rewrite: {path: {replace_prefix: /new}, hostname: internal.example}
      - name: full
        match: {path: /full}
        service: a
        rewrite: {path: {full: /fixed$path}}
      - name: base
        match: {path: /b}
        service: based
      - name: moved
        match: {path: /moved}
        redirect: {path: {replace_prefix: /here}, status: 301}
      - name: to-https
        match: {path: {exact: /secure}}
        redirect: {scheme: https, hostname: example.com}
      - name: teapot
        match: {path: {exact: /tea}}
        respond: {status: 418, body: {msg: "short and $stout"}}
"""


def _start(gateway, echo_upstream):
    return gateway(SPEC, {"A": echo_upstream("a")})


def test_strip_prefix(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    seen = gw.request("GET", "/api/users/7?x=1").json()
    assert (seen["path"], seen["query"]) == ("/users/7", "x=1")
    assert gw.request("GET", "/api").json()["path"] == "/"


def test_replace_prefix_and_host(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    seen = gw.request("GET", "/old/x").json()
    assert seen["path"] == "/new/x"
    assert seen["headers"]["host"] == "internal.example"
    assert gw.request("GET", "/old").json()["path"] == "/new"


def test_full_rewrite_keeps_dollar_literal(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    assert gw.request("GET", "/full/anything").json()["path"] == "/fixed$path"


def test_target_base_path(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    assert gw.request("GET", "/b/c").json()["path"] == "/base/b/c"


def test_redirects(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    r = gw.request("GET", "/moved/page?q=1", host="gw.test")
    assert r.status == 301
    assert r.headers["location"] == f"http://gw.test:{gw.port}/here/page?q=1"
    r = gw.request("GET", "/secure?q=2")
    assert r.status == 302 and r.headers["location"] == "https://example.com/secure?q=2"


def test_fixed_response_is_literal_json(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    r = gw.request("GET", "/tea")
    assert r.status == 418 and r.json() == {"msg": "short and $stout"}
