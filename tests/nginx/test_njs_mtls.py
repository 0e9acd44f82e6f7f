"""mTLS subjects, alone and combined with an API key, through the complete backend.
Certificates are made here for the test run."""
from __future__ import annotations

import datetime as dt
import http.client
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key, issuer_name, issuer_key, ca: bool = False, san: str | None = None):
    now = dt.datetime.now(dt.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(hours=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _write(path, cert=None, key=None):
    data = b""
    if cert is not None:
        data += cert.public_bytes(serialization.Encoding.PEM)
    if key is not None:
        data += key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    path.write_bytes(data)


@pytest.fixture
def pki(tmp_path):
    d = tmp_path / "pki"
    d.mkdir()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("test-ca", ca_key, _name("test-ca"), ca_key, ca=True)
    _write(d / "ca.crt", ca)
    srv_key = ec.generate_private_key(ec.SECP256R1())
    _write(d / "server.crt", _cert("localhost", srv_key, ca.subject, ca_key, san="localhost"))
    _write(d / "server.key", key=srv_key)
    for cn in ("good", "other"):
        k = ec.generate_private_key(ec.SECP256R1())
        _write(d / f"{cn}.pem", _cert(cn, k, ca.subject, ca_key), k)
    return d


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
