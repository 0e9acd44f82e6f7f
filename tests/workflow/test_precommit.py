"""docs/ci.md works copy-pasted: its snippets, as written, in a scratch project that keeps a
copy of this checkout as the submodule tools/gatewayc. The install commands run (into a
fresh virtual environment), the real pre-commit (from PyPI, the test extra) runs the
documented config, and the CI scripts run their gatewayc lines. The one value a user fills
in, GATEWAYC_GIT (where they clone gatewayc from), is the local copy."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from wfhelpers import INVALID, MINIMAL, REPO, TWO_ROUTES, git

# what `pip install` of gatewayc needs (see pyproject.toml), and the action
PACKAGED = ("gatewayc", "backends", "pyproject.toml", "setup.py", "README.md", ".pre-commit-hooks.yaml", "action.yml")
DOC = (REPO / "docs" / "ci.md").read_text()
yaml = YAML(typ="safe")


def _block(heading: str, lang: str, nth: int = 0) -> str:
    section = DOC.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{lang}\n(.*?)```", section, re.S)[nth]


def _commands(block: str) -> list[str]:
    """Shell lines of a snippet, comments stripped."""
    return [re.sub(r"\s+#.*$", "", ln).strip() for ln in block.splitlines() if ln.strip()]


def test_no_placeholder_is_left_to_guess():
    """Every ref a snippet names exists: no tag, no OWNER/COMMIT to fill in."""
    for text in (DOC, (REPO / "action.yml").read_text()):
        assert not re.search(r"\bOWNER\b|@COMMIT(?![-\w])|rev: COMMIT\b", text)


def test_the_documented_hooks_are_the_repositorys_hooks():
    ours = {h["id"]: h for h in yaml.load((REPO / ".pre-commit-hooks.yaml").read_text())}
    (repo,) = yaml.load(_block("pre-commit", "yaml"))["repos"]
    assert repo["repo"] == "local"
    documented = {h["id"]: h for h in repo["hooks"]}
    assert set(documented) == set(ours)
    for hid, hook in documented.items():
        assert hook.pop("language") == "system" and ours[hid].pop("language") == "python"
        hook.pop("args", None)
        ours[hid].pop("description")
        assert hook == ours[hid], hid


@pytest.fixture(scope="module")
def gatewayc_repo(tmp_path_factory) -> Path:
    """This checkout's packaged files, committed in a repository of their own."""
    repo = tmp_path_factory.mktemp("gatewayc")
    for name in PACKAGED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            shutil.copy(src, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "gatewayc")
    return repo


def _env(bindir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAYC_", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update(PATH=f"{bindir}{os.pathsep}{env['PATH']}", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
               NO_COLOR="1", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com",
               # a submodule from a local path: git allows the file protocol only when asked
               GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="protocol.file.allow", GIT_CONFIG_VALUE_0="always")
    env.update(extra)
    return env


