"""Connection upgrades on the real Traefik (settled meaning M7): a `websocket: true` route
forwards `Upgrade: websocket` and Traefik tunnels once the service answers 101 (through the
answers middleware's response writer); no other upgrade is forwarded anywhere, and a route
without the field forwards none."""
from __future__ import annotations

import socket

import pytest

from harness_common import WS_HEADERS, UpgradeUpstream, recv_until, upgrade

SPEC = """
version: 1
services:
  ws: {url: "__WS__"}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - {name: ws, match: {path: /ws}, service: ws, websocket: true}
      - {name: plain, match: {path: /plain}, service: ws}
"""


@pytest.fixture(scope="module")
def ws_upstream():
    srv = UpgradeUpstream()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def gw(module_traefik, ws_upstream):
    return module_traefik(SPEC, {"WS": ws_upstream})


@pytest.mark.parametrize("protocol", [b"websocket", b"WebSocket"])
def test_websocket_upgrade_is_tunnelled(gw, ws_upstream, protocol):
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as s:
        s.sendall(b"GET /ws/chat HTTP/1.1\r\nHost: example.test\r\nUpgrade: %s\r\n"
                  b"Connection: Upgrade\r\n%s\r\n" % (protocol, WS_HEADERS))
        head = recv_until(s, b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        for msg in (b"ping-1", b"\x81\x05hello", b"ping-2"):
            s.sendall(msg)
            assert recv_until(s, msg).endswith(msg)
    seen = ws_upstream.seen[-1]
    assert seen["upgrade"] == "websocket"
    assert seen["connection"].lower() == "upgrade"
    assert seen["sec-websocket-key"] == "dGhlIHNhbXBsZSBub25jZQ=="


@pytest.mark.parametrize("path", ["/ws", "/plain"])
def test_h2c_upgrade_is_never_forwarded(gw, ws_upstream, path):
    head = upgrade(gw.port, path, b"h2c", b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head  # answered as a plain request, no tunnel
    assert "upgrade" not in ws_upstream.seen[-1], ws_upstream.seen[-1]


def test_websocket_is_not_forwarded_without_the_field(gw, ws_upstream):
    head = upgrade(gw.port, "/plain/chat", b"websocket", WS_HEADERS)
    assert head.startswith(b"HTTP/1.1 200"), head
    assert "upgrade" not in ws_upstream.seen[-1], ws_upstream.seen[-1]
