"""Gateway API precedence on the real Traefik: the route that answers is the one the spec ranks
first, whatever Traefik's own order (rule length) would have picked."""
from __future__ import annotations

import os

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
      - {name: tick-slash, match: {path: /x2, headers: {X-T: "a`b\\\\c\\""}}, service: b}
      - {name: quoted, match: {path: /q2, headers: {X-Q: 'a"b\\c'}}, service: b}
      - {name: template, match: {path: /tpl, headers: {X-T: '{{ env "HOME" }}'}}, service: b}
      - {name: digits, match: {path: {regex: '/d/\\d+'}}, service: b}
      - {name: two-methods, match: {path: /api/m, methods: [PUT, DELETE]}, service: b}
      - {name: two-hosts, hostnames: [one.test, two.test], match: /api/two, service: b}
"""


@pytest.fixture(scope="module")
def gw(module_traefik, module_echo_upstream):
    return module_traefik(SPEC, {"A": module_echo_upstream("a"), "B": module_echo_upstream("b")})


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
    ("GET", "/x2", {"X-T": 'a`b\\c"'}, None, "b"),  # a backquote, a backslash and a quote
    ("GET", "/x2", {"X-T": "a`bc"}, None, "a"),
    ("GET", "/q2", {"X-Q": 'a"b\\c'}, None, "b"),    # a quote and a backslash in a raw string
    ("GET", "/q2", {"X-Q": 'a"bc'}, None, "a"),
    # Traefik runs dynamic.yml through Go templates: the rule holds the literal text
    ("GET", "/tpl", {"X-T": '{{ env "HOME" }}'}, None, "b"),
    ("GET", "/tpl", {"X-T": os.environ.get("HOME", "/root")}, None, "a"),
    ("GET", "/d/12", {}, None, "b"),                 # a regex escape (\d) arrives intact
    ("GET", "/d/1x", {}, None, "a"),
    ("PUT", "/api/m", {}, None, "b"),                # Method(`PUT`) || Method(`DELETE`)
    ("DELETE", "/api/m/x", {}, None, "b"),
    ("GET", "/api/m", {}, None, "a"),
    ("GET", "/api/two", {}, "one.test", "b"),         # Host(`one.test`) || Host(`two.test`)
    ("GET", "/api/two", {}, "TWO.test:8080", "b"),    # case and port ignored
    ("GET", "/api/two", {}, "three.test", "a"),
]


@pytest.mark.parametrize("method,path,headers,host,expected", CASES)
def test_precedence(gw, method, path, headers, host, expected):
    r = gw.request(method, path, headers, host=host)
    assert r.status == 200, (r.status, r.body)
    assert r.json()["server"] == expected


def test_regex_is_anchored(gw):
    # /api/users/7/x would match an unanchored regex; it goes to the /api/users prefix (b)
    # and /v/api/users/7 to root (a), never to the regex route by a partial match
    assert gw.request("GET", "/v/api/users/7").json()["server"] == "a"


def test_every_router_has_an_explicit_priority(gw):
    routers = gw.dynamic["http"]["routers"]
    prios = [r["priority"] for n, r in routers.items() if n != "web~not-found"]
    assert all(isinstance(p, int) and p > 1 for p in prios)
    assert len(set(prios)) == len(prios)
    assert routers["web~not-found"]["priority"] == 1
