"""mTLS subjects, alone and combined with an API key, through the complete backend.
Certificates are made here for the test run."""
from __future__ import annotations

import http.client
import ssl

import pytest

from pki_common import make_pki

SPEC = """
version: 1
services:
  api: {{url: "__ECHO__"}}
gateways:
  main:
    listeners:
      - port: 8443
        tls: {{certificate: "{d}/server.crt", key: {{file: "{d}/server.key"}}, client_ca: "{d}/ca.crt"}}
    routes:
      - name: only-good
        match: {{path: /mtls}}
        service: api
        policies:
          auth: {{mtls: {{subjects: ["CN=good,O=Test"]}}}}
      - name: both
        match: {{path: /both}}
        service: api
        policies:
          auth:
            all_of:
              - mtls: {{}}
              - api_key: {{header: X-Key, keys: {{env: GWC_MTLS_KEYS}}}}
"""


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path / "pki", clients=("good", "other"))


@pytest.fixture
def gw(gateway, echo_upstream, pki, monkeypatch):
    monkeypatch.setenv("GWC_MTLS_KEYS", "mk-1")
    return gateway(SPEC.format(d=pki), {"ECHO": echo_upstream("api")})


def _get(gw, pki, path: str, client: str, headers=None) -> int:
    ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    ctx.check_hostname = False
    ctx.load_cert_chain(str(pki / f"{client}.pem"))
    conn = http.client.HTTPSConnection("127.0.0.1", gw.port, context=ctx, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def test_subject_list(gw, pki):
    assert _get(gw, pki, "/mtls", "good") == 200, gw.log()
    assert _get(gw, pki, "/mtls", "other") == 401


def test_mtls_and_api_key(gw, pki):
    assert _get(gw, pki, "/both", "other", {"X-Key": "mk-1"}) == 200
    assert _get(gw, pki, "/both", "other", {"X-Key": "nope"}) == 401
    assert _get(gw, pki, "/both", "other") == 401
