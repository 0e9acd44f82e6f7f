"""https services on the real Traefik: the service's certificate is verified (docs/spec.md,
Services), which Traefik does by default: Go's TLS client checks the certificate against the
system CA pool and the server URL's host, and sends that host in SNI. gatewayc writes no
`insecureSkipVerify` and no `rootCAs`. Go reads the system pool from SSL_CERT_FILE when it is
set: the run that must reach the service sets it to the test CA; the other keeps the real
bundle, which does not hold the test CA."""
from __future__ import annotations

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


def _refused(gw, path: str, server) -> None:
    hits = server.hits
    r = gw.request("GET", path)
    assert r.status == 502, (r.status, r.body)
    assert (r.json(), r.headers["content-type"]) == ({"error": "Bad Gateway"}, "application/json")
    assert server.hits == hits


def _spec(ups) -> str:
    return SPEC.format(port=ups.named.port, other=ups.wrong.port)


def test_a_service_from_a_trusted_ca_for_its_name(traefik, tls_upstreams):
    gw = traefik(_spec(tls_upstreams), env={"SSL_CERT_FILE": str(tls_upstreams.ca)})
    r = gw.request("GET", "/named/x")
    assert r.status == 200, r.body
    assert (r.json()["server"], r.json()["path"]) == ("tls-echo", "/base/named/x")
    _refused(gw, "/wrong-name", tls_upstreams.wrong)  # the same CA, a certificate for another name


def test_a_service_from_an_unknown_ca(traefik, tls_upstreams):
    gw = traefik(_spec(tls_upstreams))
    _refused(gw, "/named/x", tls_upstreams.named)
