"""HTTP and HTTPS listeners of one gateway on the real Traefik: one router per listener group,
TLS settings per listener, the key read from a file or from the environment."""
from __future__ import annotations

import http.client
import json
import socket
import ssl

from traefik_harness import self_signed


def https_get(port: int, path: str, cafile: str, host: str = "api.test", max_version=None) -> tuple[int, dict]:
    ctx = ssl.create_default_context(cafile=cafile)
    if max_version:
        ctx.maximum_version = max_version
    conn = http.client.HTTPSConnection(host, port, timeout=10)
    # connect to loopback, but send `host` as server name and check the certificate against it
    conn.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname=host)
    conn.request("GET", path)
    r = conn.getresponse()
    out = r.status, json.loads(r.read())
    conn.close()
    return out


def test_http_and_https_listeners(traefik, echo_upstream, tmp_path):
    cert, key = self_signed("api.test")
    (tmp_path / "api.crt").write_bytes(cert)
    (tmp_path / "api.key").write_bytes(key)
    gw = traefik(f"""
version: 1
services:
  echo: {{url: "__ECHO__"}}
gateways:
  web:
    listeners:
      - {{port: 8080}}
      - port: 8443
        tls: {{certificate: {tmp_path}/api.crt, key: {{file: {tmp_path}/api.key}}, min_version: "1.3"}}
    routes: [{{name: r, match: /r, service: echo}}]
""", {"ECHO": echo_upstream()})
    http_port, https_port = gw.ports
    assert gw.request("GET", "/r", port=http_port).status == 200
    status, body = https_get(https_port, "/r", str(tmp_path / "api.crt"))
    assert status == 200 and body["headers"]["x-forwarded-proto"] == "https"
    try:
        https_get(https_port, "/r", str(tmp_path / "api.crt"), max_version=ssl.TLSVersion.TLSv1_2)
        raise AssertionError("TLS 1.2 accepted by a listener with min_version 1.3")
    except ssl.SSLError:
        pass
    # the TLS listener does not serve the route over plain HTTP
    assert gw.request("GET", "/r", port=https_port).status == 404


def test_tls_key_from_the_environment(traefik, echo_upstream, tmp_path):
    cert, key = self_signed("api.test")
    (tmp_path / "api.crt").write_bytes(cert)
    gw = traefik(f"""
version: 1
services:
  echo: {{url: "__ECHO__"}}
gateways:
  web:
    listeners:
      - port: 8443
        tls: {{certificate: {tmp_path}/api.crt, key: {{env: GWC_TLS_KEY}}}}
    routes: [{{name: r, service: echo}}]
""", {"ECHO": echo_upstream()}, env={"GWC_TLS_KEY": key.decode()})
    assert "GWC_TLS_KEY" in gw.output.env
    assert key.decode() not in (gw.dir / "dynamic.yml").read_text()
    assert https_get(gw.port, "/", str(tmp_path / "api.crt"))[0] == 200


def test_each_tls_listener_keeps_its_own_minimum_version(traefik, echo_upstream, tmp_path):
    """Two TLS listeners of one gateway, 1.2 and 1.3: Traefik picks TLS options per server
    name on each entry point, so routes with hostnames get each listener's own."""
    cert, key = self_signed("api.test")
    (tmp_path / "api.crt").write_bytes(cert)
    (tmp_path / "api.key").write_bytes(key)
    tls = f"certificate: {tmp_path}/api.crt, key: {{file: {tmp_path}/api.key}}"
    gw = traefik(f"""
version: 1
services:
  echo: {{url: "__ECHO__"}}
gateways:
  web:
    listeners:
      - {{port: 8443, tls: {{{tls}, min_version: "1.2"}}}}
      - {{port: 9443, tls: {{{tls}, min_version: "1.3"}}}}
    routes: [{{name: r, hostnames: [api.test], match: /r, service: echo}}]
""", {"ECHO": echo_upstream()})
    old, new = gw.ports
    assert https_get(old, "/r", str(tmp_path / "api.crt"), max_version=ssl.TLSVersion.TLSv1_2)[0] == 200
    assert https_get(new, "/r", str(tmp_path / "api.crt"))[0] == 200
    try:
        https_get(new, "/r", str(tmp_path / "api.crt"), max_version=ssl.TLSVersion.TLSv1_2)
        raise AssertionError("TLS 1.2 accepted by the listener with min_version 1.3")
    except ssl.SSLError:
        pass


def test_tls_listeners_that_differ_need_hostnames(tmp_path):
    from gatewayc.build import build

    (tmp_path / "gateway.yml").write_text("""\
version: 1
services:
  echo: {url: "http://127.0.0.1:3000"}
gateways:
  web:
    listeners:
      - {port: 8443, tls: {certificate: /c.crt, key: {file: /c.key}, min_version: "1.2"}}
      - {port: 9443, tls: {certificate: /c.crt, key: {file: /c.key}, min_version: "1.3"}}
    routes: [{name: r, match: /r, service: echo}]
""")
    r = build(str(tmp_path / "gateway.yml"), ["traefik"], source="gateway.yml")
    errors = [d for d in r.diagnostics if d.is_error]
    assert [(d.code, d.location.line) for d in errors] == [("GWC310", 9)], [str(d) for d in errors]
    assert "hostnames" in (errors[0].hint or "")
