"""Gateway API precedence on the real Envoy: the route that answers is the one the spec ranks
first. Envoy takes the first route that matches, so the order gatewayc emits is all there is."""
from __future__ import annotations

import pytest

SPEC = """
version: 1
services:
  a: {url: "__A__"}
  b: {url: "__B__"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - {name: root, match: /, service: a}
      - {name: api-prefix, match: /api, service: a}
      - {name: api-users-prefix, match: /api/users, service: b}
      - {name: api-exact, match: {path: {exact: /api/users/me}}, service: a}
      - {name: regex, match: {path: {regex: "/api/users/[0-9]+"}}, service: b}
      - {name: post-only, match: {path: /api/orders, methods: [POST]}, service: b}
      - {name: orders, match: /api/orders, service: a}
      - {name: header, match: {path: /api/orders, headers: {X-Beta: "yes"}}, service: b}
      - {name: header-rx, match: {path: /api/h, headers: [{name: X-V, regex: "v[0-9]"}]}, service: b}
      - {name: query, match: {path: /api/q, query: {format: csv}}, service: b}
      - {name: query-rx, match: {path: /api/q, query: [{name: page, regex: "[0-9]+"}]}, service: a}
      - {name: hosted, hostnames: [shop.example.com], match: /api, service: b}
      - {name: wild, hostnames: ["*.example.com"], match: /api/users, service: a}
      - {name: spaced, match: {path: {exact: "/a%20b"}}, service: b}
      - {name: tick, match: {path: /x, headers: {X-T: "a`b"}}, service: b}
"""


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"A": module_echo_upstream("a"), "B": module_echo_upstream("b")})


CASES = [
    # (method, path, headers, host, expected upstream)
    ("GET", "/anything", {}, None, "a"),
    ("GET", "/api", {}, None, "a"),
    ("GET", "/api/users", {}, None, "b"),            # longer prefix
    ("GET", "/api/users/7", {}, None, "b"),          # regex above prefixes
    ("GET", "/api/users/me", {}, None, "a"),         # exact above regex and prefixes
    ("GET", "/api/usersx", {}, None, "a"),           # segment-wise: /api/users does not take /api/usersx
    ("POST", "/api/orders", {}, None, "b"),          # a method match first
    ("GET", "/api/orders", {}, None, "a"),
    ("GET", "/api/orders", {"X-Beta": "yes"}, None, "b"),  # more headers first
    ("GET", "/api/orders", {"X-Beta": "no"}, None, "a"),
    ("GET", "/api/h", {"X-V": "v1"}, None, "b"),
    ("GET", "/api/h", {"X-V": "xv1"}, None, "a"),     # header regexes match the whole value
    ("GET", "/api/q?format=csv", {}, None, "b"),
    ("GET", "/api/q?page=12", {}, None, "a"),
    ("GET", "/api/q?page=12x", {}, None, "a"),        # falls to /api (a) too: whole-value regex
    ("GET", "/api/x", {}, "shop.example.com", "b"),   # a hostname match ranks first
    ("GET", "/api/users/7", {}, "shop.example.com", "b"),  # exact host /api beats host-less regex
    ("GET", "/api/users", {}, "a.b.example.com", "a"),  # wildcard: any number of labels
    ("GET", "/api/users", {}, "example.com", "b"),   # not the bare domain
    ("GET", "/a%20b", {}, None, "b"),
    ("GET", "/x", {"X-T": "a`b"}, None, "b"),        # a backquote in a rule value
]


@pytest.mark.parametrize("method,path,headers,host,expected", CASES)
def test_precedence(gw, method, path, headers, host, expected):
    r = gw.request(method, path, headers, host=host)
    assert r.status == 200, (r.status, r.body)
    assert r.json()["server"] == expected


def test_regex_is_anchored(gw):
    # /api/users/7/x would match an unanchored regex; it goes to the /api/users prefix (b)
    # and /v/api/users/7 to root (a), never to the regex route by a partial match
    assert gw.request("GET", "/api/users/7/x").json()["server"] == "b"
    assert gw.request("GET", "/v/api/users/7").json()["server"] == "a"


def test_host_with_port_and_any_case(gw):
    assert gw.request("GET", "/api/x", host=f"SHOP.example.com:{gw.port}").json()["server"] == "b"
