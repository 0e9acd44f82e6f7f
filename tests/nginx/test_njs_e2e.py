"""The njs half inside the complete NGINX backend output (tests/nginx/conftest.py's
harness), so what the core modules add to a location cannot undo what njs needs."""
from __future__ import annotations

import json
import time

import jwt
import pytest

SECRET = "e2e-hs-secret-0123456789abcdef012345"

SPEC = """
version: 1
services:
  api: {url: "__ECHO__"}
gateways:
  main:
    listeners: [{port: 8080}]
    observability: {metrics: {path: /metrics}}
    routes:
      - name: orders
        match: {path: /orders}
        service: api
        policies:
          auth:
            jwt:
              algorithms: [HS256]
              secret: {env: GWC_E2E_JWT}
              audiences: [shop]
              forward_claims: {sub: X-User-Id}
          rate_limit: {requests: 100, per: 1s, key: {claim: sub}}
          request:
            headers: {set: {X-Via: gatewayc}}
            body: {rename: {name: full_name}, cast: {created_at: timestamp}}
      - name: summary
        match: {path: /summary}
        aggregate:
          on_failure: omit
          parts:
            - {key: me, service: api, path: /me}
            - {key: cart, service: api, path: /cart, timeout: 500ms}
        policies:
          auth: {api_key: {header: X-Api-Key, keys: {env: GWC_E2E_KEYS}}}
      - name: me
        match: {path: /me}
        aggregate:
          parts:
            - {key: profile, service: api, path: /profile}
        policies:
          auth:
            jwt: {algorithms: [HS256], secret: {env: GWC_E2E_JWT}, forward_claims: {sub: X-User-Id}}
      - name: secret-answer
        match: {path: /answer}
        respond: {status: 200, body: {answer: 42}}
        policies:
          auth: {api_key: {header: X-Api-Key, keys: {env: GWC_E2E_KEYS}}}
"""


@pytest.fixture
def gw(gateway, echo_upstream, monkeypatch):
    # the harness starts nginx with this process's environment
    monkeypatch.setenv("GWC_E2E_JWT", SECRET)
    monkeypatch.setenv("GWC_E2E_KEYS", "k-1,k-2")
    return gateway(SPEC, {"ECHO": echo_upstream("api")})


def _bearer(aud: str = "shop") -> dict[str, str]:
    t = jwt.encode({"sub": "ann", "aud": aud, "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {t}"}


def test_jwt_claims_body_map_and_core_headers_together(gw):
    body = json.dumps({"name": "Ann", "created_at": "2024-01-01T00:00:00Z"})
    r = gw.request("POST", "/orders", {**_bearer(), "Content-Type": "application/json"}, body)
    assert r.status == 200, gw.log()
    seen = r.json()
    assert seen["headers"]["x-user-id"] == "ann"
    assert seen["headers"]["x-via"] == "gatewayc"
    assert json.loads(seen["body"]) == {"full_name": "Ann", "created_at": 1704067200}
    r = gw.request("POST", "/orders", {**_bearer("elsewhere")}, body)
    assert r.status == 401 and r.json() == {"error": "Unauthorized"}


def test_aggregation_behind_api_key(gw):
    assert gw.request("GET", "/summary").status == 401
    r = gw.request("GET", "/summary", {"X-Api-Key": "k-2"})
    assert r.status == 200, gw.log()
    out = r.json()
    assert out["me"]["path"] == "/me" and out["cart"]["path"] == "/cart"


def test_claims_reach_aggregated_parts(gw):
    r = gw.request("GET", "/me", {**_bearer(), "X-User-Id": "mallory"})
    assert r.status == 200, gw.log()
    assert r.json()["profile"]["headers"]["x-user-id"] == "ann"
    assert gw.request("GET", "/me").status == 401


def test_fixed_response_is_behind_auth(gw):
    assert gw.request("GET", "/answer", {"X-Api-Key": "k-1"}).json() == {"answer": 42}
    assert gw.request("GET", "/answer").status == 401


def test_metrics(gw):
    r = gw.request("GET", "/metrics")
    assert r.status == 200
    assert "nginx_http_requests_total " in r.body.decode()


def test_no_secret_in_the_output(gw):
    for rel, data in gw.output.files.items():
        for secret in (SECRET, "k-1", "k-2"):
            assert secret.encode() not in data, (rel, secret)
    assert {"GWC_E2E_JWT", "GWC_E2E_KEYS"} <= gw.output.env
