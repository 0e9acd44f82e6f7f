"""Harness for end-to-end tests against the real nginx binary (no mocks, no skips).

Fixtures (usable by any test module under tests/nginx/):

- ``echo_upstream`` - factory: ``echo_upstream(name="a", status=None)`` starts a threaded HTTP
  server on a free loopback port that answers every request with JSON
  ``{"server", "method", "path", "query" (raw string), "headers" (lower-case names), "body"}``,
  or with ``status`` and an error body when given (set ``srv.status`` later to change it).
  ``srv.url`` is its base URL, ``srv.hits`` counts requests, ``srv.delay`` (seconds) holds
  every answer back. Servers stop at test end.
- ``gateway`` - factory: ``gateway(spec_yaml, upstreams={"ECHO": srv, ...}, form="full")``
  writes the spec (``__ECHO__`` in the text becomes ``srv.url``), compiles it, moves every
  listener of every gateway to a free port (in the IR, so the spec text needs no port
  tricks), builds with the nginx backend, checks ``nginx -t``, starts
  ``nginx -p DIR -c nginx.conf -e stderr -g "daemon off;"``, waits for the port and returns
  a ``Gateway`` (``.url``, ``.port``, ``.dir``, ``.conf`` text, ``.output`` (backend Output),
  ``.request(method, path, headers=None, body=None, host=None) -> Reply``, ``.log()``).
  nginx is stopped (and waited for) at test end. A missing nginx binary fails the test.
- ``build_spec`` - factory: ``build_spec(spec_yaml, upstreams=None, form="full") -> (IR, Output)``
  without running anything.

``Reply`` has ``.status``, ``.headers`` (lower-case dict), ``.body`` (bytes) and ``.json()``.
"""
from __future__ import annotations

import dataclasses
import http.client
import json
import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gatewayc.backends.base import BuildOptions
from gatewayc.backends.nginx import BACKEND
from gatewayc.compiler import compile_spec
from gatewayc.ir import model as ir

from nginx_harness import NGINX, nginx_test, write_output  # noqa: E402  (tests/nginx is on sys.path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- upstreams ----------------------------------------------------------------------
class EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, name: str, status: int | None) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.name, self.status, self.hits, self.delay = name, status, 0, 0.0
        self.port = self.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"


class _EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EchoServer

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("latin-1") if length else ""
        self.server.hits += 1
        time.sleep(self.server.delay)
        url = urlsplit(self.path)
        if self.server.status:
            out, status = {"server": self.server.name, "error": "failing on purpose"}, self.server.status
        else:
            status = 200
            out = {"server": self.server.name, "method": self.command, "path": url.path, "query": url.query,
                   "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        data = json.dumps(out).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _answer


@pytest.fixture
def echo_upstream():
    started: list[EchoServer] = []

    def start(name: str = "echo", status: int | None = None) -> EchoServer:
        srv = EchoServer(name, status)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.shutdown()
        srv.server_close()


# --- the gateway --------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Gateway:
    port: int
    dir: Path
    conf: str
    output: object
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | str | None = None, host: str | None = None, port: int | None = None) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=10)
        try:
            hdrs = dict(headers or {})
            if host:
                hdrs["Host"] = host
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def log(self) -> str:
        """nginx's error log so far."""
        return self.proc.log_path.read_text(errors="replace")


def _with_ports(spec: ir.IR) -> tuple[ir.IR, list[int]]:
    """Every listener moved to a free loopback port (the spec's ports may be taken)."""
    ports: list[int] = []
    gws = []
    for gw in spec.gateways:
        listeners = []
        for lst in gw.listeners:
            ports.append(free_port())
            listeners.append(dataclasses.replace(lst, port=ports[-1], address="127.0.0.1"))
        gws.append(dataclasses.replace(gw, listeners=tuple(listeners)))
    return dataclasses.replace(spec, gateways=tuple(gws)), ports


def _compile(tmp: Path, text: str, upstreams: dict[str, EchoServer] | None) -> ir.IR:
    for key, srv in (upstreams or {}).items():
        text = text.replace(f"__{key}__", srv.url)
    spec_file = tmp / "gateway.yml"
    spec_file.write_text(text)
    c = compile_spec(str(spec_file))
    assert c.ok, [str(x) for x in c.diagnostics]
    return c.ir


@pytest.fixture
def build_spec(tmp_path):
    def build(text: str, upstreams: dict[str, EchoServer] | None = None, form: str = "full"):
        spec = _compile(tmp_path, text, upstreams)
        out = BACKEND.build(spec, spec.gateways, BuildOptions("gateway.yml", "test", form=form))
        return spec, out
    return build


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"nginx exited with {proc.returncode}: {proc.log_path.read_text()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx did not listen on {port} within {timeout}s")


@pytest.fixture
def gateway(tmp_path):
    running: list[subprocess.Popen] = []

    def start(text: str, upstreams: dict[str, EchoServer] | None = None) -> Gateway:
        spec, ports = _with_ports(_compile(tmp_path, text, upstreams))
        out = BACKEND.build(spec, spec.gateways, BuildOptions("gateway.yml", "test"))
        out_dir = tmp_path / "out"
        write_output(out_dir, out.files)
        checked = nginx_test(out_dir)
        assert checked.returncode == 0, checked.stderr
        # as root, workers would run as nobody and could not enter pytest's private tmp dir
        glob = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        log = open(tmp_path / "nginx.log", "wb")
        proc = subprocess.Popen([NGINX, "-p", str(out_dir), "-c", "nginx.conf", "-e", "stderr", "-g", glob],
                                stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        proc.log_path = tmp_path / "nginx.log"
        running.append(proc)
        _wait_port(ports[0], proc)
        for p in ports[1:]:
            _wait_port(p, proc)
        gw = Gateway(ports[0], out_dir, out.files["nginx.conf"].decode(), out, proc)
        gw.ports = ports
        return gw

    yield start
    for proc in running:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
