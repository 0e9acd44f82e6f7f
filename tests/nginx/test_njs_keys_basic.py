"""API keys, basic auth and their combinations with JWT, against a real nginx."""
from __future__ import annotations

import base64
import hashlib
import time

import jwt
import pytest

SECRET = "combo-hs-secret-0123456789abcdef0123"

SPEC = """
version: 1
services:
  echo: {{url: "__ECHO__"}}
gateways:
  main:
    listeners: [{{port: 8080}}]
    routes:
      - name: key-header-env
        match: {{path: /kh}}
        service: echo
        policies: {{auth: {{api_key: {{header: X-Api-Key, keys: {{env: GWC_TEST_KEYS}}}}}}}}
      - name: key-query-file
        match: {{path: /kq}}
        service: echo
        policies: {{auth: {{api_key: {{query: apikey, keys: {{file: "{dir}/keys.txt"}}}}}}}}
      - name: basic-env
        match: {{path: /be}}
        service: echo
        policies: {{auth: {{basic: {{credentials: {{env: GWC_TEST_USERS}}, realm: shop}}}}}}
      - name: basic-file
        match: {{path: /bf}}
        service: echo
        policies: {{auth: {{basic: {{credentials: {{file: "{dir}/htpasswd"}}, realm: "files $x"}}}}}}
      - name: any
        match: {{path: /any}}
        service: echo
        policies:
          auth:
            any_of:
              - jwt: {{algorithms: [HS256], secret: {{env: GWC_TEST_JWT}}, forward_claims: {{sub: X-Sub}}}}
              - api_key: {{header: X-Api-Key, keys: {{env: GWC_TEST_KEYS}}}}
              - basic: {{credentials: {{file: "{dir}/htpasswd"}}}}
      - name: all
        match: {{path: /all}}
        service: echo
        policies:
          auth:
            all_of:
              - api_key: {{header: X-Api-Key, keys: {{env: GWC_TEST_KEYS}}}}
              - basic: {{credentials: {{env: GWC_TEST_USERS}}}}
            failure: {{status: 401, body: {{error: both needed}}}}
      - name: all-native
        match: {{path: /alln}}
        service: echo
        policies:
          auth:
            all_of:
              - jwt: {{algorithms: [HS256], secret: {{env: GWC_TEST_JWT}}, token: {{header: X-Token}}}}
              - basic: {{credentials: {{file: "{dir}/htpasswd"}}}}
"""

ENV = {"GWC_TEST_KEYS": "key-one, key-two", "GWC_TEST_USERS": "ann:pa:ss,bob:secret2", "GWC_TEST_JWT": SECRET}


def _sha(p: str) -> str:
    return "{SHA}" + base64.b64encode(hashlib.sha1(p.encode()).digest()).decode()


def _ssha(p: str, salt: bytes = b"salt1234") -> str:
    return "{SSHA}" + base64.b64encode(hashlib.sha1(p.encode() + salt).digest() + salt).decode()


@pytest.fixture(scope="module")
def gw(module_gateway, module_echo_upstream, tmp_path_factory):
    secrets = tmp_path_factory.mktemp("key-secrets")
    (secrets / "keys.txt").write_text("file-key-1\n\nfile-key-2\n")
    (secrets / "htpasswd").write_text(f"carol:{_sha('carolpw')}\ndave:{_ssha('davepw')}\nerin:{{PLAIN}}erinpw\n")
    return module_gateway(SPEC.format(dir=secrets), {"ECHO": module_echo_upstream()}, env=ENV)


def basic(user: str, pw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


def get(gw, path, headers=None):
    return gw.request("GET", path, headers)


def test_api_key_in_header_from_env(gw):
    assert get(gw, "/kh", {"X-Api-Key": "key-one"}).status == 200
    assert get(gw, "/kh", {"X-Api-Key": "key-two"}).status == 200
    for bad in ("key-three", "key-on", "key-one,key-two", ""):
        r = get(gw, "/kh", {"X-Api-Key": bad})
        assert r.status == 401, bad
        assert r.json() == {"error": "Unauthorized"}
    assert get(gw, "/kh").status == 401


def test_api_key_in_query_from_file(gw):
    assert get(gw, "/kq?apikey=file-key-2&x=1").status == 200
    assert get(gw, "/kq?apikey=file-key-3").status == 401
    assert get(gw, "/kq", {"X-Api-Key": "file-key-1"}).status == 401


def test_basic_from_env(gw):
    r = get(gw, "/be", basic("ann", "pa:ss"))
    assert r.status == 200
    assert get(gw, "/be", basic("bob", "secret2")).status == 200
    r = get(gw, "/be", basic("bob", "pa:ss"))
    assert r.status == 401
    assert r.values("WWW-Authenticate") == ['Basic realm="shop", charset="UTF-8"']
    assert r.json() == {"error": "Unauthorized"}
    assert get(gw, "/be").status == 401


def test_basic_from_htpasswd_is_native_and_answers_json(gw):
    assert get(gw, "/bf", basic("carol", "carolpw")).status == 200
    assert get(gw, "/bf", basic("dave", "davepw")).status == 200
    r = get(gw, "/bf", basic("carol", "wrong"))
    assert r.status == 401
    assert r.json() == {"error": "Unauthorized"}
    assert r.values("WWW-Authenticate") == ['Basic realm="files $x", charset="UTF-8"']


def _hs(sub: str = "zed") -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")


def test_any_of_accepts_each_method(gw):
    r = get(gw, "/any", {"Authorization": f"Bearer {_hs()}"})
    assert r.status == 200
    assert r.json()["headers"]["x-sub"] == "zed"
    r = get(gw, "/any", {"X-Api-Key": "key-two", "X-Sub": "spoofed"})
    assert r.status == 200
    assert "x-sub" not in r.json()["headers"]  # no JWT: the client's header does not pass either
    for user, pw in (("carol", "carolpw"), ("dave", "davepw"), ("erin", "erinpw")):
        assert get(gw, "/any", basic(user, pw)).status == 200, user
    assert get(gw, "/any", basic("erin", "nope")).status == 401
    assert get(gw, "/any", {"X-Api-Key": "nope"}).status == 401
    assert get(gw, "/any").status == 401


def test_all_of_needs_every_method(gw):
    both = {"X-Api-Key": "key-one", **basic("ann", "pa:ss")}
    assert get(gw, "/all", both).status == 200
    r = get(gw, "/all", {"X-Api-Key": "key-one"})
    assert r.status == 401
    assert r.json() == {"error": "both needed"}
    assert get(gw, "/all", basic("ann", "pa:ss")).status == 401


def test_all_of_with_native_htpasswd(gw):
    assert get(gw, "/alln", {"X-Token": _hs(), **basic("carol", "carolpw")}).status == 200
    assert get(gw, "/alln", {"X-Token": _hs()}).status == 401
    assert get(gw, "/alln", basic("carol", "carolpw")).status == 401
    assert get(gw, "/alln", {"X-Token": _hs(), **basic("carol", "nope")}).status == 401
