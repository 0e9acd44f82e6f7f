"""Plain helpers of the nginx test harness (fixtures are in conftest.py); importable by
test modules as `from nginx_harness import ...`."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # absent: running it raises and the test fails


def write_output(out_dir: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        p = out_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def nginx_test(out_dir: Path, conf: str = "nginx.conf") -> subprocess.CompletedProcess:
    return subprocess.run([NGINX, "-t", "-q", "-p", str(out_dir), "-c", conf, "-e", "stderr"],
                          capture_output=True, text=True, timeout=30)
