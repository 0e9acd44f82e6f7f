"""`jwks: {url: https://...}` on the real Envoy: jwt_authn fetches the keys from a local HTTPS
JWKS server (its certificate made for the run), checks the server's certificate, and
accepts tokens signed with the fetched keys only.

Envoy trusts no CA by default, so the build names the system CA bundle
(backends/envoy/jwks.py SYSTEM_CA); the test CA is not in it, so the tests that must reach
the server point SYSTEM_CA at the test CA for their build (the only change to the output),
and one test keeps the real bundle to show an unverifiable server gives no keys."""
from __future__ import annotations

import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gatewayc.backends.envoy import jwks as envoy_jwks
from pki_common import make_pki
from test_envoy_jwt import JWKS, RSA_KEY

SPEC = """
version: 1
services:
  echo: {{url: "__ECHO__"}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes:
      - name: remote
        match: /remote
        service: echo
        policies:
          auth: {{jwt: {{algorithms: [RS256, ES256], jwks: {{url: "https://localhost:{port}/keys.json"}}}}}}
"""


class JwksServer(ThreadingHTTPServer):
    """HTTPS on a free loopback port, answering every GET with the JWKS; counts the fetches."""

    def __init__(self, pki):
        super().__init__(("127.0.0.1", 0), _Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(pki / "jwks.crt"), str(pki / "jwks.key"))
        self.socket = ctx.wrap_socket(self.socket, server_side=True)
        self.fetches = 0
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.fetches += 1
        body = JWKS.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path / "pki", servers=("jwks",))


@pytest.fixture
def server(pki):
    srv = JwksServer(pki)
    yield srv
    srv.shutdown()
    srv.server_close()


def token(key=RSA_KEY, kid="r1") -> dict[str, str]:
    t = pyjwt.encode({"sub": "u1", "exp": int(time.time()) + 600}, key, algorithm="RS256", headers={"kid": kid})
    return {"Authorization": f"Bearer {t}"}


def test_keys_come_from_the_url(envoy, echo_upstream, server, pki, monkeypatch):
    monkeypatch.setattr(envoy_jwks, "SYSTEM_CA", str(pki / "ca.crt"))
    gw = envoy(SPEC.format(port=server.server_port), {"ECHO": echo_upstream()})
    assert server.fetches >= 1  # fetched when Envoy started, before a request
    r = gw.request("GET", "/remote", token())
    assert r.status == 200, r.body
    assert r.json()["path"] == "/remote"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    r = gw.request("GET", "/remote", token(other))
    assert (r.status, r.headers["www-authenticate"]) == (401, 'Bearer realm="gatewayc", error="invalid_token"')
    fetched = server.fetches
    for _ in range(3):
        assert gw.request("GET", "/remote", token()).status == 200
    assert server.fetches == fetched  # kept, not fetched per request
    assert json.loads(JWKS)["keys"][0]["n"].encode() not in gw.output.files["envoy.yaml"]


def test_an_unverified_jwks_server_gives_no_keys(envoy, echo_upstream, server):
    # the real system bundle: the test CA is not in it, so Envoy refuses the server's certificate
    gw = envoy(SPEC.format(port=server.server_port), {"ECHO": echo_upstream()})
    assert gw.request("GET", "/remote", token()).status == 401
    assert server.fetches == 0  # the handshake fails before any request
