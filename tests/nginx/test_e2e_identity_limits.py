"""Limits keyed by an identity (consumer, claim) count verified identities only, after
auth (docs/spec.md "Limit keys", meaning M4), on a real nginx. Keys are minted here."""
from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

HS = "identity-limits-hs-secret-0123456789ab"
TWO = "{requests: 2, per: 1m, body: {error: limited}}"


def _limit(key: str) -> str:
    return TWO[:-1] + f", key: {key}}}"


SPEC = f"""
version: 1
services:
  echo: {{url: "__ECHO__"}}
policies:
  rs-or-key:
    auth:
      any_of:
        - jwt: {{algorithms: [RS256], jwks: {{file: jwks.json}}}}
        - api_key: {{header: X-Key, keys: {{env: GWC_TEST_KEYS}}}}
gateways:
  main:
    listeners: [{{port: 8080}}]
    routes:
      - name: rs-claim
        match: /rs-claim
        service: echo
        policies: {{use: [rs-or-key], rate_limit: {_limit("{claim: sub}")}}}
      - name: rs-consumer
        match: /rs-consumer
        service: echo
        policies: {{use: [rs-or-key], rate_limit: {_limit("consumer")}}}
      - name: hs-or-key
        match: /hs-or-key
        service: echo
        policies:
          auth:
            any_of:
              - jwt: {{algorithms: [HS256], secret: {{env: GWC_TEST_HS}}}}
              - api_key: {{header: X-Key, keys: {{env: GWC_TEST_KEYS}}}}
          rate_limit: {_limit("{claim: tenant}")}
      - name: htpasswd
        match: /htpasswd
        service: echo
        policies:
          auth: {{basic: {{credentials: {{file: htpasswd-abs}}}}}}
          rate_limit: {_limit("consumer")}
      - name: env-basic
        match: /env-basic
        service: echo
        policies:
          auth: {{basic: {{credentials: {{env: GWC_TEST_BASIC}}}}}}
          rate_limit: {_limit("consumer")}
      - name: once
        match: /once
        service: echo
        rewrite: {{path: {{strip_prefix: true}}}}
        policies:
          auth: {{api_key: {{header: X-Key, keys: {{env: GWC_TEST_KEYS}}}}}}
          rate_limit: {_limit("consumer")}
          request:
            headers: {{add: {{X-Added: "1"}}}}
            query: {{add: {{added: "1"}}}}
          response:
            headers: {{add: {{X-Out: "1"}}}}
      - name: slow
        match: /slow
        service: echo
        policies:
          auth: {{api_key: {{header: X-Key, keys: {{env: GWC_TEST_KEYS}}}}}}
          concurrency_limit: {{max: 1, key: consumer, status: 429}}
"""


def _jwk(key, kid: str) -> dict:
    out = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    out["kid"] = kid
    return out


def _sha(p: str) -> str:
    return "{SHA}" + base64.b64encode(hashlib.sha1(p.encode()).digest()).decode()


@pytest.fixture(scope="module")
def keys():
    return {"issuer": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "attacker": rsa.generate_private_key(public_exponent=65537, key_size=2048)}


@pytest.fixture(scope="module")
def gw(module_gateway, module_echo_upstream, keys, tmp_path_factory):
    secrets = tmp_path_factory.mktemp("secrets")
    (secrets / "htpasswd").write_text(f"alice:{_sha('alice-pw')}\nbob:{_sha('bob-pw')}\n")
    text = SPEC.replace("htpasswd-abs", str(secrets / "htpasswd"))
    echo = module_echo_upstream()
    g = module_gateway(text, {"ECHO": echo}, files={"jwks.json": json.dumps({"keys": [_jwk(keys["issuer"], "k1")]})},
                       env={"GWC_TEST_KEYS": "key-one,key-two", "GWC_TEST_HS": HS,
                            "GWC_TEST_BASIC": "carol:carol-pw,dave:dave-pw"})
    g.echo = echo
    return g


