"""A route regex means on nginx what it means in RE2, wherever nginx runs it: in its own
location, and as a condition inside another route's location, where gatewayc tests it on a
string it assembled (the previous condition's "1", then the value). `^`, `\\A`, `$` and `\\b`
written by the user anchor at the value, as RE2 reads them; `.` is one character."""
from __future__ import annotations

import pytest

SPEC = r"""
version: 1
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      # longer, so ranked (and placed) first: GET /a/b reaches this location, then falls
      # through to the candidates below it
      - name: posts
        match: {path: {regex: "/a/[a-z]+/?"}, methods: [POST]}
        respond: {body: {route: posts}}
      - name: caret
        match: {path: {regex: "^/a/b.*"}}
        respond: {body: {route: caret}}
      - name: dollar
        match: {path: {regex: "\\A/a/c[0-9]$"}}
        respond: {body: {route: dollar}}
      - name: newline
        match: {path: {regex: "/d/[0-9]$\\n?"}}
        respond: {body: {route: newline}}
      - name: header
        match: {path: /h, headers: [{name: x-env, regex: "^st.*$"}]}
        respond: {body: {route: header}}
      - name: boundary
        match: {path: /h, headers: [{name: x-word, regex: "\\bgo"}]}
        respond: {body: {route: boundary}}
      - name: query
        match: {path: /q, query: [{name: v, regex: "^[0-9]+$"}]}
        respond: {body: {route: query}}
      - name: alternation
        match: {path: {regex: "^/x$|^/y/[a-z]+$"}}
        respond: {body: {route: alternation}}
      - name: char
        match: {path: {regex: "/caf."}}
        respond: {body: {route: char}}
      - name: files
        match: /files
        respond: {body: {route: files}}
      - name: pdf
        match: {path: {regex: "/files/[a-z]+\\.pdf"}}
        respond: {body: {route: pdf}}
"""


def _route(gw, method, path, headers=None):
    r = gw.request(method, path, headers)
    assert r.headers.get("content-type") == "application/json", (path, r.status, r.body[:200])
    return r.json().get("route") if r.status == 200 else r.status


@pytest.fixture(scope="module")
def gw(module_gateway):
    return module_gateway(SPEC)


@pytest.mark.parametrize("method, path, headers, want", [
    ("POST", "/a/b", None, "posts"),
    ("GET", "/a/b", None, "caret"),
    ("GET", "/a/bcd", None, "caret"),
    ("GET", "/a/c7", None, "dollar"),
    ("GET", "/a/c77", None, 404),
    ("GET", "/x", None, "alternation"),
    ("GET", "/y/z", None, "alternation"),
    ("GET", "/y/z/", None, 404),
    ("GET", "/h", {"x-env": "stage"}, "header"),
    ("GET", "/h", {"x-env": "xstage"}, 404),
    ("GET", "/h", {"x-word": "go"}, "boundary"),
    ("GET", "/h", {"x-word": "ago"}, 404),
    ("GET", "/q?v=42", None, "query"),
    ("GET", "/q?v=4a", None, 404),
])
def test_anchors_hold_in_every_location(gw, method, path, headers, want):
    assert _route(gw, method, path, headers) == want


def test_a_dollar_is_the_end_of_the_value(gw):
    # PCRE's `$` also matches before a final line feed, RE2's only at the very end
    assert _route(gw, "GET", "/d/7") == "newline"
    assert _route(gw, "GET", "/d/7%0A") == 404


def test_a_dot_is_one_character(gw):
    assert _route(gw, "GET", "/cafe") == "char"
    assert _route(gw, "GET", "/caf%C3%A9") == "char"  # é: two bytes, one character
    assert _route(gw, "GET", "/caf%C3%A9s") == 404


def test_a_path_that_is_not_utf8_matches_no_regex_but_still_its_prefix(gw):
    # RE2 matches characters: bytes that are no UTF-8 match no regex, and nginx must not
    # answer them with an error either
    assert _route(gw, "GET", "/files/a.pdf") == "pdf"
    assert _route(gw, "GET", "/files/%FF.pdf") == "files"
    assert _route(gw, "GET", "/caf%FF") == 404
    assert _route(gw, "GET", "/files%FF") == 404
