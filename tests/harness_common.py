"""What the gateway test harnesses share (tests/nginx/nginx_harness.py,
tests/traefik/traefik_harness.py): free loopback ports, the echo upstream, compiling a spec
text, moving listeners to free ports, writing a build's files, and plain HTTP requests."""
from __future__ import annotations

import dataclasses
import http.client
import json
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from gatewayc.compiler import compile_spec
from gatewayc.ir import model as ir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stopping(start):
    """A factory fixture's body: `start`, with everything it started stopped at the end."""
    started = []

    def make(*args, **kwargs):
        started.append(start(*args, **kwargs))
        return started[-1]

    yield make
    for thing in reversed(started):
        thing.stop()


# --- the echo upstream ------------------------------------------------------------------
class EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, name: str = "echo", status: int | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.name, self.status, self.hits, self.delay = name, status, 0, 0.0
        self.methods: list[str] = []  # the method of every request, in arrival order
        self.seen: list[dict] = []  # every request, as the JSON a 200 answer echoes, in arrival order
        self.lines: list[list[tuple[str, str]]] = []  # every request's header lines as received, in order
        self.script: list[int] = []  # statuses for the next requests, one each, before `status`
        self.connections = 0  # TCP connections accepted (keepalive reuses them)
        self.port = self.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EchoServer

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self.server.hits += 1
        self.server.methods.append(self.command)
        url = urlsplit(self.path)
        seen = {"server": self.server.name, "method": self.command, "path": url.path, "query": url.query,
                "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        self.server.seen.append(seen)
        self.server.lines.append(list(self.headers.items()))
        time.sleep(self.server.delay)
        if url.path.startswith("/slow"):
            time.sleep(1.5)
        scripted = self.server.script.pop(0) if self.server.script else None
        if scripted or self.server.status:
            out = {"server": self.server.name, "error": "failing on purpose"}
            self._send(scripted or self.server.status, json.dumps(out).encode(), "application/json")
        elif url.path.startswith("/fail"):
            self._send(500, b'{"error":"boom"}', "application/json")
        elif url.path.startswith("/notjson"):
            self._send(200, b"plain text", "text/plain")
        else:
            self._send(200, json.dumps(seen).encode(), "application/json")

    def _send(self, status: int, data: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            if self.command != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the gateway gave up on a slow answer first, as a timeout test wants

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _answer


# --- a service that takes connection upgrades -----------------------------------------------
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


def recv_until(s: socket.socket, marker: bytes) -> bytes:
    buf = b""
    while marker not in buf:
        chunk = s.recv(4096)
        assert chunk, f"connection closed; got {buf!r}"
        buf += chunk
    return buf


def upgrade(port: int, path: str, protocol: bytes, extra: bytes = b"") -> bytes:
    """Sends an upgrade request; the status line and headers of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: example.test\r\nUpgrade: %s\r\nConnection: Upgrade\r\n%s\r\n"
                  % (path.encode(), protocol, extra))
        return recv_until(s, b"\r\n\r\n")


WS_HEADERS = b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"


# --- building -----------------------------------------------------------------------------
def compile_text(work: Path, text: str, upstreams: dict[str, EchoServer] | None = None,
                 files: dict[str, str | bytes] | None = None) -> ir.IR:
    """`__KEY__` in the text becomes upstreams[KEY].url; `files` are written next to the spec
    (where its relative paths point)."""
    work.mkdir(parents=True, exist_ok=True)
    for key, srv in (upstreams or {}).items():
        text = text.replace(f"__{key}__", srv.url)
    for rel, content in (files or {}).items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_bytes(content.encode() if isinstance(content, str) else content)
    (work / "gateway.yml").write_text(text)
    c = compile_spec(str(work / "gateway.yml"))
    assert c.ok, [str(x) for x in c.diagnostics]
    return c.ir


def write_output(out_dir: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        p = out_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def with_free_ports(spec: ir.IR) -> tuple[ir.IR, list[int]]:
    """Every listener moved to a free loopback port (the spec's ports may be taken)."""
    ports: list[int] = []
    gws = []
    for gw in spec.gateways:
        listeners = []
        for lst in gw.listeners:
            port = free_port()
            while port in ports:  # the kernel may hand a just-closed port out again
                port = free_port()
            ports.append(port)
            listeners.append(dataclasses.replace(lst, port=ports[-1], address="127.0.0.1"))
        gws.append(dataclasses.replace(gw, listeners=tuple(listeners)))
    return dataclasses.replace(spec, gateways=tuple(gws)), ports


# --- running ------------------------------------------------------------------------------
@dataclasses.dataclass
class Reply:
    status: int
    headers: dict[str, str]  # by lower-case name; a repeated header: its last value
    body: bytes
    pairs: tuple[tuple[str, str], ...] = ()  # every header line, in order

    def json(self):
        return json.loads(self.body)

    def values(self, name: str) -> list[str]:
        """Every value of a header that may repeat (WWW-Authenticate), in order."""
        return [v for k, v in self.pairs if k.lower() == name.lower()]


def http_request(port: int, method: str, path: str, headers: dict[str, str] | None = None,
                 body: bytes | str | None = None, host: str | None = None) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        hdrs = dict(headers or {})
        if host:
            hdrs["Host"] = host
        conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, data, tuple(r.getheaders()))
    finally:
        conn.close()


class Serving:
    """What every started gateway offers a test: its first listener and requests to it.
    A dataclass using it has `ports` (listener ports, first one first)."""
    ports: list[int]

    @property
    def port(self) -> int:
        return self.ports[0]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | str | None = None, host: str | None = None, port: int | None = None) -> Reply:
        return http_request(port or self.port, method, path, headers, body, host)


def eventually(check, within: float, step: float = 0.1) -> float:
    """Seconds until `check()` first holds, failing after `within`. Gateways act on their own
    timers (health checks, outlier sweeps): a fixed sleep flakes on a loaded machine."""
    t0 = time.monotonic()
    while not check():
        assert time.monotonic() - t0 < within, f"not within {within} s"
        time.sleep(step)
    return time.monotonic() - t0


def stop_process(proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_port(port: int, proc: subprocess.Popen, log_path: Path, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}: {log_path.read_text()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not listen on {port} within {timeout}s")
