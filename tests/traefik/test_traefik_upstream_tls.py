"""https services on the real Traefik: the service's certificate is verified (docs/spec.md,
Services), which Traefik does by default: Go's TLS client checks the certificate against the
system CA pool and the server URL's host, and sends that host in SNI. gatewayc writes no
`insecureSkipVerify` and no `rootCAs`. Go reads the system pool from SSL_CERT_FILE when it is
set: the run that must reach the service sets it to the test CA; the other keeps the real
bundle, which does not hold the test CA."""
from __future__ import annotations

import pytest

from pki_common import TlsEchoServer, make_pki

SPEC = """
version: 1
services:
  named: {{url: "https://localhost:{port}/base"}}
  wrong-name: {{url: "https://localhost:{other}"}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes:
      - {{name: named, match: /named, service: named}}
      - {{name: wrong-name, match: /wrong-name, service: wrong-name}}
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), servers=("server", "other"), sans={"other": "elsewhere.test"})


@pytest.fixture(scope="module")
def upstream(pki):
    srv = TlsEchoServer(pki)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def other(pki):
    srv = TlsEchoServer(pki, cert="other", name="other")
    yield srv
    srv.stop()


def _refused(gw, path: str, server) -> None:
    hits = server.hits
    r = gw.request("GET", path)
    assert r.status == 502, (r.status, r.body)
    assert (r.json(), r.headers["content-type"]) == ({"error": "Bad Gateway"}, "application/json")
    assert server.hits == hits


def test_a_service_from_a_trusted_ca_for_its_name(traefik, upstream, other, pki):
    gw = traefik(SPEC.format(port=upstream.port, other=other.port), env={"SSL_CERT_FILE": str(pki / "ca.crt")})
    r = gw.request("GET", "/named/x")
    assert r.status == 200, r.body
    assert (r.json()["server"], r.json()["path"]) == ("tls-echo", "/base/named/x")
    _refused(gw, "/wrong-name", other)  # the same CA, a certificate for another name


def test_a_service_from_an_unknown_ca(traefik, upstream, other):
    gw = traefik(SPEC.format(port=upstream.port, other=other.port))
    _refused(gw, "/named/x", upstream)