def _rs(key, sub: str) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 300}, key, algorithm="RS256", headers={"kid": "k1"})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _basic(user: str, pw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


def _statuses(gw, path: str, headers_list) -> list[int]:
    return [gw.request("GET", path, h).status for h in headers_list]


def test_a_forged_token_beside_a_valid_key_does_not_buy_a_fresh_budget(gw, keys):
    # each request names a new subject in a token signed by the wrong key: only the API key
    # passes, so the claim key has no verified `sub` and the request counts by address
    forged = [{**_bearer(_rs(keys["attacker"], f"sub-{uuid.uuid4()}")), "X-Key": "key-one"} for _ in range(4)]
    assert _statuses(gw, "/rs-claim", forged) == [200, 200, 429, 429]
    # a genuine token names its own subject, a budget of its own
    assert _statuses(gw, "/rs-claim", [_bearer(_rs(keys["issuer"], "alice"))] * 3) == [200, 200, 429]


def test_a_forged_token_beside_a_valid_key_counts_under_that_key(gw, keys):
    forged = [{**_bearer(_rs(keys["attacker"], f"sub-{uuid.uuid4()}")), "X-Key": "key-one"} for _ in range(3)]
    assert _statuses(gw, "/rs-consumer", forged) == [200, 200, 429]
    assert _statuses(gw, "/rs-consumer", [{"X-Key": "key-one"}]) == [429]
    assert _statuses(gw, "/rs-consumer", [{"X-Key": "key-two"}] * 2) == [200, 200]


def test_requests_failing_auth_spend_no_budget(gw, keys):
    bad = [_bearer(_rs(keys["attacker"], "bob"))] * 5
    assert _statuses(gw, "/rs-consumer", bad) == [401] * 5
    assert _statuses(gw, "/rs-consumer", [_bearer(_rs(keys["issuer"], "bob"))] * 3) == [200, 200, 429]


@pytest.mark.parametrize("path,user,good", [("/htpasswd", "alice", "alice-pw"), ("/env-basic", "carol", "carol-pw")])
def test_wrong_passwords_naming_a_user_do_not_spend_that_users_budget(gw, path, user, good):
    assert _statuses(gw, path, [_basic(user, "wrong")] * 5) == [401] * 5
    assert _statuses(gw, path, [_basic(user, good)] * 3) == [200, 200, 429]
    # still 401, not 429, for a wrong password: auth answers first
    assert _statuses(gw, path, [_basic(user, "wrong")]) == [401]


def test_a_claim_key_counts_by_address_when_the_key_method_succeeds(gw):
    assert _statuses(gw, "/hs-or-key", [{"X-Key": "key-one"}, {"X-Key": "key-two"}, {"X-Key": "key-one"}]) == \
        [200, 200, 429]
    token = jwt.encode({"sub": "u", "tenant": "acme", "exp": int(time.time()) + 300}, HS, algorithm="HS256")
    assert _statuses(gw, "/hs-or-key", [_bearer(token)] * 3) == [200, 200, 429]


def test_the_route_runs_once_on_each_side_of_the_limit(gw):
    before = gw.echo.hits
    r = gw.request("GET", "/once/x/y?q=1", {"X-Key": "key-two"})
    assert r.status == 200, r.body
    got = r.json()
    assert got["path"] == "/x/y"  # the prefix stripped once
    assert got["query"].split("&").count("added=1") == 1
    assert got["headers"]["x-added"] == "1"
    assert r.headers["x-out"] == "1"
    assert gw.echo.hits == before + 1
    assert gw.request("GET", "/once/x", {"X-Key": "key-two"}).status == 200
    limited = gw.request("GET", "/once/x", {"X-Key": "key-two"})
    assert (limited.status, limited.json()) == (429, {"error": "limited"})
    assert gw.echo.hits == before + 2
    assert gw.request("GET", "/once/x", {"X-Key": "nope"}).status == 401


def test_a_concurrency_limit_by_consumer_counts_after_auth(gw):
    results: dict[str, int] = {}

    def call(name: str, key: str) -> None:
        results[name] = gw.request("GET", "/slow", {"X-Key": key}).status

    threads = [threading.Thread(target=call, args=(n, k)) for n, k in (("a", "key-one"), ("b", "key-two"))]
    for t in threads:
        t.start()
    time.sleep(0.3)
    # the same consumer while its first request is in flight; a bad key is refused by auth
    assert gw.request("GET", "/slow", {"X-Key": "key-one"}).status == 429
    assert gw.request("GET", "/slow", {"X-Key": "bad"}).status == 401
    for t in threads:
        t.join()
    assert results == {"a": 200, "b": 200}