def _sh(line: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", line], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)


@pytest.fixture(scope="module")
def project(tmp_path_factory, gatewayc_repo) -> tuple[Path, Path]:
    """A project set up as docs/ci.md says: the install snippet run as written, in a fresh
    virtual environment (its bin directory first on PATH, as when it is activated)."""
    base = tmp_path_factory.mktemp("project")
    work, env_dir = base / "work", base / "venv"
    work.mkdir()
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / "bin"
    env = _env(bindir, GATEWAYC_GIT=str(gatewayc_repo))
    git(work, "init", "-q")
    commands = _commands(_block("Installing gatewayc", "sh"))
    assert [c.split()[0] for c in commands] == ["git", "pip", "pipx"]
    assert commands[2].split()[-1] == commands[1].split()[-1]  # pipx: the same checkout, as a tool
    for line in commands[:2]:
        done = _sh(line, work, env)
        assert done.returncode == 0, (line, done.stdout + done.stderr)
    assert (bindir / "gatewayc").is_file()
    (work / "gateway.yml").write_text(MINIMAL)
    return work, bindir


def _pre_commit(cwd: Path, bindir: Path, *args: str) -> subprocess.CompletedProcess:
    env = _env(bindir, PRE_COMMIT_HOME=str(cwd.parent / "pre-commit-home"))
    return subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def test_documented_hooks_run_for_real(project):
    work, bindir = project
    (work / ".pre-commit-config.yaml").write_text(_block("pre-commit", "yaml"))
    assert _sh("gatewayc build gateway.yml --target all --out generated", work, _env(bindir)).returncode == 0
    git(work, "add", "-A")

    ok = _pre_commit(work, bindir, "run", "--all-files")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"gatewayc validate\.+Passed", ok.stdout) and re.search(r"gatewayc build --check\.+Passed",
                                                                           ok.stdout), ok.stdout
    git(work, "commit", "-q", "-m", "base")

    # a generated file edited by hand, staged alone: the build check runs and fails
    conf = work / "generated" / "nginx" / "nginx.conf"
    conf.write_text(conf.read_text() + "# edited by hand\n")
    git(work, "add", str(conf))
    edited = _pre_commit(work, bindir, "run")
    assert edited.returncode != 0
    assert re.search(r"gatewayc build --check\.+Failed", edited.stdout), edited.stdout
    assert "-# edited by hand" in edited.stdout
    git(work, "checkout", "-q", "HEAD", "--", "generated")

    # a broken spec: validate names the position
    (work / "gateway.yml").write_text(INVALID)
    git(work, "add", "gateway.yml")
    broken = _pre_commit(work, bindir, "run")
    assert broken.returncode != 0
    assert re.search(r"gatewayc validate\.+Failed", broken.stdout)
    assert "gateway.yml:8:" in broken.stdout and "error[GWC101]" in broken.stdout, broken.stdout
    git(work, "checkout", "-q", "HEAD", "--", "gateway.yml")


def test_github_workflow_uses_the_action_of_the_submodule(project):
    work, _ = project
    steps = yaml.load(_block("GitHub Actions", "yaml"))["jobs"]["check"]["steps"]
    checkout, action = steps
    assert checkout["with"]["submodules"] is True and checkout["with"]["fetch-depth"] == 0
    path = work / action["uses"]
    inputs = yaml.load((path / "action.yml").read_text())["inputs"]
    assert set(action["with"]) <= set(inputs)
    # the action installs the checkout it runs from: the same gatewayc as the install snippet
    assert os.path.samefile(path, work / _commands(_block("Installing gatewayc", "sh"))[1].split()[-1])


def test_github_steps_without_the_action_run(project):
    work, bindir = project
    steps = yaml.load(_block("GitHub Actions", "yaml", 1))
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[0] == _commands(_block("Installing gatewayc", "sh"))[1]  # installed by the fixture
    _build_and_run(work, bindir, runs[1:])


def test_gitlab_script_runs(project):
    work, bindir = project
    job = yaml.load(_block("GitLab CI", "yaml"))["gateway"]
    assert job["variables"]["GIT_SUBMODULE_STRATEGY"] == "recursive"
    assert _commands(_block("Installing gatewayc", "sh"))[1] in job["before_script"]
    git(work, "add", "-A")
    git(work, "commit", "-q", "--allow-empty", "-m", "base")
    base = git(work, "rev-parse", "HEAD")
    script = job["script"]
    _build_and_run(work, bindir, script)
    (work / "gateway.yml").write_text(TWO_ROUTES)
    _sh("gatewayc build gateway.yml --target all --out generated", work, _env(bindir))
    done = _sh(script[2], work, _env(bindir, CI_MERGE_REQUEST_DIFF_BASE_SHA=base))
    assert done.returncode == 0, done.stderr
    assert "orders" in (work / "gatewayc-diff.md").read_text()
    (work / "gateway.yml").write_text(MINIMAL)


def _build_and_run(work: Path, bindir: Path, lines: list[str]) -> None:
    env = _env(bindir)
    assert _sh("gatewayc build gateway.yml --target all --out generated", work, env).returncode == 0
    for line in lines:
        done = _sh(line, work, env)
        assert done.returncode == 0, (line, done.stdout + done.stderr)
    (work / "gateway.yml").write_text(TWO_ROUTES)
    assert _sh(next(ln for ln in lines if "--check" in ln), work, env).returncode == 2
    (work / "gateway.yml").write_text(MINIMAL)
