"""Shared test helpers. Keep this file small: helpers used by more than one test directory."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

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
