"""Whole `gatewayc build` runs refused by a target (tests/cli/build_cases/<code>-<name>.yml):
exit 1, the diagnostic with its position and a snippet, nothing written. Each run is
snapshotted like the validation cases in tests/spec, and its primary diagnostic's code and
position are asserted here from `--format json`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "build_cases"
# (case file, target, code, line, column)
PRIMARY = [
    ("GWC350-nginx-argument-too-long.yml", "nginx", "GWC350", 11, 19),
    ("GWC350-nginx-body-of-many-values.yml", "nginx", "GWC350", 10, 13),
    ("GWC310-nginx-server-header.yml", "nginx", "GWC310", 13, 13),  # nginx always sends its own Server
    ("GWC310-nginx-breaker-statuses.yml", "nginx", "GWC310", 6, 5),  # 500 has no retry: nginx never counts it
]


def test_every_case_file_is_in_the_table():
    assert sorted(p.name for p in CASES.glob("*.yml")) == sorted(row[0] for row in PRIMARY)


@pytest.mark.parametrize("case, target", [r[:2] for r in PRIMARY], ids=[r[0] for r in PRIMARY])
def test_cli_run_snapshot(case, target, cli, run_snapshot, tmp_path):
    code, out, err = cli(["build", case, "--target", target, "--out", str(tmp_path / "out")], cwd=CASES)
    assert "Traceback" not in err
    assert code == 1 and out == "" and err.endswith("; nothing written\n")
    assert not (tmp_path / "out").exists()
    assert run_snapshot == (code, out, err)


@pytest.mark.parametrize("case, target, code, line, col", PRIMARY, ids=[r[0] for r in PRIMARY])
def test_primary_diagnostic_position(case, target, code, line, col, cli, tmp_path):
    exit_code, out, _ = cli(["build", case, "--target", target, "--out", str(tmp_path / "out"), "--format", "json"],
                            cwd=CASES)
    errors = [d for d in json.loads(out)["diagnostics"] if d["severity"] == "error"]
    assert exit_code == 1
    assert [(d["code"], d["file"], d["line"], d["column"]) for d in errors] == [(code, case, line, col)]
