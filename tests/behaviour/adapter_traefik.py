"""The table's Traefik, run by tests/traefik/traefik_harness.py (which also checks that every
router, middleware and service of the build is loaded and enabled, with no error logged)."""
from __future__ import annotations

from pathlib import Path

from gatewayc.backends.base import Output
from traefik_harness import Traefik, run_traefik

NAME = "traefik"


def start(work: Path, out_dir: Path, port: int, env: dict[str, str]) -> Traefik:
    files = {p.relative_to(out_dir).as_posix(): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    return run_traefik(work, out_dir, Output(files=files), [port], env)
