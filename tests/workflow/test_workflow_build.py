"""`gatewayc build` as a CI step relies on it: atomic replacement, --check, --target all."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path


from gatewayc import backends
from gatewayc.output.atomic import MANIFEST

from wfhelpers import INVALID, MINIMAL, TWO_ROUTES, cli_env, gwc, tree

TARGET = "nginx"


def _built(tmp_path: Path, text: str, out: Path, target: str = TARGET, name: str = "gateway.yml"):
    spec = tmp_path / name
    spec.write_text(text)
    r = gwc("build", str(spec), "--target", target, "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    return spec


# --- atomic replacement ---------------------------------------------------------------
def test_build_writes_manifest_listing_every_file(tmp_path):
    out = tmp_path / "out"
    _built(tmp_path, MINIMAL, out)
    files = tree(out)
    assert MANIFEST in files
    listed = files[MANIFEST].decode().splitlines()
    assert listed == sorted(p for p in files if p != MANIFEST)


def test_rebuild_replaces_output_and_removes_files_of_removed_objects(tmp_path):
    out = tmp_path / "out"
    _built(tmp_path, MINIMAL, out, target="all")
    before = tree(out)
    assert any(p.startswith(f"{TARGET}/") for p in before)
    others = [p for p in before if p != MANIFEST and not p.startswith(f"{TARGET}/")]
    assert others, "--target all should write more than one target"
    (out / "stray.txt").write_text("left by hand")  # not in the manifest either
    _built(tmp_path, TWO_ROUTES, out, target=TARGET)
    after = tree(out)
    assert all(p == MANIFEST or p.startswith(f"{TARGET}/") is False for p in after)
    assert not set(others) & set(after), "files of the target no longer built must be gone"
    assert "stray.txt" not in after
    # exactly what an in-memory build produces, nothing else
    from gatewayc.build import build
    from gatewayc.output.atomic import with_manifest

    source = os.path.relpath(tmp_path / "gateway.yml", out).replace(os.sep, "/")
    expected = with_manifest(build(str(tmp_path / "gateway.yml"), [TARGET], source=source).files)
    assert after == expected
    assert b"orders" in b"".join(after.values())


def test_no_temporary_directories_are_left_behind(tmp_path):
    out = tmp_path / "out"
    _built(tmp_path, MINIMAL, out)
    _built(tmp_path, TWO_ROUTES, out)
    assert sorted(os.listdir(tmp_path)) == ["gateway.yml", "out"]


def test_failed_build_leaves_old_output_untouched(tmp_path):
    out = tmp_path / "out"
    spec = _built(tmp_path, MINIMAL, out)
    before = tree(out)
    stat_before = {p: os.stat(out / p).st_mtime_ns for p in before}
    spec.write_text(INVALID)
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(out))
    assert r.returncode == 1
    assert "nothing written" in r.stderr and r.stdout == ""
    assert tree(out) == before
    assert {p: os.stat(out / p).st_mtime_ns for p in before} == stat_before


def test_failed_first_build_creates_nothing(tmp_path, spec_file):
    spec = spec_file(INVALID)
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(tmp_path / "out"))
    assert r.returncode == 1
    assert not (tmp_path / "out").exists()


def test_refuses_to_replace_a_directory_gatewayc_did_not_write(tmp_path, spec_file):
    spec = spec_file(MINIMAL)
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(out))
    assert r.returncode == 1
    assert "GWC306" in r.stdout + r.stderr
    assert "refusing" in r.stdout + r.stderr
    assert tree(out) == {"notes.txt": b"mine"}


def test_refusal_in_github_format(tmp_path, spec_file):
    spec = spec_file(MINIMAL)
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(out), "--format", "github")
    assert r.returncode == 1
    assert r.stdout.startswith("::error ") and "GWC306" in r.stdout


def test_empty_existing_directory_is_fine(tmp_path, spec_file):
    spec = spec_file(MINIMAL)
    out = tmp_path / "out"
    out.mkdir()
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert MANIFEST in tree(out)


# --- SIGKILL in the middle of writing ----------------------------------------------------
# The wrapper makes gatewayc.output.atomic write slowly: after the first file of the new
# tree it drops a marker and sleeps, so the test can SIGKILL it at a known point. `open`
# is shadowed in the module's globals only; nothing else changes.
SLOW_WRITER = textwrap.dedent("""\
    import builtins, os, sys, time
    import gatewayc.output.atomic as atomic

    marker = os.environ["GWC_TEST_MARKER"]
    count = {"n": 0}

    def slow_open(path, mode="r", *args, **kwargs):
        if "w" in mode:
            count["n"] += 1
            if count["n"] == 2:
                with builtins.open(marker, "w") as fh:
                    fh.write(str(path))
                time.sleep(60)
        return builtins.open(path, mode, *args, **kwargs)

    atomic.open = slow_open
    from gatewayc.cli.app import main
    sys.argv = ["gatewayc", *sys.argv[1:]]
    main()
    """)


def test_sigkill_during_build_leaves_previous_output(tmp_path):
    out = tmp_path / "out"
    spec = _built(tmp_path, MINIMAL, out, target="all")
    before = tree(out)
    spec.write_text(TWO_ROUTES)
    wrapper = tmp_path / "slow_gatewayc.py"
    wrapper.write_text(SLOW_WRITER)
    marker = tmp_path / "writing"
    proc = subprocess.Popen([sys.executable, str(wrapper), "build", str(spec), "--target", "all",
                             "--out", str(out)], env=cli_env(GWC_TEST_MARKER=str(marker)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the build never started writing"
            time.sleep(0.02)
        being_written = marker.read_text()
        assert not being_written.startswith(str(out) + os.sep), "must write into a temporary directory"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert tree(out) == before, "a killed build must leave the previous output as it was"
    # the next build cleans up the half-written temporary tree and succeeds
    r = gwc("build", str(spec), "--target", "all", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(os.listdir(tmp_path)) == sorted(["gateway.yml", "out", "slow_gatewayc.py", "writing"])
    assert tree(out) != before


# --- --check ---------------------------------------------------------------------------
def test_check_up_to_date_exits_0_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    spec = _built(tmp_path, MINIMAL, out)
    before = {p: os.stat(out / p).st_mtime_ns for p in tree(out)}
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(out), "--check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "up to date" in r.stderr and r.stdout == ""
    assert {p: os.stat(out / p).st_mtime_ns for p in tree(out)} == before


def test_check_stale_output_exits_2_with_a_unified_diff(tmp_path):
    out = tmp_path / "out"
    spec = _built(tmp_path, MINIMAL, out)
    before = tree(out)
    spec.write_text(TWO_ROUTES)
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(out), "--check")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "--- " in r.stdout and "+++ " in r.stdout and "@@ " in r.stdout
    assert any(line.startswith("+") and "orders" in line for line in r.stdout.splitlines())
    assert "not up to date" in r.stderr and "not up to date" not in r.stdout
    assert tree(out) == before, "--check writes nothing"


def test_check_hand_edited_output_exits_2(tmp_path):
    out = tmp_path / "out"
    spec = _built(tmp_path, MINIMAL, out)
    victim = sorted(p for p in tree(out) if p != MANIFEST)[0]
    (out / victim).write_bytes((out / victim).read_bytes() + b"# edited by hand\n")
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(out), "--check")
    assert r.returncode == 2
    assert "-# edited by hand" in r.stdout


def test_check_missing_output_exits_2(tmp_path, spec_file):
    spec = spec_file(MINIMAL)
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(tmp_path / "out"), "--check")
    assert r.returncode == 2
    assert "/dev/null" in r.stdout
    assert not (tmp_path / "out").exists()


def test_check_invalid_spec_exits_1(tmp_path):
    out = tmp_path / "out"
    spec = _built(tmp_path, MINIMAL, out)
    spec.write_text(INVALID)
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(out), "--check")
    assert r.returncode == 1
    assert "error[" in r.stderr and r.stdout == ""


def test_check_in_github_format(tmp_path):
    out = tmp_path / "out"
    spec = _built(tmp_path, MINIMAL, out)
    spec.write_text(INVALID)
    r = gwc("build", str(spec), "--target", TARGET, "--out", str(out), "--check", "--format", "github")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines and all(line.startswith("::") for line in lines), r.stdout
    assert any(line.startswith("::error file=") and ",line=" in line for line in lines)


# --- --target all -------------------------------------------------------------------------
def test_target_all_writes_one_directory_per_target(tmp_path):
    out = tmp_path / "out"
    _built(tmp_path, MINIMAL, out, target="all")
    files = tree(out)
    tops = {p.split("/", 1)[0] for p in files if p != MANIFEST}
    assert tops == set(backends.names())
    assert all("/" in p for p in files if p != MANIFEST)
    r = gwc("build", str(tmp_path / "gateway.yml"), "--target", "all", "--out", str(out), "--check")
    assert r.returncode == 0, r.stdout


def test_validate_github_format(tmp_path, spec_file):
    spec = spec_file(INVALID)
    r = gwc("validate", str(spec), "--format", "github")
    assert r.returncode == 1
    assert r.stdout.startswith("::error file=")
    ok = spec_file(MINIMAL, "ok.yml")
    r = gwc("validate", str(ok), "--format", "github")
    assert r.returncode == 0
    assert "::error" not in r.stdout
