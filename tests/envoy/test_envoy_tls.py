"""TLS listeners on the real Envoy, proven with real TLS clients: two HTTPS listeners of one
gateway, each with its own certificate; only the one with `client_ca` asks for (and
requires) a client certificate, and only it refuses TLS 1.2 (its own min_version). A
second listener must not lose (or borrow) the first one's mTLS. Certificates are made for
the run (tests/pki_common.py).

Routes with `auth: {mtls: ...}` (the route's lua verdict step): a certificate the listener
validated, its subject (RFC 2253, as NGINX's $ssl_client_s_dn) in `subjects`; no challenge on
the 401 (mTLS has no HTTP scheme, M2); the same route reached without a client certificate
(the listener without client_ca, the plain one) is refused."""
from __future__ import annotations

import ssl

import pytest

from pki_common import https_request, make_pki, tls_context

SPEC = """
version: 1
services:
  echo: {{url: "__ECHO__"}}
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
      - name: api
        match: /api
        service: echo
      - name: only-good
        match: /only-good
        service: echo
        policies: {{auth: {{mtls: {{subjects: ["CN=good,O=Test", "CN=else,O=Test"]}}}}}}
      - name: any-cert
        match: /any-cert
        service: echo
        policies: {{auth: {{mtls: {{}}, failure: {{status: 403}}}}}}
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), servers=("first", "second"), clients=("client", "good"))


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream, pki):
    return module_envoy(SPEC.format(d=pki), {"ECHO": module_echo_upstream()})


def test_each_listener_presents_its_own_certificate(gw, pki):
    first, second, plain = gw.ports
    r, cn = https_request(first, tls_context(pki), path="/hello")
    assert (r.status, cn, r.json()) == (200, "first", {"hello": "world"})
    r, cn = https_request(second, tls_context(pki, "client"), path="/api/x")
    assert (r.status, cn, r.json()["path"]) == (200, "second", "/api/x")
    assert gw.request("GET", "/hello", port=plain).json() == {"hello": "world"}


def test_a_client_certificate_is_required_only_where_client_ca_is_set(gw, pki):
    first, second, _ = gw.ports
    with pytest.raises((ssl.SSLError, ConnectionError)):  # Envoy ends the handshake
        https_request(second, tls_context(pki), path="/hello")
    # the listener without client_ca asks for none, and a certificate offered there changes nothing
    assert https_request(first, tls_context(pki), path="/api/y")[0].status == 200
    assert https_request(first, tls_context(pki, "client"), path="/api/y")[0].status == 200


def test_a_certificate_from_another_ca_is_refused(gw, pki, tmp_path):
    other = make_pki(tmp_path / "other", servers=(), clients=("client",))
    ctx = tls_context(pki)
    ctx.load_cert_chain(str(other / "client.pem"))
    with pytest.raises((ssl.SSLError, ConnectionError)):
        https_request(gw.ports[1], ctx, path="/hello")


def test_min_version_is_per_listener(gw, pki):
    first, second, _ = gw.ports
    r, cn = https_request(first, tls_context(pki, max_version=ssl.TLSVersion.TLSv1_2), path="/hello")
    assert (r.status, cn) == (200, "first")
    with pytest.raises(ssl.SSLError):
        https_request(second, tls_context(pki, "client", max_version=ssl.TLSVersion.TLSv1_2), path="/hello")


def test_mtls_subjects_on_a_route(gw, pki):
    second = gw.ports[1]
    r = https_request(second, tls_context(pki, "good"), path="/only-good/x")[0]
    assert (r.status, r.json()["path"]) == (200, "/only-good/x")
    r = https_request(second, tls_context(pki, "client"), path="/only-good")[0]
    assert (r.status, r.json()) == (401, {"error": "Unauthorized"})
    assert "www-authenticate" not in r.headers and r.headers["content-type"] == "application/json"
    assert https_request(second, tls_context(pki, "client"), path="/api")[0].status == 200  # no auth there


def test_mtls_route_without_a_client_certificate(gw, pki):
    first, second, plain = gw.ports
    assert https_request(first, tls_context(pki, "good"), path="/only-good")[0].status == 401  # not asked for
    assert gw.request("GET", "/only-good", port=plain).status == 401
    assert gw.request("GET", "/any-cert", port=plain).status == 403
    r = https_request(second, tls_context(pki, "client"), path="/any-cert")[0]
    assert r.status == 200, r.body
