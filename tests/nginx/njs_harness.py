"""A real nginx for the njs tests, configured from njs_policies' directives alone.

Routing here is deliberately naive (one prefix or exact location per route, its first
match): these tests are about what the njs half adds to a location, not about routing,
which the full backend's harness covers.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from gatewayc.backends.nginx import njs_policies as njs
from gatewayc.backends.nginx.context import DOLLAR_VAR, NJS_MODULE, Context, d
from gatewayc.backends.nginx.render import render
from gatewayc.compiler import compile_spec
from gatewayc.ir import model as ir

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the upstream ---------------------------------------------------------------------
class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        url = urlsplit(self.path)
        if url.path.startswith("/slow"):
            time.sleep(1.5)
        if url.path.startswith("/fail"):
            self._send(500, b'{"error":"boom"}', "application/json")
            return
        if url.path.startswith("/notjson"):
            self._send(200, b"plain text", "text/plain")
            return
        seen = {"method": self.command, "path": url.path, "query": parse_qs(url.query),
                "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        self._send(200, json.dumps(seen).encode(), "application/json")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # nginx gave up on a slow part first, as the test wants

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer


@pytest.fixture(scope="module")
def echo_port():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def worker_dir():
    """A directory nginx's workers (user nobody when the master is root) can read: pytest's
    own tmp dirs are private to root. For the secret files the njs module reads."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="gwc-njs-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def readable(path: Path, content: str) -> Path:
    path.write_text(content)
    path.chmod(0o644)
    return path


# --- building -------------------------------------------------------------------------
def compile_ir(tmp: Path, spec_yaml: str, extra_files: dict[str, str | bytes] | None = None) -> ir.IR:
    for name, content in (extra_files or {}).items():
        p = tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode() if isinstance(content, str) else content)
    (tmp / "spec.yaml").write_text(spec_yaml)
    c = compile_spec(str(tmp / "spec.yaml"))
    assert c.ok, [str(x) for x in c.diagnostics]
    return c.ir


def _location_for(route: ir.Route) -> list[str]:
    m = route.matches[0].path
    return ["=", m.value] if m.kind == "exact" else [m.value]


def _route_block(gw: ir.Gateway, route: ir.Route, ctx: Context, extra: list[dict]) -> list[dict]:
    block = list(extra) + njs.location_directives(gw, route, ctx)
    a = route.action
    if isinstance(a, ir.Forward):
        block += [d("proxy_pass", ctx.proxy_pass_for(a.service)), d("proxy_http_version", "1.1")]
    elif isinstance(a, ir.Respond):
        block += [d("default_type", "application/json"), d("return", a.status, json.dumps(a.body))]
    return block


@dataclass
class Built:
    tree: list[dict]
    files: dict[str, bytes]
    ctx: Context
    conf: str = field(default="")


def build(spec: ir.IR, port: int, *, route_extra=None, http_extra: list[dict] | None = None) -> Built:
    """nginx.conf plus the njs files; `route_extra(gw, route, ctx)` adds test-only
    directives to a route's location (rate limits, for one)."""
    ctx = Context(spec, spec.gateways)
    gws = spec.gateways
    files = njs.files(gws, ctx)
    main = [d("load_module", NJS_MODULE), *njs.main_directives(gws, ctx), d("pid", "nginx.pid"),
            d("error_log", "error.log", "info"), d("daemon", "off"), d("worker_processes", "1")]
    if os.geteuid() == 0:
        # workers would run as nobody and could not write temp files under pytest's tmp dir
        main.append(d("user", "root"))
    http = [d("access_log", "off"), d("client_max_body_size", "16m"), d("client_body_temp_path", "tmp_body"), d("proxy_temp_path", "tmp_proxy"),
            d("geo", "$" + DOLLAR_VAR, block=[d("default", "$")]),
            *njs.http_directives(gws, ctx), *(http_extra or [])]
    for svc in spec.services:
        http.append(d("upstream", ctx.upstream_name(svc),
                      block=[d("server", f"{t.host}:{t.port}") for t in svc.targets]))
    for gw in gws:
        server = [d("listen", f"127.0.0.1:{port}"), *njs.server_directives(gw, ctx)]
        for route in gw.routes:
            extra = route_extra(gw, route, ctx) if route_extra else []
            server.append(d("location", *_location_for(route), block=_route_block(gw, route, ctx, extra)))
        http.append(d("server", block=server))
    tree = main + [d("events", block=[]), d("http", block=http)]
    return Built(tree, files, ctx, render(tree))


def write(built: Built, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for rel, content in built.files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(content)
    (out / "nginx.conf").write_text(built.conf)


# --- running --------------------------------------------------------------------------
class Nginx:
    def __init__(self, out: Path, port: int, env: dict[str, str]):
        self.out, self.port = out, port
        self.base = f"http://127.0.0.1:{port}"
        full_env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin"), **env}
        self.proc = subprocess.Popen([NGINX, "-p", f"{out}/", "-c", str(out / "nginx.conf")], env=full_env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"nginx exited:\n{self.proc.stdout.read().decode()}\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"nginx did not listen on {port}:\n{self.log()}")

    def log(self) -> str:
        p = self.out / "error.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout:
            self.proc.stdout.close()


def check_config(out: Path) -> None:
    """`nginx -t` on a written output; fails with nginx's own message."""
    p = subprocess.run([NGINX, "-t", "-p", f"{out}/", "-c", str(out / "nginx.conf")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stdout + p.stderr


def start(tmp: Path, spec: ir.IR, env: dict[str, str] | None = None, **kw) -> Nginx:
    assert Path(NGINX).exists(), "nginx is required for these tests (apt-get install nginx-light libnginx-mod-http-js)"
    port = free_port()
    built = build(spec, port, **kw)
    out = tmp / "out"
    write(built, out)
    return Nginx(out, port, env or {})


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def request(nginx: Nginx, path: str, method: str = "GET", headers: dict[str, str] | None = None,
            body: bytes | str | None = None) -> Reply:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=10)
    try:
        conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
        r = conn.getresponse()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()
