"""Rate limits Envoy counts after authentication (M4: `key: consumer`, `key: {claim: ...}`) and
on routes that answer by themselves (`respond`, redirects), on the real Envoy.

M4: only verified identities count; a refused request spends nobody's budget and gets no
budget of its own; under any_of the identity comes from the method that succeeded; auth
passed without the identity the key names: the client address. Every budget here is a few
requests per hour, so no refill can happen during a test."""
from __future__ import annotations

import time

import pytest

from test_envoy_jwt import SECRET, hs, oct_jwks

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: by-consumer
        match: /by-consumer
        service: echo
        policies:
          auth:
            any_of:
              - jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}}
              - api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}
          rate_limit: {requests: 2, per: 1h, key: consumer}
      - name: by-claim
        match: /by-claim
        service: echo
        policies:
          auth: {jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}}}
          rate_limit: {requests: 1, per: 1h, key: {claim: tenant}}
      - name: answer
        match: /answer
        respond: {body: {ok: true}}
        policies:
          rate_limit: {requests: 2, per: 1h}
      - name: moved
        match: /moved
        redirect: {hostname: next.example.com, status: 302}
        policies:
          rate_limit: {requests: 1, per: 1h}
      - {name: open, match: /open, service: echo}
"""


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()},
                        env={"GWC_JWT_SECRET_JWKS": oct_jwks(SECRET), "GWC_KEYS": "key-a,key-b"})


def bearer(secret: str = SECRET, **claims) -> dict[str, str]:
    return {"Authorization": "Bearer " + hs({"exp": int(time.time()) + 600, **claims}, secret)}


def statuses(gw, path: str, headers: dict[str, str], n: int) -> list[int]:
    return [gw.request("GET", path, headers).status for _ in range(n)]


def test_each_consumer_has_its_own_budget(gw):
    assert statuses(gw, "/by-consumer", bearer(sub="alice"), 3) == [200, 200, 429]
    assert statuses(gw, "/by-consumer", bearer(sub="bob"), 3) == [200, 200, 429]
    # an API key is a consumer too, each key its own
    assert statuses(gw, "/by-consumer", {"X-Api-Key": "key-a"}, 3) == [200, 200, 429]
    assert statuses(gw, "/by-consumer", {"X-Api-Key": "key-b"}, 1) == [200]
    r = gw.request("GET", "/by-consumer", bearer(sub="alice"))
    assert (r.status, r.json(), r.headers["retry-after"]) == (429, {"error": "Too Many Requests"}, "1800")


def test_a_refused_request_spends_nothing_and_gets_no_budget(gw):
    forged = bearer("another-secret-of-at-least-32-bytes", sub="carol")
    assert statuses(gw, "/by-consumer", forged, 4) == [401] * 4  # refused, never a fresh budget (no 200)
    assert statuses(gw, "/by-consumer", bearer(sub="carol"), 3) == [200, 200, 429]  # carol's budget untouched
    # an exhausted consumer's forged token is still just refused
    assert gw.request("GET", "/by-consumer", bearer("another-secret-of-at-least-32-bytes", sub="alice")).status == 401


def test_claim_key_counts_the_claim_and_falls_back_to_the_client(gw):
    assert statuses(gw, "/by-claim", bearer(sub="x", tenant="acme"), 1) == [200]
    assert statuses(gw, "/by-claim", bearer(sub="y", tenant="acme"), 1) == [429]  # same tenant, one budget
    assert statuses(gw, "/by-claim", bearer(sub="x", tenant="other"), 1) == [200]
    # verified, but without the claim: counted by client address (one budget for this client)
    assert statuses(gw, "/by-claim", bearer(sub="z"), 1) == [200]
    assert statuses(gw, "/by-claim", bearer(sub="w"), 1) == [429]


def test_a_route_that_answers_itself_is_limited(gw):
    replies = [gw.request("GET", "/answer") for _ in range(3)]
    assert [r.status for r in replies] == [200, 200, 429]
    assert replies[0].json() == {"ok": True}
    assert (replies[2].json(), replies[2].headers["retry-after"]) == ({"error": "Too Many Requests"}, "1800")
    assert [gw.request("GET", "/moved").status for _ in range(2)] == [302, 429]
    assert gw.request("GET", "/open").status == 200  # unlimited routes never run dry
