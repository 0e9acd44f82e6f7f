"""Two TLS listeners on one gateway, each with its own certificate, client CA and oldest
TLS version, on a real nginx (certificates made here for the run)."""
from __future__ import annotations

import ssl

import pytest

from pki_common import https_request, make_pki, tls_context

SPEC = """
version: 1
gateways:
  main:
    listeners:
      - port: 8443
        tls: {{certificate: "{d}/first.crt", key: {{file: "{d}/first.key"}}}}
      - port: 9443
        tls:
          certificate: "{d}/second.crt"
          key: {{file: "{d}/second.key"}}
          client_ca: "{d}/ca.crt"
          min_version: "1.3"
      - port: 8080
    routes:
      - name: hello
        match: {{path: /hello}}
        respond: {{body: {{hello: world}}}}
"""


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path / "pki", servers=("first", "second"), clients=("client",))


@pytest.fixture
def gw(gateway, pki):
    return gateway(SPEC.format(d=pki))


def _get(port: int, ctx: ssl.SSLContext) -> tuple[int, str]:
    """(status, CN of the certificate the listener presented)."""
    reply, cn = https_request(port, ctx, path="/hello")
    return reply.status, cn


def test_each_listener_presents_its_own_certificate(gw, pki):
    tls_first, tls_second, plain = gw.ports
    assert _get(tls_first, tls_context(pki)) == (200, "first")
    assert _get(tls_second, tls_context(pki, client="client")) == (200, "second")
    assert gw.request("GET", "/hello", port=plain).json() == {"hello": "world"}


def test_client_certificate_is_required_only_where_client_ca_is_set(gw, pki):
    tls_first, tls_second, _ = gw.ports
    status, _ = _get(tls_second, tls_context(pki))
    assert status == 400  # nginx: "No required SSL certificate was sent"
    assert _get(tls_first, tls_context(pki))[0] == 200


def test_min_version_is_per_listener(gw, pki):
    tls_first, tls_second, _ = gw.ports
    assert _get(tls_first, tls_context(pki, max_version=ssl.TLSVersion.TLSv1_2)) == (200, "first")
    with pytest.raises(ssl.SSLError):
        _get(tls_second, tls_context(pki, client="client", max_version=ssl.TLSVersion.TLSv1_2))
