"""The pre-commit configuration of docs/ci.md, copied as written, run by the real pre-commit
(from PyPI, the test extra) in a scratch repository: only the repository URL and the commit
are filled in, with a local copy of this checkout."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wfhelpers import INVALID, MINIMAL, REPO, git, gwc

# what `pip install` of the hook repository needs (see pyproject.toml)
PACKAGED = ("gatewayc", "backends", "pyproject.toml", "setup.py", "README.md", ".pre-commit-hooks.yaml")


def _documented_config() -> str:
    doc = (REPO / "docs" / "ci.md").read_text()
    section = doc.split("\n## pre-commit\n", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def test_the_documented_config_names_a_commit_not_a_tag():
    config = _documented_config()
    assert re.search(r"^\s+rev: COMMIT\b", config, re.M), config
    assert "repo: https://github.com/OWNER/gatewayc" in config


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """This checkout's packaged files, committed in a repository of their own."""
    repo = tmp_path_factory.mktemp("hooks")
    for name in PACKAGED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(src, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "gatewayc")
    return repo, git(repo, "rev-parse", "HEAD")


def _pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAYC_", "PYTHONPATH"))}
    env.update(PRE_COMMIT_HOME=str(home), GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def test_documented_hooks_run_for_real(tmp_path, hook_repo):
    repo_path, commit = hook_repo
    config = _documented_config().replace("https://github.com/OWNER/gatewayc", str(repo_path))
    config = re.sub(r"\brev: COMMIT\b", f"rev: {commit}", config)
    work, home = tmp_path / "project", tmp_path / "pre-commit-home"
    work.mkdir()
    (work / ".pre-commit-config.yaml").write_text(config)
    (work / "gateway.yml").write_text(MINIMAL)
    assert gwc("build", "gateway.yml", "--target", "all", "--out", "generated", cwd=work).returncode == 0
    git(work, "init", "-q")
    git(work, "add", "-A")

    ok = _pre_commit(work, home, "run", "--all-files")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"gatewayc validate\.+Passed", ok.stdout) and re.search(r"gatewayc build --check\.+Passed",
                                                                           ok.stdout), ok.stdout
    git(work, "commit", "-q", "-m", "base")

    # a generated file edited by hand, staged alone: the build check runs and fails
    conf = work / "generated" / "nginx" / "nginx.conf"
    conf.write_text(conf.read_text() + "# edited by hand\n")
    git(work, "add", str(conf))
    edited = _pre_commit(work, home, "run")
    assert edited.returncode != 0
    assert re.search(r"gatewayc build --check\.+Failed", edited.stdout), edited.stdout
    assert "-# edited by hand" in edited.stdout
    git(work, "checkout", "-q", "HEAD", "--", "generated")

    # a broken spec: validate names the position
    (work / "gateway.yml").write_text(INVALID)
    git(work, "add", "gateway.yml")
    broken = _pre_commit(work, home, "run")
    assert broken.returncode != 0
    assert re.search(r"gatewayc validate\.+Failed", broken.stdout)
    assert "gateway.yml:8:" in broken.stdout and "error[GWC101]" in broken.stdout, broken.stdout
