"""Inputs that used to end in an internal error (exit 3): each is a diagnostic and exit 1, or
just works. Whole CLI runs, snapshotted."""
from __future__ import annotations

import os

from wfhelpers import MINIMAL, TWO_ROUTES, git


def test_nul_in_an_include_path(cli, tmp_path, run_snapshot):
    (tmp_path / "gateway.yml").write_text('version: 1\ninclude: ["a\\0b.yml"]\n')
    run = cli(["validate", "gateway.yml"], cwd=tmp_path)
    assert run[0] == 1 and "error[GWC103]" in run[2] and "GWC900" not in run[2]
    assert run_snapshot == run


def test_a_5000_digit_integer(cli, tmp_path, run_snapshot):
    (tmp_path / "gateway.yml").write_text(MINIMAL.replace("port: 8080", "port: " + "9" * 5000))
    run = cli(["validate", "gateway.yml"], cwd=tmp_path)
    assert run[0] == 1 and "error[GWC103]: a number of 5000 characters" in run[2]
    assert "9" * 200 not in run[2]  # the snippet is cut, the message does not repeat the number
    assert run_snapshot == run


def test_an_absolute_symlink_in_the_repository(cli, tmp_path, run_snapshot):
    (tmp_path / "gateway.yml").write_text(MINIMAL)
    os.symlink("/etc/hostname", tmp_path / "host")
    os.symlink("../../../outside", tmp_path / "up")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    (tmp_path / "gateway.yml").write_text(TWO_ROUTES)
    run = cli(["diff", "git:HEAD:gateway.yml", "gateway.yml"], cwd=tmp_path)
    assert run[0] == 2, run
    assert "route orders added" in run[1]
    assert run_snapshot == run


def test_out_that_is_a_symlink_updates_the_directory_it_points_to(cli, tmp_path):
    (tmp_path / "gateway.yml").write_text(MINIMAL)
    (tmp_path / "releases" / "7").mkdir(parents=True)
    os.symlink("releases/7", tmp_path / "current")
    args = ["build", "gateway.yml", "--target", "nginx", "--out", "current"]
    assert cli(args, cwd=tmp_path)[0] == 0
    assert os.readlink(tmp_path / "current") == "releases/7"
    assert (tmp_path / "releases" / "7" / "nginx.conf").is_file()
    assert cli([*args, "--check"], cwd=tmp_path)[0] == 0
    (tmp_path / "gateway.yml").write_text(TWO_ROUTES)
    assert cli([*args, "--check"], cwd=tmp_path)[0] == 2
    assert cli(args, cwd=tmp_path)[0] == 0  # a rebuild swaps the target, never the link
    assert os.readlink(tmp_path / "current") == "releases/7"
    assert b"orders" in (tmp_path / "releases" / "7" / "nginx.conf").read_bytes()
    assert cli([*args, "--check"], cwd=tmp_path)[0] == 0
