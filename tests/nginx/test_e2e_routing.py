"""Gateway API precedence as the real nginx applies it."""
from __future__ import annotations

SPEC = """
version: 1
services:
  a: {url: __A__}
  b: {url: __B__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: exact
        match: {path: {exact: /v2}}
        service: a
      - name: v2
        match: {path: /v2}
        service: b
      - name: regex
        match: {path: {regex: "/v2/items/[0-9]+"}}
        service: a
      - name: longer-prefix
        match: {path: /v2/items/special}
        service: a
      - name: post-only
        match: {path: /m, methods: [POST]}
        respond: {status: 201, body: {via: post}}
      - name: any-method
        match: {path: /m}
        respond: {body: {via: any}}
      - name: header
        match: {path: /h, headers: {x-env: prod}}
        respond: {body: {via: header}}
      - name: query
        match: {path: /h, query: {debug: "1"}}
        respond: {body: {via: query}}
      - name: header-regex
        match: {path: /h, headers: [{name: x-env, regex: "st.*"}]}
        respond: {body: {via: header-regex}}
      - name: host
        hostnames: [api.example.com]
        match: {path: /h}
        respond: {body: {via: host}}
      - name: wildcard
        hostnames: ["*.example.org"]
        match: {path: /}
        respond: {body: {via: wildcard}}
"""


def _start(gateway, echo_upstream):
    return gateway(SPEC, {"A": echo_upstream("a"), "B": echo_upstream("b")})


def test_exact_prefix_and_segment_boundary(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    assert gw.request("GET", "/v2").json()["server"] == "a"  # exact beats prefix
    assert gw.request("GET", "/v2/x").json()["server"] == "b"
    r = gw.request("GET", "/v2x")  # not a segment of /v2
    assert r.status == 404 and r.json() == {"error": "Not Found"}
    assert r.headers["content-type"] == "application/json"


def test_regex_beats_prefix_but_not_exact(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    assert gw.request("GET", "/v2/items/12").json()["server"] == "a"
    assert gw.request("GET", "/v2/items/12x").json()["server"] == "b"  # full match only
    # a regex outranks any prefix in Gateway API precedence, even a longer one
    assert gw.request("GET", "/v2/items/special/1").json()["server"] == "a"


def test_method_header_query_in_precedence_order(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    assert gw.request("POST", "/m").json() == {"via": "post"}
    assert gw.request("POST", "/m").status == 201
    assert gw.request("GET", "/m").json() == {"via": "any"}
    assert gw.request("GET", "/h", {"x-env": "prod"}).json() == {"via": "header"}
    assert gw.request("GET", "/h", {"x-env": "prod"}, host="api.example.com").json() == {"via": "host"}
    assert gw.request("GET", "/h?debug=1").json() == {"via": "query"}
    # more header matches rank before query matches
    assert gw.request("GET", "/h?debug=1", {"x-env": "stage"}).json() == {"via": "header-regex"}
    assert gw.request("GET", "/h", {"x-env": "stage"}).json() == {"via": "header-regex"}
    assert gw.request("GET", "/h", {"x-env": "PROD"}).status == 404  # values are case-sensitive
    assert gw.request("GET", "/h").status == 404


def test_hostnames(gateway, echo_upstream):
    gw = _start(gateway, echo_upstream)
    assert gw.request("GET", "/h", host="api.example.com").json() == {"via": "host"}
    # host-less routes still apply on a named host, below its own routes
    assert gw.request("GET", "/v2", host="api.example.com").json()["server"] == "a"
    assert gw.request("GET", "/anything", host="a.b.example.org").json() == {"via": "wildcard"}
    assert gw.request("GET", "/v2", host="x.example.org").json() == {"via": "wildcard"}
    assert gw.request("GET", "/anything", host="example.org").status == 404


def test_prefix_written_with_a_trailing_slash_is_the_same_prefix(gateway, echo_upstream):
    # Gateway API ignores a prefix's trailing `/`: /match/ takes /match, /match/ and /match/x,
    # never /matchx; a prefix rewrite replaces the segment, as for /match
    gw = gateway("""
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: slash
        match: {path: /match/}
        service: a
        rewrite: {path: {replace_prefix: /in}}
""", {"A": echo_upstream("a")})
    for sent, seen in (("/match", "/in"), ("/match/", "/in/"), ("/match/x", "/in/x")):
        r = gw.request("GET", sent)
        assert r.status == 200 and r.json()["path"] == seen, (sent, r.status, r.body)
    assert gw.request("GET", "/matchx").status == 404
