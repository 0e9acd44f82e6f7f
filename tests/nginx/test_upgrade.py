"""Connection upgrades on a real nginx (docs/spec.md, routes: `websocket`).

A `websocket: true` route forwards `Upgrade: websocket` (and sets `Connection: upgrade`)
when the client asks for it, and nginx tunnels once the service answers 101. No other
upgrade is forwarded anywhere (an h2c upgrade would open a tunnel to the service that
bypasses every later request's routing and policies), and a route without the field
forwards none at all. Requests without an upgrade keep the upstream connection
reusable (keepalive)."""
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


@pytest.fixture
def ws_upstream():
    srv = UpgradeUpstream()
    yield srv
    srv.close()


@pytest.mark.parametrize("protocol", [b"websocket", b"WebSocket"])
def test_websocket_upgrade_is_tunnelled(gateway, ws_upstream, protocol):
    gw = gateway(SPEC, {"WS": ws_upstream})
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
def test_h2c_upgrade_is_never_forwarded(gateway, ws_upstream, path):
    gw = gateway(SPEC, {"WS": ws_upstream})
    head = upgrade(gw.port, path, b"h2c", b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head  # answered as a plain request, no tunnel
    assert "upgrade" not in ws_upstream.seen[-1], ws_upstream.seen[-1]
    assert "connection" not in ws_upstream.seen[-1], ws_upstream.seen[-1]


def test_websocket_is_not_forwarded_without_the_field(gateway, ws_upstream):
    gw = gateway(SPEC, {"WS": ws_upstream})
    head = upgrade(gw.port, "/plain/chat", b"websocket", WS_HEADERS)
    assert head.startswith(b"HTTP/1.1 200"), head
    assert "upgrade" not in ws_upstream.seen[-1], ws_upstream.seen[-1]


def test_plain_requests_keep_the_upstream_connection_reusable(gateway, ws_upstream):
    gw = gateway(SPEC, {"WS": ws_upstream})
    # the client's own Connection header is hop-by-hop: it must not reach the upstream
    for path in ("/ws", "/plain"):
        r = gw.request("GET", path, headers={"Connection": "close"})
        assert r.status == 200
        assert "upgrade" not in ws_upstream.seen[-1]
        assert "connection" not in ws_upstream.seen[-1], ws_upstream.seen[-1]
