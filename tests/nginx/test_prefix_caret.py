"""Prefix locations skip nginx's regex scan (`^~`) only where no regex route can match."""
from __future__ import annotations

import pytest

from gatewayc.backends.nginx.routing import _no_regex_below, literal_prefix
from gatewayc.prefixindex import PrefixIndex


@pytest.mark.parametrize("rx, lit", [
    ("/api/v[0-9]+/users", "/api/v"),
    ("^/files/.*\\.pdf", "/files/"),
    ("/a/b?", "/a/"),
    ("/x{2}", "/"),
    ("/(?i)caps", "/"),
    ("/a|/b", ""),
    ("/files/.*\\.(?:pdf|png)", "/files/"),  # an alternation inside a group leaves the start alone
    ("/(?:a|b)/c", "/"),
    ("[|]/x", ""),
    (".*", ""),
])
def test_literal_prefix(rx, lit):
    assert literal_prefix(rx) == lit


@pytest.mark.parametrize("prefix, literals, caret", [
    ("/static", ["/api/v"], True),
    ("/api", ["/api/v"], False),  # /api/v1/users is under /api/
    ("/api/v1", ["/api/v"], False),  # and under /api/v1/
    ("/api/r4", ["/api/r45"], True),  # /api/r45... is never under /api/r4/
    ("/anything", [""], False),  # a regex we cannot read could match anywhere
])
def test_caret_only_without_overlap(prefix, literals, caret):
    assert _no_regex_below(prefix, PrefixIndex((lit, None) for lit in literals)) is caret


SPEC = """
version: 1
services:
  a: {url: __A__}
  b: {url: __B__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - {name: api, match: /api, service: a}
      - {name: static, match: /static, service: a}
      - {name: versioned, match: {path: {regex: "/api/v[0-9]+/.*"}}, service: b}
"""


def test_regex_still_beats_the_prefix_it_overlaps(gateway, echo_upstream):
    gw = gateway(SPEC, upstreams={"A": echo_upstream("a"), "B": echo_upstream("b")})
    assert 'location "^~" "/static/"' in gw.conf and 'location "/api/"' in gw.conf
    assert gw.request("GET", "/api/v2/users").json()["server"] == "b"
    assert gw.request("GET", "/api/users").json()["server"] == "a"
    assert gw.request("GET", "/static/x").json()["server"] == "a"


PREFIX_VS_REGEX = """
version: 1
services:
  a: {url: __A__}
  b: {url: __B__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - {name: pre, match: /api, service: a}
      - {name: rx, match: {path: {regex: "/ap[a-z]"}}, service: b}
"""


def test_regex_beats_a_prefix_on_the_prefix_own_path(gateway, echo_upstream):
    # nginx's `location = /api` (made for the prefix route) outranks regex locations;
    # Gateway API order as gatewayc defines it puts the regex first
    gw = gateway(PREFIX_VS_REGEX, upstreams={"A": echo_upstream("a"), "B": echo_upstream("b")})
    assert gw.request("GET", "/api").json()["server"] == "b"
    assert gw.request("GET", "/api/x").json()["server"] == "a"
    assert gw.request("GET", "/apx").json()["server"] == "b"
