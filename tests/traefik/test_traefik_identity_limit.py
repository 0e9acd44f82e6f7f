"""Rate limits keyed by the verified identity on the real Traefik (settled meaning M4): counted
after authentication, per consumer (API key, basic user, JWT sub) or per JWT claim, never
from a header the client makes up, and a failed authentication spends no budget."""
from __future__ import annotations

import base64
import hashlib
import time

import jwt as pyjwt
import pytest

SECRET = "an-hs256-secret-of-32-bytes-long!"

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: keys
        match: /keys
        service: echo
        policies:
          auth: {api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}}
          rate_limit: {requests: 1, per: 1m, key: consumer}
      - name: users
        match: /users
        service: echo
        policies:
          auth: {basic: {credentials: {file: __HTPASSWD__}}}
          rate_limit: {requests: 1, per: 1m, key: consumer}
      - name: tenants
        match: /tenants
        service: echo
        policies:
          auth: {jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}}}
          rate_limit: {requests: 1, per: 1m, key: {claim: tenant}}
"""


def basic(user: str, pw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


def token(**claims) -> dict[str, str]:
    return {"Authorization": "Bearer " + pyjwt.encode({"exp": int(time.time()) + 60, **claims}, SECRET)}


@pytest.fixture(scope="module")
def gw(module_traefik, module_echo_upstream, tmp_path_factory):
    users = tmp_path_factory.mktemp("secrets") / "users.htpasswd"
    sha = lambda pw: "{SHA}" + base64.b64encode(hashlib.sha1(pw.encode()).digest()).decode()  # noqa: E731
    users.write_text(f"alice:{sha('a')}\nbob:{sha('b')}\n")
    return module_traefik(SPEC.replace("__HTPASSWD__", str(users)), {"ECHO": module_echo_upstream()},
                          env={"GWC_KEYS": "k1,k2", "GWC_JWT_SECRET": SECRET})


def test_per_api_key(gw):
    # a failed authentication spends nothing, and a made-up identity header counts for nothing
    assert gw.request("GET", "/keys", {"X-Api-Key": "nope"}).status == 401
    r = gw.request("GET", "/keys", {"X-Api-Key": "k1", "X-Gwc-Identity": "someone-else"})
    assert r.status == 200 and "x-gwc-identity" not in r.json()["headers"]
    assert gw.request("GET", "/keys", {"X-Api-Key": "k1", "X-Gwc-Identity": "fresh"}).status == 429
    assert gw.request("GET", "/keys", {"X-Api-Key": "k2"}).status == 200


def test_per_basic_user(gw):
    assert gw.request("GET", "/users", basic("alice", "wrong")).status == 401
    assert gw.request("GET", "/users", basic("alice", "a")).status == 200
    assert gw.request("GET", "/users", basic("alice", "a")).status == 429
    r = gw.request("GET", "/users", basic("bob", "b"))
    assert r.status == 200 and "x-gwc-identity" not in r.json()["headers"]


def test_per_claim_and_the_client_address_without_it(gw):
    assert gw.request("GET", "/tenants", token(tenant="a")).status == 200
    assert gw.request("GET", "/tenants", token(tenant="a", sub="other")).status == 429
    assert gw.request("GET", "/tenants", token(tenant="b")).status == 200
    # no tenant claim: counted under the client's address, one budget for such tokens
    assert gw.request("GET", "/tenants", token(sub="x")).status == 200
    assert gw.request("GET", "/tenants", token(sub="y")).status == 429
