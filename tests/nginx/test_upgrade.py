"""Connection upgrades on a real nginx (docs/spec.md, routes: `websocket`).

A `websocket: true` route forwards `Upgrade: websocket` (and sets `Connection: upgrade`)
when the client asks for it, and nginx tunnels once the service answers 101. No other
upgrade is forwarded anywhere (an h2c upgrade would open a tunnel to the service that
bypasses every later request's routing and policies), and a route without the field
forwards none at all. Requests without an upgrade keep the upstream connection
reusable (keepalive)."""
from __future__ import annotations

import socket
import threading

import pytest

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


class UpgradeUpstream:
    """Answers a request with an `Upgrade` header (whatever protocol: a service may well
    speak h2c) with 101 and then echoes raw bytes back; answers any other request with 200
    and the Connection header it received."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.seen: list[dict[str, str]] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            buf = b""
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    buf += chunk
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
                self.seen.append(headers)
                if headers.get("upgrade"):
                    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: %s\r\n"
                                 b"Connection: Upgrade\r\n\r\n" % headers["upgrade"].encode() + buf)
                    while data := conn.recv(4096):
                        conn.sendall(data)
                    return
                body = headers.get("connection", "<none>").encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def ws_upstream():
    srv = UpgradeUpstream()
    yield srv
    srv.close()


def _recv_until(s: socket.socket, marker: bytes) -> bytes:
    buf = b""
    while marker not in buf:
        chunk = s.recv(4096)
        assert chunk, f"connection closed; got {buf!r}"
        buf += chunk
    return buf


def _upgrade(gw, path: str, protocol: bytes, extra: bytes = b"") -> bytes:
    """Sends an upgrade request; the status line and headers of the answer."""
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: example.test\r\nUpgrade: %s\r\nConnection: Upgrade\r\n%s\r\n"
                  % (path.encode(), protocol, extra))
        return _recv_until(s, b"\r\n\r\n")


WS_HEADERS = b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"


@pytest.mark.parametrize("protocol", [b"websocket", b"WebSocket"])
def test_websocket_upgrade_is_tunnelled(gateway, ws_upstream, protocol):
    gw = gateway(SPEC, {"WS": ws_upstream})
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as s:
        s.sendall(b"GET /ws/chat HTTP/1.1\r\nHost: example.test\r\nUpgrade: %s\r\n"
                  b"Connection: Upgrade\r\n%s\r\n" % (protocol, WS_HEADERS))
        head = _recv_until(s, b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        for msg in (b"ping-1", b"\x81\x05hello", b"ping-2"):
            s.sendall(msg)
            assert _recv_until(s, msg).endswith(msg)
    seen = ws_upstream.seen[-1]
    assert seen["upgrade"] == "websocket"
    assert seen["connection"].lower() == "upgrade"
    assert seen["sec-websocket-key"] == "dGhlIHNhbXBsZSBub25jZQ=="


@pytest.mark.parametrize("path", ["/ws", "/plain"])
def test_h2c_upgrade_is_never_forwarded(gateway, ws_upstream, path):
    gw = gateway(SPEC, {"WS": ws_upstream})
    head = _upgrade(gw, path, b"h2c", b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head  # answered as a plain request, no tunnel
    assert "upgrade" not in ws_upstream.seen[-1], ws_upstream.seen[-1]
    assert "connection" not in ws_upstream.seen[-1], ws_upstream.seen[-1]


def test_websocket_is_not_forwarded_without_the_field(gateway, ws_upstream):
    gw = gateway(SPEC, {"WS": ws_upstream})
    head = _upgrade(gw, "/plain/chat", b"websocket", WS_HEADERS)
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
