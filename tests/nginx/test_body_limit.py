"""`body_limit`, and its absence, on a real nginx, whichever locations a request passes
through: the auth subrequest's internal location, the per-location dispatch between
routes split by method, the named locations it jumps to, and njs body mapping.

The spec's default is no limit (docs/spec.md, Body limit); nginx's own default of 1 MiB
must never show through."""
from __future__ import annotations

import json

import pytest

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
policies:
  key:
    auth: {api_key: {header: X-Api-Key, keys: {env: GWC_TEST_KEYS}}}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: auth-limited
        match: {path: /auth-limited}
        service: echo
        policies: {use: [key], body_limit: 3MB}
      - name: auth-open
        match: {path: /auth-open}
        service: echo
        policies: {use: [key]}
      - name: split-get
        match: {path: /split, methods: [GET]}
        service: echo
      - name: split-post
        match: {path: /split, methods: [POST]}
        service: echo
        policies: {body_limit: 3MB}
      - name: split-put
        match: {path: /split, methods: [PUT]}
        service: echo
      - name: mapped
        match: {path: /mapped}
        service: echo
        policies:
          use: [key]
          body_limit: 3MB
          request: {body: {rename: {name: full_name}}}
      - name: mapped-open
        match: {path: /mapped-open}
        service: echo
        policies:
          request: {body: {rename: {name: full_name}}}
"""

MB = 1 << 20  # the spec's MB (section 4: powers of 1024)
KEY = {"X-Api-Key": "key-one"}
UNDER, OVER = 2 * MB, 3 * MB + 1


@pytest.fixture(scope="module")
def gw(module_gateway, module_echo_upstream):
    return module_gateway(SPEC, {"ECHO": module_echo_upstream()}, env={"GWC_TEST_KEYS": "key-one"})


def _json_body(size: int) -> bytes:
    """A JSON object of exactly `size` bytes with a `name` field."""
    head = b'{"name":"'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def _too_large(r) -> None:
    assert r.status == 413, (r.status, r.body[:200])
    assert r.json() == {"error": "Content Too Large"}


@pytest.mark.parametrize("path", ["/auth-limited", "/auth-open"])
def test_a_body_over_one_mebibyte_passes_auth(gw, path):
    r = gw.request("POST", path, KEY, b"x" * UNDER)
    assert r.status == 200, (r.status, r.body[:200], gw.log()[-2000:])
    assert len(r.json()["body"]) == UNDER


def test_over_the_limit_on_an_auth_route(gw):
    _too_large(gw.request("POST", "/auth-limited", KEY, b"x" * OVER))


def test_no_limit_means_none(gw):
    r = gw.request("POST", "/auth-open", KEY, b"x" * (8 * MB))
    assert r.status == 200 and len(r.json()["body"]) == 8 * MB


def test_routes_split_by_method_keep_their_own_limits(gw):
    r = gw.request("POST", "/split", body=b"x" * UNDER)
    assert r.status == 200 and r.json()["method"] == "POST"
    _too_large(gw.request("POST", "/split", body=b"x" * OVER))
    r = gw.request("PUT", "/split", body=b"x" * (4 * MB))  # its sibling has no limit
    assert r.status == 200 and len(r.json()["body"]) == 4 * MB


def test_chunked_body_over_the_limit_after_a_dispatch(gw):
    chunks = (b"x" * 100_000 for _ in range(33))  # no Content-Length: counted while read
    _too_large(gw.request("POST", "/split", body=chunks))


def test_body_mapping_under_and_over_the_limit(gw):
    r = gw.request("POST", "/mapped", {**KEY, "Content-Type": "application/json"}, _json_body(UNDER))
    assert r.status == 200, (r.status, r.body[:200], gw.log()[-2000:])
    assert len(json.loads(r.json()["body"])["full_name"]) == UNDER - len(b'{"name":""}')
    _too_large(gw.request("POST", "/mapped", {**KEY, "Content-Type": "application/json"}, _json_body(OVER)))
    r = gw.request("POST", "/mapped-open", {"Content-Type": "application/json"}, _json_body(4 * MB))
    assert r.status == 200 and "full_name" in json.loads(r.json()["body"])
