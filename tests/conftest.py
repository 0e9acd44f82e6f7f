"""Shared test helpers. Keep this file small: helpers used by more than one test directory.

Fixtures:

- ``echo_upstream`` - factory: ``echo_upstream(name="echo", status=None)`` starts a threaded
  HTTP server on a free loopback port that answers every request with JSON
  ``{"server", "method", "path", "query" (raw string), "headers" (lower-case names), "body"}``,
  or with ``status`` and an error body when given (set ``srv.status`` later to change it).
  Some paths behave differently: ``/slow...`` answers 1.5 s late, ``/fail...`` answers 500
  ``{"error": "boom"}``, ``/notjson...`` answers ``text/plain``.
  ``srv.url`` is its base URL, ``srv.hits`` counts requests, ``srv.methods`` lists their
  methods in arrival order, ``srv.seen`` the requests themselves (each as the JSON above, also
  when the answer is an error), ``srv.connections`` counts TCP connections, ``srv.delay``
  (seconds) holds every answer back, ``srv.script`` (a list of statuses) makes the next
  requests fail with them, one each. Servers stop at test end.
- ``module_echo_upstream`` - the same, living until the end of the test module.
- ``tls_upstreams`` - (module) two HTTPS echo upstreams with certificates from one test CA:
  ``.named`` for the name ``localhost``, ``.wrong`` for ``elsewhere.test``; ``.ca`` is the CA
  file (tests/pki_common.py).
- ``snapshot_yml`` - syrupy's ``snapshot``, one reviewable .yml file per snapshot.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from harness_common import EchoServer, stopping  # tests/ is on sys.path (rootdir conftest)
from pki_common import TlsEchoServer, make_pki

REPO = Path(__file__).resolve().parent.parent


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a gatewayc subprocess: this checkout first on the path, no colour."""
    env = {k: v for k, v in os.environ.items() if k not in ("GATEWAYC_DEBUG", "FORCE_COLOR")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def run_cli(args: list[str], cwd: str | os.PathLike | None = None, *, python_args: tuple[str, ...] = (),
            timeout: float = 60, **env: str) -> tuple[int, str, str]:
    """Run `python -m gatewayc ARGS` in a subprocess; returns (exit code, stdout, stderr)."""
    proc = subprocess.run([sys.executable, *python_args, "-m", "gatewayc", *args], cwd=cwd or REPO,
                          env=cli_env(**env), capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def cli():
    """The run_cli helper as a fixture (test modules need not import conftest)."""
    return run_cli


@pytest.fixture
def echo_upstream():
    yield from stopping(EchoServer)


@pytest.fixture(scope="module")
def module_echo_upstream():
    yield from stopping(EchoServer)


class YamlSnapshot(SingleFileSnapshotExtension):
    file_extension = "yml"  # syrupy >= 4 (older releases: _file_extension)
    _file_extension = "yml"
    _write_mode = WriteMode.TEXT


@pytest.fixture
def snapshot_yml(snapshot):
    return snapshot.use_extension(YamlSnapshot)


class CliRunSnapshot(SingleFileSnapshotExtension):
    """One .txt file per CLI run: `exit: N`, then stdout and stderr as text blocks."""

    file_extension = "txt"
    _write_mode = WriteMode.TEXT

    def serialize(self, data, **kwargs) -> str:
        code, out, err = data
        return f"exit: {code}\n--- stdout ---\n{out}--- stderr ---\n{err}"


@pytest.fixture
def run_snapshot(snapshot):
    """A snapshot of a whole CLI run: `assert run_snapshot == (exit code, stdout, stderr)`."""
    return snapshot.use_extension(CliRunSnapshot)


class TlsUpstreams:
    def __init__(self, pki: Path) -> None:
        self.ca = pki / "ca.crt"
        self.named = TlsEchoServer(pki)
        self.wrong = TlsEchoServer(pki, cert="other", name="other")

    def stop(self) -> None:
        self.named.stop()
        self.wrong.stop()


@pytest.fixture(scope="module")
def tls_upstreams(tmp_path_factory):
    pki = make_pki(tmp_path_factory.mktemp("pki"), servers=("server", "other"), sans={"other": "elsewhere.test"})
    ups = TlsUpstreams(pki)
    yield ups
    ups.stop()
