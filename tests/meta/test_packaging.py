"""The wheel ships gatewayc.backends (never a top-level `backends`) with its data files,
and the installed package builds the shop example."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_layout_and_installed_build(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v",
                            "-w", str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True, text=True)
    # setuptools says what it dislikes in our metadata as warnings framed by `!!`
    # (a licence table instead of an SPDX string, data directories missing from `packages`)
    complaints = [ln for ln in (built.stdout + built.stderr).splitlines()
                  if "Warning:" in ln or "DeprecationWarning" in ln or ln.strip() == "!!"]
    assert complaints == []
    (wheel,) = (tmp_path / "dist").glob("gatewayc-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith("backends/")]
    for needed in ("gatewayc/backends/nginx/njs/gwc_jwt.js", "gatewayc/backends/kong/capabilities.py",
                   "gatewayc/backends/nginx/__init__.py", "gatewayc/backends/traefik/plugin/go.mod",
                   "gatewayc/backends/traefik/plugin/.traefik.yml"):
        assert needed in names, needed
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    out = tmp_path / "out"
    # run from an unrelated directory with only the installed copy of gatewayc on the path
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "PYTHONSAFEPATH": "1"}
    r = subprocess.run([sys.executable, "-m", "gatewayc", "build", str(ROOT / "examples/shop/gateway.yml"),
                        "--target", "nginx", "--out", str(out)], cwd=tmp_path, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (out / "nginx.conf").is_file() and list((out / "njs").glob("*.js"))
    r = subprocess.run([sys.executable, "-c", "import gatewayc, gatewayc.backends; print(gatewayc.__file__)"],
                       cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.stdout.startswith(str(target)), r.stdout + r.stderr
