"""`cache.methods` decides alone which methods are cached, on a real nginx.

nginx's proxy_cache_methods always includes GET and HEAD whatever it lists, and by default
turns a HEAD into a GET for the upstream; a method the spec leaves out must neither be
answered from the cache nor stored, and must reach the service as sent."""
from __future__ import annotations

import time

SPEC = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: get-only
        match: {path: /get}
        service: a
        policies:
          cache: {ttl: 30s, methods: [GET]}
      - name: head-only
        match: {path: /head}
        service: a
        policies:
          cache: {ttl: 30s, methods: [HEAD]}
      - name: both
        match: {path: /both}
        service: a
        policies:
          cache: {ttl: 30s}
"""


def test_head_is_not_cached_when_only_get_is(gateway, echo_upstream):
    up = echo_upstream("a")
    gw = gateway(SPEC, {"A": up})
    gw.until_hit("/get/x")  # the GET response is in the cache
    before = up.hits
    for _ in range(3):
        r = gw.request("HEAD", "/get/x")
        assert r.status == 200 and r.headers.get("x-cache-status") != "HIT", r.headers
    assert up.hits == before + 3  # every HEAD reached the service...
    assert up.methods[-3:] == ["HEAD"] * 3  # ...as a HEAD, not turned into a GET
    assert gw.request("GET", "/get/x").headers["x-cache-status"] == "HIT"  # and stored nothing over it


def test_get_is_not_cached_when_only_head_is(gateway, echo_upstream):
    up = echo_upstream("a")
    gw = gateway(SPEC, {"A": up})
    for _ in range(3):
        r = gw.request("GET", "/head/x")
        assert r.status == 200 and r.json()["path"] == "/head/x"
        assert r.headers.get("x-cache-status") != "HIT", r.headers
    assert up.hits == 3
    _until_head_hit(gw, "/head/x")


def test_default_methods_cache_get_and_head(gateway, echo_upstream):
    up = echo_upstream("a")
    gw = gateway(SPEC, {"A": up})
    gw.until_hit("/both/x")
    _until_head_hit(gw, "/both/x")  # its own entry: the method is part of the default key


def _until_head_hit(gw, path: str) -> None:
    """HEADs until one is answered from the cache (another worker may still be storing
    the first response, see Gateway.until_hit)."""
    assert gw.request("HEAD", path).headers["x-cache-status"] == "MISS"
    for _ in range(50):
        if gw.request("HEAD", path).headers["x-cache-status"] == "HIT":
            return
        time.sleep(0.02)
    raise AssertionError(f"HEAD {path} never answered from the cache")
