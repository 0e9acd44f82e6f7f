"""`any_of` / `all_of` on the real Envoy (jwt_authn checking without refusing, then the route's
lua verdict step): one success is enough under any_of, every method must pass under all_of;
the 401 carries one challenge per method in spec order, `error="invalid_token"` only for the
JWT methods where a token was presented (M2); every hide_credentials method's credential is
removed whichever method succeeded, and claim headers come only from a verified token (M5)."""
from __future__ import annotations

import time

import jwt as pyjwt
import pytest

from test_envoy_basic import HTPASSWD, basic
from test_envoy_jwt import JWKS, RSA_KEY, SECRET, bearer, hs, oct_jwks

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: either
        match: /either
        service: echo
        policies:
          auth:
            any_of:
              - jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}, realm: shop, hide_credentials: true,
                      forward_claims: {sub: X-User-Id}}
              - api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}, hide_credentials: true}
      - name: two-jwt
        match: /two-jwt
        service: echo
        policies:
          auth:
            any_of:
              - jwt: {algorithms: [RS256], jwks: {file: jwks.json}, require_exp: false}
              - jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}, token: {query: t}}
      - name: both
        match: /both
        service: echo
        policies:
          auth:
            all_of:
              - jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}}
              - api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}
            failure: {body: {error: Send a token and a key}}
      - name: basic-and-key
        match: /basic-and-key
        service: echo
        policies:
          auth:
            all_of:
              - basic: {credentials: {file: users.htpasswd}, hide_credentials: true}
              - api_key: {query: key, keys: {env: GWC_KEYS}}
      - name: nested
        match: /nested
        service: echo
        policies:
          auth:
            any_of:
              - api_key: {header: X-Admin-Key, keys: {env: GWC_ADMIN_KEYS}}
              - all_of:
                  - jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}}
                  - api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}
            failure: {status: 403}
"""


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()},
                        files={"jwks.json": JWKS, "users.htpasswd": HTPASSWD},
                        env={"GWC_JWT_SECRET_JWKS": oct_jwks(SECRET), "GWC_KEYS": "k1,k2",
                             "GWC_ADMIN_KEYS": "admin-1"})


def token(**claims) -> str:
    return hs({"sub": "u1", "exp": int(time.time()) + 600, **claims})


def test_any_of_one_method_is_enough_and_every_hidden_credential_goes(gw):
    r = gw.request("GET", "/either", {**bearer(token()), "X-Api-Key": "wrong", "X-User-Id": "forged"})
    assert r.status == 200, r.body
    seen = r.json()["headers"]
    assert "authorization" not in seen and "x-api-key" not in seen  # both hide_credentials (M5)
    assert seen["x-user-id"] == "u1"
    r = gw.request("GET", "/either", {"Authorization": "Bearer not.a.token", "X-Api-Key": "k2",
                                      "X-User-Id": "forged"})
    assert r.status == 200, r.body
    seen = r.json()["headers"]
    assert "authorization" not in seen and "x-api-key" not in seen
    assert "x-user-id" not in seen  # the key succeeded: no claim, and never the client's


def test_any_of_refusal_has_every_challenge(gw):
    r = gw.request("GET", "/either")
    assert (r.status, r.json()) == (401, {"error": "Unauthorized"})
    assert r.values("www-authenticate") == ['Bearer realm="shop"', 'Key realm="gatewayc"']
    r = gw.request("GET", "/either", {**bearer(token(exp=int(time.time()) - 60)), "X-Api-Key": "nope"})
    assert r.status == 401
    assert r.values("www-authenticate") == ['Bearer realm="shop", error="invalid_token"', 'Key realm="gatewayc"']


def test_two_jwt_blocks_with_their_own_token_places(gw):
    rs = pyjwt.encode({"sub": "r"}, RSA_KEY, algorithm="RS256", headers={"kid": "r1"})
    assert gw.request("GET", "/two-jwt", bearer(rs)).status == 200
    assert gw.request("GET", f"/two-jwt?t={token()}").status == 200
    r = gw.request("GET", f"/two-jwt?t={rs}")  # an RS token where the HS block looks
    assert r.status == 401
    assert r.values("www-authenticate") == ['Bearer realm="gatewayc"',
                                            'Bearer realm="gatewayc", error="invalid_token"']
    r = gw.request("GET", "/two-jwt", bearer(token()))  # an HS token where the RS block looks
    assert r.values("www-authenticate") == ['Bearer realm="gatewayc", error="invalid_token"',
                                            'Bearer realm="gatewayc"']


def test_all_of_needs_every_method(gw):
    assert gw.request("GET", "/both", {**bearer(token()), "X-Api-Key": "k1"}).status == 200
    for headers in (bearer(token()), {"X-Api-Key": "k1"}, {**bearer(token()), "X-Api-Key": "bad"},
                    {"Authorization": "Bearer x.y.z", "X-Api-Key": "k1"}):
        r = gw.request("GET", "/both", headers)
        assert (r.status, r.json()) == (401, {"error": "Send a token and a key"}), headers
        assert len(r.values("www-authenticate")) == 2


def test_all_of_with_basic_from_its_filter(gw):
    r = gw.request("GET", "/basic-and-key?key=k1&x=1", basic("alice", "wonderland"))
    assert r.status == 200, r.body
    assert "authorization" not in r.json()["headers"]
    r = gw.request("GET", "/basic-and-key?key=k1", basic("alice", "nope"))
    assert r.status == 401
    assert r.values("www-authenticate") == ['Basic realm="gatewayc", charset="UTF-8"', 'Key realm="gatewayc"']
    assert gw.request("GET", "/basic-and-key?key=k9", basic("alice", "wonderland")).status == 401


def test_nested_combination_and_failure_status(gw):
    assert gw.request("GET", "/nested", {"X-Admin-Key": "admin-1"}).status == 200
    assert gw.request("GET", "/nested", {**bearer(token()), "X-Api-Key": "k1"}).status == 200
    r = gw.request("GET", "/nested", bearer(token()))
    assert (r.status, r.json()) == (403, {"error": "Forbidden"})
    assert "www-authenticate" not in r.headers


def test_basic_cannot_be_a_choice_of_any_of(tmp_path):
    from gatewayc.build import build
    (tmp_path / "users.htpasswd").write_text(HTPASSWD)
    (tmp_path / "jwks.json").write_text(JWKS)
    (tmp_path / "gateway.yml").write_text(SPEC.replace("__ECHO__", "http://127.0.0.1:9").replace(
        "- api_key: {header: X-Admin-Key, keys: {env: GWC_ADMIN_KEYS}}",
        "- basic: {credentials: {file: users.htpasswd}}"))
    r = build(str(tmp_path / "gateway.yml"), ["envoy"], source="gateway.yml")
    assert not r.ok
    assert [d.code for d in r.diagnostics if d.is_error] == ["GWC310"]
    assert "any_of" in [d for d in r.diagnostics if d.is_error][0].message
