"""The table's nginx: the build checked with `nginx -t` and run by tests/nginx/nginx_harness.py."""
from __future__ import annotations

from pathlib import Path

from nginx_harness import Gateway, nginx_args, nginx_test, run_nginx, runtime_dir

NAME = "nginx"


def start(work: Path, out_dir: Path, port: int, env: dict[str, str]) -> Gateway:
    checked = nginx_test(out_dir)
    assert checked.returncode == 0, checked.stderr
    return run_nginx(nginx_args(out_dir), [port], work / "nginx.log", out_dir, runtime_dir(out_dir), env=env)
