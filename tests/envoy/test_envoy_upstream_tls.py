"""https services on the real Envoy: the service's certificate is verified (a CA in the
system bundle, a subject alternative name equal to the service's host, SNI that host), so a
service with a certificate from an unknown CA or for another name gets no request; the client
gets the gateway's 502 (M2).

The test CA is not in the system bundle: the build that must reach the service points
clusters.SYSTEM_CA at the test CA (the only change to the output); one build keeps the real
bundle to show the unknown CA refused."""
from __future__ import annotations

import pytest

from gatewayc.backends.envoy import clusters
from pki_common import TlsEchoServer, make_pki

SPEC = """
version: 1
services:
  named: {{url: "https://localhost:{port}/base"}}
  by-ip: {{url: "https://127.0.0.1:{port}"}}
  two-hosts:
    targets:
      - {{url: "https://localhost:{port}"}}
      - {{url: "https://127.0.0.1:{port}"}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes:
      - {{name: named, match: /named, service: named}}
      - {{name: by-ip, match: /by-ip, service: by-ip}}
      - {{name: two-hosts, match: /two-hosts, service: two-hosts}}
"""
BAD_GATEWAY = {"error": "Bad Gateway"}


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    srv = TlsEchoServer(make_pki(tmp_path_factory.mktemp("pki")))
    yield srv
    srv.stop()


def test_a_service_from_a_trusted_ca_for_its_name(envoy, upstream, monkeypatch):
    monkeypatch.setattr(clusters, "SYSTEM_CA", str(upstream.tls_ca))
    gw = envoy(SPEC.format(port=upstream.port))
    r = gw.request("GET", "/named/x")
    assert r.status == 200, r.body
    assert (r.json()["server"], r.json()["path"]) == ("tls-echo", "/base/named/x")
    # the certificate names localhost, not 127.0.0.1: refused, the request never sent
    hits = upstream.hits
    r = gw.request("GET", "/by-ip")
    assert (r.status, r.json()) == (502, BAD_GATEWAY)
    assert upstream.hits == hits
    # targets on two hosts: each checked against its own name, so only localhost answers
    answered = [gw.request("GET", "/two-hosts").status for _ in range(6)]
    assert set(answered) == {200, 502}, answered


def test_a_service_from_an_unknown_ca(envoy, upstream):
    # the real system bundle: the test CA is not in it
    gw = envoy(SPEC.format(port=upstream.port))
    hits = upstream.hits
    r = gw.request("GET", "/named/x")
    assert (r.status, r.json(), r.headers["content-type"]) == (502, BAD_GATEWAY, "application/json")
    assert upstream.hits == hits
