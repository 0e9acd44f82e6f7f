"""Every kind of route sends its service the same forwarding headers (docs/spec.md, "What a
service receives"), on a real nginx.

nginx drops every inherited proxy_set_header as soon as a location sets one of its own, so
each route feature that adds a header (transforms, host rewrite, forwarded JWT claims) is
a way to lose the rest. Forwarded claims once did: the upstream saw its own upstream-block
name as Host and `Connection: close`, which also poisoned the keepalive pool (502s)."""
from __future__ import annotations

import json
import time

import jwt
import pytest

SECRET = "fwd-hs-secret-0123456789abcdef0123456"

SPEC = """
version: 1
services:
  api: {url: "__ECHO__"}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - {name: plain, match: {path: /plain}, service: api}
      - name: transformed
        match: {path: /transformed}
        service: api
        policies: {request: {headers: {set: {X-Extra: "1"}, remove: [X-Drop]}}}
      - name: rewritten
        match: {path: /rewritten}
        service: api
        rewrite: {hostname: internal.example}
      - name: claims-only
        match: {path: /claims-only}
        service: api
        policies:
          auth:
            jwt: {algorithms: [HS256], secret: {env: GWC_FWD_JWT}, forward_claims: {sub: X-User-Id}}
      - name: claims
        match: {path: /claims}
        service: api
        policies:
          auth:
            jwt: {algorithms: [HS256], secret: {env: GWC_FWD_JWT}, forward_claims: {sub: X-User-Id}}
          request: {headers: {set: {X-User-Id: from-transform}}}
      - name: cached
        match: {path: /cached}
        service: api
        policies: {cache: {ttl: 1m}}
      - name: parts
        match: {path: /parts}
        aggregate:
          parts:
            - {key: one, service: api, path: /one}
        policies:
          auth:
            jwt: {algorithms: [HS256], secret: {env: GWC_FWD_JWT}, forward_claims: {sub: X-User-Id}}
"""


@pytest.fixture(scope="module")
def api(module_echo_upstream):
    return module_echo_upstream("api")


@pytest.fixture(scope="module")
def gw(module_gateway, api):
    return module_gateway(SPEC, {"ECHO": api}, env={"GWC_FWD_JWT": SECRET})


def _bearer() -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode({"sub": "ann", "exp": int(time.time()) + 60}, SECRET,
                                                    algorithm="HS256")}


CLIENT = {"X-Forwarded-For": "203.0.113.7", "Connection": "close", "X-Drop": "x"}


@pytest.mark.parametrize("path,host", [
    ("/plain", "shop.example:8443"),
    ("/transformed", "shop.example:8443"),
    ("/rewritten", "internal.example"),
    ("/claims-only", "shop.example:8443"),
    ("/claims", "shop.example:8443"),
    ("/cached/x", "shop.example:8443"),
])
def test_each_route_kind_sends_the_whole_set(gw, path, host):
    r = gw.request("GET", path, headers={**CLIENT, **_bearer()}, host="Shop.Example:8443")
    assert r.status == 200, gw.log()
    seen = r.json()["headers"]
    assert seen["host"] == host
    assert seen["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-host"] == "shop.example"
    # the client's hop-by-hop header stays here; no Connection: close toward the pool
    assert "connection" not in seen, seen
    assert "upgrade" not in seen


def test_route_specific_headers_come_on_top(gw):
    seen = gw.request("GET", "/transformed", headers=CLIENT).json()["headers"]
    assert seen["x-extra"] == "1" and "x-drop" not in seen
    # forwarded claims win over a transform of the same header
    seen = gw.request("GET", "/claims", headers={**_bearer(), "X-User-Id": "mallory"}).json()["headers"]
    assert seen["x-user-id"] == "ann"


def test_aggregation_parts_say_who_asked(gw, api):
    r = gw.request("GET", "/parts", headers={**CLIENT, **_bearer()}, host="shop.example")
    assert r.status == 200, gw.log()
    seen = r.json()["one"]["headers"]
    # a part is a request of the gateway's own to the service: Host is the service's
    assert seen["host"] == f"127.0.0.1:{api.port}"
    assert seen["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-host"] == "shop.example"
    assert seen["x-user-id"] == "ann"
    assert json.loads(r.body)["one"]["path"] == "/one"


def test_the_keepalive_pool_survives_many_claim_requests(gw):
    # with Connection: close sent upstream, pooled connections were closed under nginx and
    # some later requests failed with 502
    statuses = [gw.request("GET", "/claims-only" if i % 2 else "/plain", headers=_bearer()).status
                for i in range(60)]
    assert statuses == [200] * 60, gw.log()
