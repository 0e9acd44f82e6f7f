"""The CI integrations (pre-commit hooks, the GitHub Action) call gatewayc correctly."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from wfhelpers import INVALID, MINIMAL, REPO, TWO_ROUTES, cli_env, gwc

yaml = YAML(typ="safe")


def _load(name: str):
    return yaml.load((REPO / name).read_text())


def test_pre_commit_hooks():
    hooks = {h["id"]: h for h in _load(".pre-commit-hooks.yaml")}
    assert set(hooks) == {"gatewayc-validate", "gatewayc-build-check"}
    for h in hooks.values():
        assert h["language"] == "python"
        assert h["entry"].startswith("gatewayc ")
    assert hooks["gatewayc-build-check"]["pass_filenames"] is False
    assert "--check" in hooks["gatewayc-build-check"]["entry"]
    import re

    pattern = re.compile(hooks["gatewayc-validate"]["files"])
    for name in ("gateway.yml", "deploy/gateway.yaml", "gatewayc.prod.yml"):
        assert pattern.search(name), name
    for name in ("docker-compose.yml", ".github/workflows/ci.yml", "gateway.json"):
        assert not pattern.search(name), name


def _hook_cmd(hook_id: str) -> list[str]:
    hook = {h["id"]: h for h in _load(".pre-commit-hooks.yaml")}[hook_id]
    words = hook["entry"].split()
    assert words[0] == "gatewayc"
    return words[1:]


def test_validate_hook_entry_runs(tmp_path):
    good, bad = tmp_path / "gateway.yml", tmp_path / "bad" / "gateway.yml"
    bad.parent.mkdir()
    good.write_text(MINIMAL)
    bad.write_text(INVALID)
    assert gwc(*_hook_cmd("gatewayc-validate"), str(good)).returncode == 0
    r = gwc(*_hook_cmd("gatewayc-validate"), str(good), str(bad))
    assert r.returncode == 1 and "error[" in r.stderr


def test_build_check_hook_entry_runs(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text(MINIMAL)
    args = [str(spec), "--target", "all", "--out", str(tmp_path / "generated")]
    assert gwc("build", *args).returncode == 0
    assert gwc(*_hook_cmd("gatewayc-build-check"), *args).returncode == 0
    spec.write_text(TWO_ROUTES)
    assert gwc(*_hook_cmd("gatewayc-build-check"), *args).returncode == 2


def test_action_is_a_composite_action_with_the_documented_inputs():
    action = _load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"spec", "targets", "out", "python-version"} <= set(action["inputs"])
    runs = " ".join(s.get("run", "") for s in action["runs"]["steps"])
    assert "pip install" in runs
    assert "gatewayc validate --format github" in runs
    assert "--check --format github" in runs
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            # inputs reach scripts through env only (no ${{ }} inside run: no injection)
            assert "${{" not in step["run"], step["name"]


@pytest.fixture
def shim(tmp_path):
    """A `gatewayc` executable on PATH that runs this checkout."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    exe = bindir / "gatewayc"
    exe.write_text(f"#!/bin/sh\nexec {sys.executable} -m gatewayc \"$@\"\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return bindir


def _step(name_part: str) -> str:
    for step in _load("action.yml")["runs"]["steps"]:
        if name_part in step.get("name", ""):
            return step["run"]
    raise AssertionError(name_part)


def _run_step(script: str, cwd: Path, shim: Path, **env: str) -> subprocess.CompletedProcess:
    e = cli_env(PATH=f"{shim}{os.pathsep}{os.environ['PATH']}", **env)
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=e,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("targets", ["all", "nginx", "nginx,kong"])
def test_action_check_step(tmp_path, shim, targets):
    (tmp_path / "gateway.yml").write_text(MINIMAL)
    names = ["all"] if targets == "all" else targets.split(",")
    for t in names:
        out = "generated" if t == "all" else f"generated/{t}"
        assert gwc("build", "gateway.yml", "--target", t, "--out", out, cwd=tmp_path).returncode == 0
    script = _step("build --check")
    env = dict(GWC_SPEC="gateway.yml", GWC_TARGETS=targets, GWC_OUT="generated")
    r = _run_step(script, tmp_path, shim, **env)
    assert r.returncode == 0, r.stdout + r.stderr
    (tmp_path / "gateway.yml").write_text(TWO_ROUTES)
    r = _run_step(script, tmp_path, shim, **env)
    assert r.returncode == 2
    assert "::error title=gatewayc::the generated configuration in generated is not up to date" in r.stdout
    (tmp_path / "gateway.yml").write_text(INVALID)
    r = _run_step(script, tmp_path, shim, **env)
    assert r.returncode == 1
    assert "::error file=gateway.yml,line=" in r.stdout


def test_action_validate_step(tmp_path, shim):
    (tmp_path / "gateway.yml").write_text(INVALID)
    r = _run_step(_step("validate"), tmp_path, shim, GWC_SPEC="gateway.yml")
    assert r.returncode == 1
    assert r.stdout.startswith("::error file=gateway.yml,line=")


def test_action_diff_step(tmp_path, shim):
    git_env = dict(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
                   GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    run = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, env={**os.environ, **git_env}, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout.strip()
    run("init", "-q")
    (tmp_path / "gateway.yml").write_text(MINIMAL)
    run("add", "gateway.yml")
    run("commit", "-q", "-m", "base")
    base = run("rev-parse", "HEAD")
    (tmp_path / "gateway.yml").write_text(TWO_ROUTES)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    r = _run_step(_step("gatewayc diff"), tmp_path, shim, GWC_SPEC="gateway.yml", GWC_TARGETS="all",
                  GWC_BASE=base, GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(output))
    assert r.returncode == 0, r.stdout + r.stderr
    md = summary.read_text()
    assert md.startswith("## gatewayc diff: git:")
    assert "route orders added: /orders -&gt; service users (no auth)" in md  # spec text, HTML-escaped
    assert "```diff" in md
    assert output.read_text() == "changed=true\n"
    assert "::warning " in r.stdout  # the unauthenticated route, annotated
    assert not (tmp_path / "gatewayc-diff.md").exists()
