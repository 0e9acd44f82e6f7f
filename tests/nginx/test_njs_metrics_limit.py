"""The Prometheus endpoint and identity-keyed rate limits, against a real nginx."""
from __future__ import annotations

import re
import time

import jwt
import pytest

SECRET = "limit-hs-secret-0123456789abcdef0123"

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  main:
    listeners: [{port: 8080}]
    observability: {metrics: {path: /stats/prom}}
    routes:
      - name: by-claim
        match: {path: /claim}
        service: echo
        policies:
          auth: {jwt: {algorithms: [HS256], secret: {env: GWC_TEST_JWT}}}
          rate_limit: {requests: 1, per: 1m, key: {claim: tenant}}
      - name: by-consumer
        match: {path: /consumer}
        service: echo
        policies:
          auth: {api_key: {header: X-Api-Key, keys: {env: GWC_TEST_KEYS}}}
          rate_limit: {requests: 1, per: 1m, key: consumer}
"""


@pytest.fixture(scope="module")
def gw(module_gateway, module_echo_upstream):
    return module_gateway(SPEC, {"ECHO": module_echo_upstream()},
                          env={"GWC_TEST_JWT": SECRET, "GWC_TEST_KEYS": "key-one,key-two"})


def _token(tenant: str, secret: str = SECRET) -> dict[str, str]:
    t = jwt.encode({"sub": "u", "tenant": tenant, "exp": int(time.time()) + 60}, secret, algorithm="HS256")
    return {"Authorization": f"Bearer {t}"}


def test_limit_keyed_by_claim(gw):
    assert gw.request("GET", "/claim", _token("acme")).status == 200
    assert gw.request("GET", "/claim", _token("acme")).status == 429
    assert gw.request("GET", "/claim", _token("globex")).status == 200


def test_forged_hs_token_does_not_use_up_a_tenant(gw):
    forged = _token("initech", secret="attacker-secret-0123456789abcdef012")
    for _ in range(3):
        assert gw.request("GET", "/claim", forged).status in (401, 429)
    assert gw.request("GET", "/claim", _token("initech")).status == 200


def test_limit_keyed_by_consumer(gw):
    assert gw.request("GET", "/consumer", {"X-Api-Key": "key-one"}).status == 200
    assert gw.request("GET", "/consumer", {"X-Api-Key": "key-one"}).status == 429
    assert gw.request("GET", "/consumer", {"X-Api-Key": "key-two"}).status == 200


def _scrape(gw) -> dict[str, float]:
    r = gw.request("GET", "/stats/prom")
    assert r.status == 200, gw.log()
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = r.body.decode()
    for name in ("nginx_http_requests_total", "nginx_connections_active"):
        assert f"# TYPE {name} " in text
    samples = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            m = re.fullmatch(r"([a-z_]+) (\d+)", line)
            assert m, line
            samples[m.group(1)] = float(m.group(2))
    return samples


def test_metrics_endpoint_is_prometheus_text(gw):
    first = _scrape(gw)
    gw.request("GET", "/consumer")
    second = _scrape(gw)
    assert second["nginx_up"] == 1
    assert second["nginx_http_requests_total"] >= first["nginx_http_requests_total"] + 2
    assert second["nginx_connections_accepted_total"] >= first["nginx_connections_accepted_total"]


def test_stub_status_is_not_reachable_from_outside(gw):
    # its location is //_gwc/stub_status, a URI nginx never derives from a client's
    for uri in ("/_gwc/stub_status", "//_gwc/stub_status", "/%2F_gwc/stub_status"):
        r = gw.request("GET", uri)
        assert r.status == 404 and b"Active connections" not in r.body, (uri, r.body[:100])
