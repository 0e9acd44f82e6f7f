"""Helpers for the workflow tests: run gatewayc as a user would, in a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A spec that every target can build: the atomicity and --check tests need a working build
# and must not depend on what the backends support this week.
MINIMAL = textwrap.dedent("""\
    version: 1
    services:
      users:
        url: http://127.0.0.1:3001
    gateways:
      web:
        listeners:
          - port: 8080
        routes:
          - name: users
            match: {path: /users}
            service: users
    """)

TWO_ROUTES = MINIMAL + (
    "      - name: orders\n"
    "        match: {path: /orders}\n"
    "        service: users\n")

INVALID = MINIMAL.replace("port: 8080", "port: eighty")


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAYC_", "PYTHONHASHSEED"))}
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def gwc(*args: str, cwd: str | os.PathLike | None = None, env: dict | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m gatewayc ARGS` in a subprocess; output decoded as text."""
    return subprocess.run([sys.executable, "-m", "gatewayc", *args], cwd=cwd, env=env or cli_env(),
                          capture_output=True, text=True, timeout=timeout)


def tree(root: str | os.PathLike) -> dict[str, bytes]:
    from gatewayc.output.atomic import read_tree

    return read_tree(str(root))


def git(cwd: str | os.PathLike, *args: str) -> str:
    """Run git in `cwd` with a fixed identity and no user or system config; its stdout."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()
