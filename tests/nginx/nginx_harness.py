"""Plain helpers of the nginx test harness (fixtures are in conftest.py, which documents
what they give); importable by test modules as `from nginx_harness import ...`."""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time
from pathlib import Path

import crossplane

from gatewayc.backends.base import BuildOptions, Output
from gatewayc.backends.nginx import BACKEND
from gatewayc.ir import model as ir
from harness_common import (EchoServer, Reply, compile_text, free_port, http_request,  # noqa: F401
                            stop_process, wait_port, with_free_ports, write_output)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # absent: running it raises and the test fails


def build_options(form: str = "full") -> BuildOptions:
    return BuildOptions("gateway.yml", "test", form=form)


def build(spec: ir.IR, form: str = "full") -> Output:
    return BACKEND.build(spec, spec.gateways, build_options(form))


def runtime_dir(out_dir: Path) -> Path:
    """nginx's prefix for a build in `out_dir`: runtime state (pid, temp dirs, cache, access
    log) goes there, never into the output dir a rebuild replaces (docs/targets/nginx.md)."""
    run = out_dir.parent / f"{out_dir.name}-run"
    run.mkdir(parents=True, exist_ok=True)
    return run


def nginx_args(out_dir: Path, conf: str = "nginx.conf") -> list[str]:
    """`-p RUNTIME -c OUT/CONF`, as docs/targets/nginx.md says to run a build."""
    return ["-p", str(runtime_dir(out_dir)), "-c", str((out_dir / conf).resolve())]


def nginx_test(out_dir: Path, conf: str = "nginx.conf", timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([NGINX, "-t", "-q", *nginx_args(out_dir, conf), "-e", "stderr"],
                          capture_output=True, text=True, timeout=timeout)


@dataclasses.dataclass
class Gateway:
    port: int
    dir: Path  # the build output (generated files only)
    conf: str
    output: Output | None  # None when the CLI built it
    proc: subprocess.Popen
    log_path: Path
    ports: list[int]
    runtime: Path  # nginx's prefix: pid, temp dirs, cache and access log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | str | None = None, host: str | None = None, port: int | None = None) -> Reply:
        return http_request(port or self.port, method, path, headers, body, host)

    def until_hit(self, path: str, headers: dict[str, str] | None = None, timeout: float = 3.0) -> tuple[Reply, int]:
        """Repeats a GET until the cache answers it (X-Cache-Status: HIT); returns that reply
        and how many MISSes came first. nginx runs several workers: one that takes a request
        while another is still storing the same response misses it, which is harmless
        (one more upstream call), so a test first waits for the entry to be visible before
        it asserts what may or may not share it. The MISS replies are kept in
        `self.missed`: the entry that finally hits is the last of them that was stored."""
        misses = 0
        self.missed: list[Reply] = []
        deadline = time.monotonic() + timeout
        while True:
            r = self.request("GET", path, headers)
            status = r.headers.get("x-cache-status")
            if status == "HIT":
                return r, misses
            assert status == "MISS" and time.monotonic() < deadline, (status, r.status, r.body[:200])
            misses += 1
            self.missed.append(r)
            time.sleep(0.02)

    def log(self) -> str:
        """nginx's error log so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.proc, 10)


def start_gateway(work: Path, text: str, upstreams: dict[str, EchoServer] | None = None,
                  env: dict[str, str] | None = None, files: dict[str, str | bytes] | None = None) -> Gateway:
    """The spec compiled in `work`, built by the complete backend into work/out, checked with
    `nginx -t` and running from it with work/out-run as its prefix; nginx gets this
    process's environment plus `env`."""
    spec, ports = with_free_ports(compile_text(work, text, upstreams, files))
    out = build(spec)
    out_dir = work / "out"
    write_output(out_dir, out.files)
    checked = nginx_test(out_dir)
    assert checked.returncode == 0, checked.stderr
    return run_nginx(nginx_args(out_dir), ports, work / "nginx.log", out_dir, runtime_dir(out_dir), out, env)


def foreground() -> str:
    """The -g directives every test nginx runs with. As root, workers would run as nobody
    and could not read pytest's private tmp dirs (secret files, temp bodies)."""
    return "daemon off;" + (" user root;" if os.geteuid() == 0 else "")


def run_nginx(args: list[str], ports: list[int], log_path: Path, out_dir: Path, runtime: Path,
              output: Output | None = None, env: dict[str, str] | None = None, cwd: Path | None = None) -> Gateway:
    """nginx started with `args` (prefix and config) in the foreground, its error log in
    `log_path`, once it listens on every port."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([NGINX, *args, "-e", "stderr", "-g", foreground()], cwd=cwd,
                                stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, **(env or {})})
    conf = output.files["nginx.conf"].decode() if output else (out_dir / "nginx.conf").read_text()
    gw = Gateway(ports[0], out_dir, conf, output, proc, log_path, ports, runtime)
    try:
        for p in ports:
            wait_port(p, proc, log_path, "nginx")
    except BaseException:
        gw.stop()
        raise
    return gw


# --- reading a config back ---------------------------------------------------------------
def unescape(arg: str) -> str:
    """What nginx makes of a quoted argument (crossplane keeps the escapes)."""
    out, i = [], 0
    while i < len(arg):
        if arg[i] == "\\" and i + 1 < len(arg):
            nxt = arg[i + 1]
            out.append({"n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt if nxt in "\"'\\" else "\\" + nxt))
            i += 2
        else:
            out.append(arg[i])
            i += 1
    return "".join(out)


def _all(tree):
    for node in tree:
        yield node
        yield from _all(node.get("block", []))


def parse_conf(out_dir: Path) -> list[dict]:
    """Every directive node of DIR/nginx.conf, read back by crossplane (nginx's own grammar)."""
    parsed = crossplane.parse(str(out_dir / "nginx.conf"), single=True, comments=False, check_ctx=False,
                              check_args=False)
    assert parsed["status"] == "ok", parsed["errors"]
    return list(_all(parsed["config"][0]["parsed"]))
