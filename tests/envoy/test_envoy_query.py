"""Query parameter transforms on the real Envoy (a lua step after authentication; the names
and values are route metadata): remove, rename, set, add, in that order, every occurrence."""
from __future__ import annotations

import pytest

SPEC = """
version: 1
services:
  based: {url: "__ECHO__/base"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: changed
        match: /changed
        service: based
        rewrite: {path: {replace_prefix: /new}}
        policies:
          request:
            query:
              remove: [utm_source]
              rename: {q: search}
              set: {page: "1 & 2"}
              add: {tag: "x/y"}
      - name: keyed
        match: /keyed
        service: based
        policies:
          auth: {api_key: {query: key, keys: {env: GWC_KEYS}, hide_credentials: true}}
          request: {query: {rename: {key: was_key, q: search}}}
"""


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()}, env={"GWC_KEYS": "k1"})


def seen(gw, path):
    r = gw.request("GET", path)
    assert r.status == 200, r.body
    return r.json()["path"], r.json()["query"]


def test_remove_rename_set_add(gw):
    assert seen(gw, "/changed/x?q=shoes&utm_source=ad&page=9&utm_source=b&keep=%20a") == (
        "/base/new/x", "search=shoes&keep=%20a&page=1%20%26%202&tag=x%2Fy")


def test_without_a_query(gw):
    assert seen(gw, "/changed") == ("/base/new", "page=1%20%26%202&tag=x%2Fy")


def test_names_are_compared_decoded(gw):
    assert seen(gw, "/changed?%71=1&utm%5Fsource=x") == ("/base/new", "search=1&page=1%20%26%202&tag=x%2Fy")


def test_authentication_sees_the_query_as_sent(gw):
    # the key is checked (and hidden) first; the rename finds it gone
    assert gw.request("GET", "/keyed?q=1").status == 401
    assert seen(gw, "/keyed?key=k1&q=1") == ("/base/keyed", "search=1")
