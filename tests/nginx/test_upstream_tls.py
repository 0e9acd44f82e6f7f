"""https services on the real nginx: the service's certificate is verified (a CA in the
system bundle, a name equal to the service's host, SNI that host), so a service with a
certificate from an unknown CA or for another name gets no request, and the client gets the
gateway's 502 (M2). nginx verifies nothing unless told to.

The test CA is not in the system bundle: the builds that must reach the service point
upstreams.SYSTEM_CA at the test CA (the only change to the output); one build keeps the real
bundle to show the unknown CA refused."""
from __future__ import annotations

import pytest

from gatewayc.backends.nginx import upstreams

SPEC = """
version: 1
services:
  named: {{url: "https://localhost:{port}/base"}}
  parts: {{url: "https://localhost:{port}"}}
  wrong-name: {{url: "https://localhost:{other}"}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes:
      - {{name: named, match: /named, service: named}}
      - {{name: wrong-name, match: /wrong-name, service: wrong-name}}
      - name: both
        match: {{path: /both}}
        aggregate:
          parts:
            - {{key: a, service: parts, path: /a}}
"""
BAD_GATEWAY = {"error": "Bad Gateway"}


def _spec(ups) -> str:
    return SPEC.format(port=ups.named.port, other=ups.wrong.port)


def test_a_service_from_a_trusted_ca_for_its_name(gateway, tls_upstreams, monkeypatch):
    monkeypatch.setattr(upstreams, "SYSTEM_CA", str(tls_upstreams.ca))
    gw = gateway(_spec(tls_upstreams))
    r = gw.request("GET", "/named/x")
    assert r.status == 200, r.body
    assert (r.json()["server"], r.json()["path"]) == ("tls-echo", "/base/named/x")
    r = gw.request("GET", "/both")
    assert r.status == 200, r.body
    assert r.json()["a"]["path"] == "/a"
    # the same CA, but a certificate for another name: refused, the request never sent
    hits = tls_upstreams.wrong.hits
    r = gw.request("GET", "/wrong-name")
    assert (r.status, r.json(), r.headers["content-type"]) == (502, BAD_GATEWAY, "application/json")
    assert tls_upstreams.wrong.hits == hits


def test_a_service_from_an_unknown_ca(gateway, tls_upstreams):
    gw = gateway(_spec(tls_upstreams))  # the real system bundle: the test CA is not in it
    hits = tls_upstreams.named.hits
    r = gw.request("GET", "/named/x")
    assert (r.status, r.json()) == (502, BAD_GATEWAY)
    r = gw.request("GET", "/both")  # a failed part (on_failure "null")
    assert (r.status, r.json()) == (200, {"a": None})
    assert tls_upstreams.named.hits == hits


@pytest.mark.parametrize(("services", "says"), [
    ('{url: "https://127.0.0.1:8443"}', "addressed by IP address cannot be verified"),
    ('{targets: [{url: "https://a.internal"}, {url: "https://b.internal"}]}', "make one service per host"),
])
def test_https_targets_nginx_cannot_verify_are_refused(build_spec, services, says):
    _, out = build_spec(f"""
version: 1
services:
  s: {services}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes: [{{name: r, match: /r, service: s}}]
""")
    assert [(n.code, says in n.message) for n in out.notes if n.code == "GWC310"] == [("GWC310", True)]
