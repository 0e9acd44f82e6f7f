"""Two TLS listeners on one gateway, each with its own certificate, client CA and oldest
TLS version, on a real nginx (certificates made here for the run)."""
from __future__ import annotations

import http.client
import json
import socket
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


HOSTS_SPEC = """
version: 1
gateways:
  main:
    listeners:
      - port: 9443
        tls: {{certificate: "{d}/second.crt", key: {{file: "{d}/second.key"}}, client_ca: "{d}/ca.crt"}}
    routes:
      - {{name: a, hostnames: [a.example.com], match: /p, respond: {{body: {{via: a}}}}}}
      - {{name: b, hostnames: ["*.example.com"], match: /p, respond: {{body: {{via: b}}}}}}
      - {{name: any, match: /p, respond: {{body: {{via: any}}}}}}
"""


def _sni_get(port: int, ctx: ssl.SSLContext, sni: str | None, host: str) -> tuple[int, bytes]:
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10)
    conn.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname=sni)
    try:
        conn.request("GET", "/p", headers={"Host": host})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_a_request_is_routed_by_its_host_whatever_its_sni(gateway, pki):
    """One certificate and client CA per listener: SNI names no route. nginx answers 421
    when SNI and Host pick different servers under `ssl_verify_client`; one server per
    listener (all hostnames in it) routes by Host, as the other targets do."""
    port = gateway(HOSTS_SPEC.format(d=pki)).port
    ctx = tls_context(pki, client="client")
    for sni, host, via in [("a.example.com", "a.example.com", "a"), ("a.example.com", "x.example.com", "b"),
                           ("x.example.com", "a.example.com", "a"), (None, "a.example.com", "a"),
                           ("a.example.com", "other.org", "any")]:
        status, body = _sni_get(port, ctx, sni, host)
        assert status == 200 and json.loads(body) == {"via": via}, (sni, host, status, body)
