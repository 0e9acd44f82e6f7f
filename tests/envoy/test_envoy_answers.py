"""The answers Envoy makes itself, in the spec's shape (M2): JSON bodies, the gateway's own
`errors:` and `not_found`, CORS and the request id on them, fixed responses; metrics and the
access log next to them."""
from __future__ import annotations

import json
import time

import pytest

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    observability: {metrics: {}, access_log: {}, request_id: {}}
    not_found: {body: {error: No such endpoint}}
    errors:
      413: {body: {error: too big, limit: 8}}
    policies:
      cors: {origins: ["https://app.example.com"], credentials: true}
      response: {headers: {set: {X-Gateway: gatewayc}}}
    routes:
      - {name: echo, match: /echo, service: echo}
      - name: small
        match: /small
        service: echo
        policies: {body_limit: 8}
      - name: limited
        match: /limited
        service: echo
        policies:
          rate_limit: {requests: 1, per: 1m, status: 503, body: {error: slow down}}
      - name: ok
        match: {path: {exact: /ok}}
        respond: {status: 200, body: {status: ok}}
      - name: empty
        match: {path: {exact: /empty}}
        respond: {status: 204}
      - name: teapot
        match: {path: {exact: /teapot}}
        respond: {status: 404, body: {error: mine}}
      - name: gone
        match: {path: {exact: /gone}}
        respond: {status: 410}
"""

ORIGIN = {"Origin": "https://app.example.com"}


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()})


def _shape(r, status, body):
    assert (r.status, r.json()) == (status, body), (r.status, r.body)
    assert r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["x-request-id"]
    assert r.headers["x-gateway"] == "gatewayc"
    assert "<html" not in r.body.decode()


def test_no_route_is_the_not_found_answer(gw):
    r = gw.request("GET", "/nothing/here", ORIGIN)
    _shape(r, 404, {"error": "No such endpoint"})
    assert r.headers["cache-control"] == "no-store"


def test_body_limit_answer_is_the_gateway_errors_entry(gw):
    _shape(gw.request("POST", "/small", ORIGIN, body="x" * 9), 413, {"error": "too big", "limit": 8})


def test_rate_limit_answer_has_the_policy_status_body_and_retry_after(gw):
    assert gw.request("GET", "/limited", ORIGIN).status == 200
    r = gw.request("GET", "/limited", ORIGIN)
    _shape(r, 503, {"error": "slow down"})
    assert r.headers["retry-after"] == "60"


def test_fixed_responses(gw):
    r = gw.request("GET", "/ok")
    assert (r.status, r.json(), r.headers["content-type"]) == (200, {"status": "ok"}, "application/json")
    r = gw.request("GET", "/empty")
    assert (r.status, r.body) == (204, b"")
    r = gw.request("GET", "/teapot")  # a respond route's own 404 body is never replaced
    assert (r.status, r.json()) == (404, {"error": "mine"})
    r = gw.request("GET", "/gone", ORIGIN)
    _shape(r, 410, {"error": "Gone"})


def test_request_id_kept_or_made_and_sent_upstream(gw):
    r = gw.request("GET", "/echo", {"X-Request-Id": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123" and r.json()["headers"]["x-request-id"] == "abc-123"
    r = gw.request("GET", "/echo")
    assert len(r.headers["x-request-id"]) >= 16
    assert r.json()["headers"]["x-request-id"] == r.headers["x-request-id"]


def test_metrics_on_the_metrics_path(gw):
    r = gw.request("GET", "/metrics")
    assert r.status == 200 and b"envoy_cluster_upstream_rq" in r.body
    assert gw.request("GET", "/quitquitquit").status == 404  # nothing else of the admin interface


def test_access_log_is_json(gw):
    gw.request("GET", "/echo?x=1", {"User-Agent": "probe"})
    deadline = time.monotonic() + 15  # Envoy writes its access log out every 10 s at least
    while True:
        lines = [json.loads(ln) for ln in gw.log().splitlines() if ln.startswith("{")]
        mine = [x for x in lines if x.get("user_agent") == "probe"]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert mine and mine[-1]["uri"] == "/echo?x=1" and mine[-1]["status"] == 200
    assert mine[-1]["gateway"] == "web" and mine[-1]["method"] == "GET"
