"""scripts/shop.sh installs gatewayc once, not on every run."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from wfhelpers import REPO, cli_env

FAKE_PYTHON = """\
#!/bin/sh
# a virtualenv's python that logs pip runs instead of installing
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "pip $*" >> "{log}"; exit 0; fi
exec "{python}" "$@"
"""


def test_shop_installs_only_when_the_packaging_changed(tmp_path):
    work = tmp_path / "repo"
    (work / "examples").mkdir(parents=True)
    shutil.copytree(REPO / "scripts", work / "scripts")
    shutil.copytree(REPO / "examples" / "shop", work / "examples" / "shop")
    for name in ("pyproject.toml", "setup.py"):
        shutil.copy(REPO / name, work / name)
    venv, log = work / ".venv", tmp_path / "pip.log"
    (venv / "bin").mkdir(parents=True)
    py = venv / "bin" / "python"
    py.write_text(FAKE_PYTHON.format(log=log, python=sys.executable))
    exe = venv / "bin" / "gatewayc"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m gatewayc "$@"\n')
    for f in (py, exe):
        f.chmod(0o755)

    def shop() -> subprocess.CompletedProcess:
        env = cli_env()
        env.pop("GATEWAYC_VENV", None)
        return subprocess.run(["bash", "scripts/shop.sh"], cwd=work, env=env, capture_output=True, text=True,
                              timeout=300)

    def pip_runs() -> int:
        return len(log.read_text().splitlines()) if log.exists() else 0

    first = shop()
    assert first.returncode == 0, first.stdout + first.stderr
    assert pip_runs() > 0 and "pip -m pip install --quiet -e ." in log.read_text()
    assert (work / "out" / "shop" / "nginx" / "nginx.conf").is_file()
    installs = pip_runs()
    again = shop()
    assert again.returncode == 0, again.stdout + again.stderr
    assert pip_runs() == installs  # nothing changed: no pip
    with open(work / "pyproject.toml", "a") as fh:
        fh.write("\n# a changed dependency list, say\n")
    assert shop().returncode == 0
    assert pip_runs() > installs
    assert f". {os.path.join('.venv', 'bin', 'activate')}" in again.stdout
