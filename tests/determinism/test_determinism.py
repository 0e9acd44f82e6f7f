"""Builds are reproducible: the same spec gives byte-identical output whatever the hash
seed, working directory, locale, time zone or the spec's absolute location.

Every example (examples/*/gateway.yml, globbed when the tests are collected) is built for
every registered target in subprocesses, as `python -m gatewayc build`, the way CI runs it.
A target that refuses an example (capability errors) must refuse it the same way every time:
then its diagnostics (JSON) are compared instead.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gatewayc import _version
from gatewayc import backends
from gatewayc.output.atomic import MANIFEST, read_tree

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*/gateway.yml"))
# specs of this directory build on every target (what a target cannot express is accepted in
# the spec), so that every backend's real output is compared, not only its refusals
OWN = sorted((Path(__file__).parent / "specs").glob("*.yml"))
CORPUS = EXAMPLES + OWN
TARGETS = backends.names()
VERSION = _version.__version__

# (PYTHONHASHSEED, LC_ALL, TZ): different enough that any dependence shows.
ENVIRONMENTS = [
    ("0", "C", "UTC"),
    ("1", "C.UTF-8", "America/New_York"),
    ("12345", "POSIX", "Asia/Kolkata"),
    (str(random.SystemRandom().randrange(1, 2**32 - 1)), "C.UTF-8", "Pacific/Chatham"),
    ("random", "C", "Australia/Lord_Howe"),
]


def _env(seed: str, lc_all: str, tz: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAYC_", "LC_", "LANG"))}
    env.update(PYTHONHASHSEED=seed, LC_ALL=lc_all, LANG=lc_all, TZ=tz,
               PYTHONPATH=str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""))
    return env


def _build(spec: str, target: str, out: Path, cwd: Path, env: dict) -> tuple[int, str, dict[str, bytes]]:
    r = subprocess.run([sys.executable, "-m", "gatewayc", "build", spec, "--target", target, "--out", str(out),
                        "--format", "json"], cwd=cwd, env=env, capture_output=True, timeout=300)
    assert r.returncode in (0, 1), r.stderr.decode(errors="replace")
    files = read_tree(str(out)) if out.is_dir() else {}
    return r.returncode, r.stdout.decode("utf-8"), files


def _diff(a: bytes, b: bytes) -> str:
    import difflib

    lines = difflib.unified_diff(a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines(),
                                 "first", "this", lineterm="", n=1)
    return "\n".join(list(lines)[:40])


def _normalise_report(stdout: str, cwd: Path) -> str:
    """Diagnostics name files as the user gave them; make them comparable across cwds."""
    report = json.loads(stdout)
    for d in report["diagnostics"]:
        if d.get("file"):
            d["file"] = os.path.normpath(os.path.join(cwd, d["file"]))
        for r in d.get("related", []):
            if r.get("file"):
                r["file"] = os.path.normpath(os.path.join(cwd, r["file"]))
    return json.dumps(report, indent=2, sort_keys=True)


def _id(p: Path) -> str:
    return p.parent.name if p.name == "gateway.yml" else p.stem


def test_there_is_something_to_check():
    assert TARGETS, "no registered targets"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("example", CORPUS, ids=_id)
def test_build_is_byte_identical_across_environments(example: Path, target: str, tmp_path: Path):
    results = []
    for i, (seed, lc_all, tz) in enumerate(ENVIRONMENTS):
        # a different working directory each time; the out dirs sit at the same depth so the
        # relative spec path written into headers is the same
        # relative path written into headers is the same. The spec is named relative to the
        # working directory, as a user would type it, so that string differs every time.
        cwd = tmp_path / f"cwd{i}" / ("deep/" * i)
        cwd.mkdir(parents=True)
        out = tmp_path / f"run{i}" / "out"
        spec = os.path.relpath(example, cwd)
        code, stdout, files = _build(spec, target, out, cwd, _env(seed, lc_all, tz))
        results.append((code, _normalise_report(stdout, cwd) if code else stdout, files))
    codes = {code for code, _, _ in results}
    assert len(codes) == 1, f"exit codes differ between environments: {[c for c, _, _ in results]}"
    code, first_stdout, first_files = results[0]
    if example in OWN:
        assert code == 0, f"{example.name} must build on {target}:\n{first_stdout}"
    for i, (_, stdout, files) in enumerate(results[1:], 1):
        if code == 0:
            assert sorted(files) == sorted(first_files), f"environment {ENVIRONMENTS[i]}: different files"
            for path in first_files:
                assert files[path] == first_files[path], \
                    f"environment {ENVIRONMENTS[i]}: {path} differs:\n" + _diff(first_files[path], files[path])
        else:
            assert stdout == first_stdout, f"environment {ENVIRONMENTS[i]}: diagnostics differ"
    if code == 0:
        assert first_files, "a successful build wrote nothing"
        _check_contents(first_files, example, tmp_path / "run0" / "out")
    else:
        report = json.loads(first_stdout)
        assert any(d["severity"] == "error" for d in report["diagnostics"]), "exit 1 without an error"
        assert not any((tmp_path / f"run{i}" / "out").exists() for i in range(len(ENVIRONMENTS)))


_TODAY = dt.date.today()
_DATE_PATTERNS = [
    re.compile(p) for p in {
        re.escape(_TODAY.isoformat()),
        re.escape(_TODAY.strftime("%Y/%m/%d")),
        re.escape(_TODAY.strftime("%d/%m/%Y")),
        re.escape(_TODAY.strftime("%m/%d/%Y")),
        re.escape(_TODAY.strftime("%Y%m%d")) + r"(?!\d)",
        rf"\b{_TODAY.day} {_TODAY.strftime('%b')}\w* {_TODAY.year}\b",
        rf"\b{_TODAY.strftime('%b')}\w* {_TODAY.day},? {_TODAY.year}\b",
        r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?",  # any ISO timestamp
    }
]
# Every file that can hold a comment takes the header; JSON cannot.
_COMMENT_FORMATS = (".conf", ".yml", ".yaml", ".toml", ".js")


def _check_contents(files: dict[str, bytes], example: Path, out: Path) -> None:
    source = os.path.relpath(example, out).replace(os.sep, "/")
    for path, data in files.items():
        assert b"\r" not in data, f"{path}: CR line endings"
        assert data.endswith(b"\n"), f"{path}: no trailing newline"
        text = data.decode("utf-8")
        for pat in _DATE_PATTERNS:
            m = pat.search(text)
            assert m is None, f"{path}: looks like a date or time: {m.group()!r}"
        if path == MANIFEST:
            assert text.splitlines() == sorted(p for p in files if p != MANIFEST)
            continue
        if path.endswith(_COMMENT_FORMATS):
            head = "\n".join(text.splitlines()[:3])
            assert f"gatewayc {VERSION}" in head, f"{path}: header does not name the gatewayc version"
            assert source in head, f"{path}: header does not name the spec as {source!r}"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("example", CORPUS, ids=_id)
def test_output_does_not_depend_on_where_the_spec_lives(example: Path, target: str, tmp_path: Path):
    """The same project copied to two places (as two CI checkouts would be) builds the same."""
    runs = []
    top = example.relative_to(REPO).parts[0]  # examples/ or tests/
    for place in (tmp_path / "a", tmp_path / "b" / "much" / "deeper" / "checkout"):
        src = REPO / "examples" if top == "examples" else example.parent
        shutil.copytree(src, place / src.relative_to(REPO))
        rel = example.relative_to(REPO).as_posix()
        out = place / "generated"
        code, stdout, files = _build(rel, target, Path("generated"), place, _env("0", "C.UTF-8", "UTC"))
        runs.append((code, stdout, files if code == 0 else {}))
        if code == 0:
            text = b"".join(files.values()).decode("utf-8")
            assert str(place) not in text, "an absolute path leaked into the output"
            assert str(REPO) not in text, "an absolute path leaked into the output"
        assert out.is_dir() == (code == 0)
    assert runs[0] == runs[1]


@pytest.mark.parametrize("example", CORPUS[:1] + OWN, ids=_id)
def test_target_all_is_deterministic_too(example: Path, tmp_path: Path):
    src = REPO / "examples" if example in EXAMPLES else example.parent
    shutil.copytree(src, tmp_path / src.relative_to(REPO))
    results = []
    for i, (seed, lc_all, tz) in enumerate(ENVIRONMENTS[:3]):
        results.append(_build(str(tmp_path / example.relative_to(REPO)), "all", tmp_path / f"r{i}" / "out",
                              tmp_path, _env(seed, lc_all, tz)))
    assert results[0] == results[1] == results[2]
