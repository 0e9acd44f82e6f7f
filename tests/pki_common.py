"""Certificates for TLS tests of any gateway: a test CA, server and client certificates,
made for the run (never stored)."""
from __future__ import annotations

import http.client
import ssl
from pathlib import Path

from harness_common import EchoServer, Reply


def _name(cn: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key, issuer_name, issuer_key, ca: bool = False, san: str | None = None):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = dt.datetime.now(dt.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(hours=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _pem(path: Path, cert=None, key=None) -> None:
    from cryptography.hazmat.primitives import serialization

    data = b""
    if cert is not None:
        data += cert.public_bytes(serialization.Encoding.PEM)
    if key is not None:
        data += key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    path.write_bytes(data)


def make_pki(d: Path, servers: tuple[str, ...] = ("server",), clients: tuple[str, ...] = (),
             sans: dict[str, str] | None = None) -> Path:
    """A test CA in d/ca.crt; per server name, d/NAME.crt and d/NAME.key (CN=NAME, SAN
    localhost or sans[NAME]); per client name, d/NAME.pem (certificate and key, CN=NAME,O=Test). All
    signed by the CA, valid for an hour."""
    from cryptography.hazmat.primitives.asymmetric import ec

    d.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("test-ca", ca_key, _name("test-ca"), ca_key, ca=True)
    _pem(d / "ca.crt", ca)
    for name in servers:
        k = ec.generate_private_key(ec.SECP256R1())
        _pem(d / f"{name}.crt", _cert(name, k, ca.subject, ca_key, san=(sans or {}).get(name, "localhost")))
        _pem(d / f"{name}.key", key=k)
    for name in clients:
        k = ec.generate_private_key(ec.SECP256R1())
        _pem(d / f"{name}.pem", _cert(name, k, ca.subject, ca_key), k)
    return d


def tls_context(pki: Path, client: str | None = None, max_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """A client trusting the test CA (no host name check), presenting pki/CLIENT.pem if given."""
    ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    ctx.check_hostname = False
    if client:
        ctx.load_cert_chain(str(pki / f"{client}.pem"))
    if max_version:
        ctx.maximum_version = max_version
    return ctx


def https_request(port: int, ctx: ssl.SSLContext, method: str = "GET", path: str = "/",
                  headers: dict[str, str] | None = None) -> tuple[Reply, str]:
    """(the answer, the CN of the certificate the listener presented)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        der = conn.sock.getpeercert(binary_form=True)  # before the gateway may close the connection
        r = conn.getresponse()
        data = r.read()
        cn = x509.load_der_x509_certificate(der).subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, data, tuple(r.getheaders())), cn
    finally:
        conn.close()


class TlsEchoServer(EchoServer):
    """An echo upstream (harness_common.EchoServer) over HTTPS, presenting pki/NAME.crt (a
    certificate from the test CA for the name `localhost`)."""

    def __init__(self, pki: Path, cert: str = "server", name: str = "tls-echo") -> None:
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(str(pki / f"{cert}.crt"), str(pki / f"{cert}.key"))
        self.tls_ca = pki / "ca.crt"
        super().__init__(name)
        self.url = f"https://localhost:{self.port}"

    def get_request(self):
        sock, addr = super().get_request()
        try:
            return self.tls.wrap_socket(sock, server_side=True), addr
        except OSError:  # a client that refused the certificate: no request
            sock.close()
            raise
