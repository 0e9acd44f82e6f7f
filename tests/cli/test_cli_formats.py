"""Output formats (text / json / github) and exit codes of `gatewayc validate`."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gatewayc.cli.app import app

CASES = Path(__file__).resolve().parent.parent / "spec" / "cases"


# --- json -------------------------------------------------------------------------
def test_json_shape_for_an_invalid_spec(cli):
    code, out, err = cli(["validate", "--format", "json", "GWC201-duplicate-service-include.yml"], cwd=CASES)
    assert code == 1 and err == ""
    report = json.loads(out)
    assert set(report) == {"diagnostics", "valid"}
    assert report["valid"] is False
    (d,) = report["diagnostics"]
    assert d == {
        "code": "GWC201",
        "severity": "error",
        "message": "service 'users' is defined twice",
        "file": "parts/team-users.yml",
        "line": 3,
        "column": 3,
        "hint": d["hint"],
        "related": [{"file": "GWC201-duplicate-service-include.yml", "line": 5, "column": 3,
                     "message": "first defined here"}],
    }
    assert isinstance(d["hint"], str) and d["hint"]


def test_json_for_a_valid_spec(cli):
    code, out, err = cli(["validate", "-f", "json", "ok-minimal.yml"], cwd=CASES)
    assert (code, err) == (0, "")
    assert json.loads(out) == {"diagnostics": [], "valid": True}


def test_json_warning_only_is_valid(cli):
    code, out, _ = cli(["validate", "-f", "json", "GWC206-unused-service.yml"], cwd=CASES)
    report = json.loads(out)
    assert code == 0 and report["valid"] is True
    assert [(d["code"], d["severity"]) for d in report["diagnostics"]] == [("GWC206", "warning")]


def test_json_is_sorted_by_file_line_column(cli, tmp_path):
    (tmp_path / "s.yml").write_text(
        "version: 1\nservices:\n  a: {url: 'ftp://x'}\n  b: {url: 'http://x', retries: {attempts: 0}}\n"
        "  c: {url: 'gopher://x'}\n")
    code, out, _ = cli(["validate", "-f", "json", "s.yml"], cwd=tmp_path)
    diags = json.loads(out)["diagnostics"]
    assert code == 1
    # b survives its bad field (only `retries` is pruned), so it is also reported as unused
    assert [(d["line"], d["code"]) for d in diags] == [(3, "GWC106"), (4, "GWC206"), (4, "GWC103"), (5, "GWC106")]


# --- github -----------------------------------------------------------------------
def test_github_annotations(cli):
    code, out, err = cli(["validate", "--format", "github", "GWC100-unknown-field.yml"], cwd=CASES)
    assert (code, err) == (1, "")
    assert out == ("::error file=GWC100-unknown-field.yml,line=7,col=5,title=GWC100::"
                   "unknown field 'listners'%0Adid you mean 'listeners'?\n")


def test_github_warning_and_escaping(cli, tmp_path):
    # a warning becomes ::warning; ':' and ',' in properties and newlines in messages are escaped
    d = tmp_path / "a,b:c"
    d.mkdir()
    (d / "s.yml").write_text("version: 1\nservices:\n  billing: {url: 'http://x'}\n")
    code, out, _ = cli(["validate", "-f", "github", "a,b:c/s.yml"], cwd=tmp_path)
    assert code == 0
    assert out == ("::warning file=a%2Cb%3Ac/s.yml,line=3,col=3,title=GWC206::"
                   "service 'billing' is not used by any route\n")


def test_github_prints_nothing_for_a_clean_spec(cli):
    assert cli(["validate", "-f", "github", "ok-minimal.yml"], cwd=CASES) == (0, "", "")


# --- text ---------------------------------------------------------------------------
def test_text_snippet_with_caret_under_the_token(cli):
    code, out, err = cli(["validate", "GWC103-bad-enum.yml"], cwd=CASES)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "GWC103-bad-enum.yml:16:24: error[GWC103]: algorithm: the string 'token_buckt' is not allowed",
        "   |",
        "16 |             algorithm: token_buckt",
        "   |                        ^^^^^^^^^^^",
        "  = hint: did you mean 'token_bucket'?",
        "1 error",
    ]


def test_text_caret_column_matches_the_reported_column(cli):
    code, out, _ = cli(["validate", "GWC106-bad-url.yml"], cwd=CASES)
    lines = out.splitlines()
    col = int(re.match(r"[^:]+:\d+:(\d+):", lines[0]).group(1))
    source, caret = lines[2], lines[3]
    assert source.index("|") == caret.index("|")
    start = caret.index("^") - caret.index("|") - 1
    assert start == col
    assert source[caret.index("^"):].startswith("ftp://")


def test_text_valid_summary_and_quiet(cli):
    code, out, _ = cli(["validate", "ok-minimal.yml"], cwd=CASES)
    assert (code, out) == (0, "ok-minimal.yml: valid (1 gateways, 1 routes, 1 services)\n")
    assert cli(["validate", "-q", "ok-minimal.yml"], cwd=CASES) == (0, "", "")


def test_text_has_no_colour_codes_when_piped(cli):
    _, out, _ = cli(["validate", "GWC100-unknown-field.yml"], cwd=CASES)
    assert "\x1b[" not in out


def test_several_files_report_together(cli):
    code, out, _ = cli(["validate", "-f", "json", "ok-minimal.yml", "GWC104-bad-duration.yml"], cwd=CASES)
    report = json.loads(out)
    assert code == 1 and report["valid"] is False
    assert {d["file"] for d in report["diagnostics"]} == {"GWC104-bad-duration.yml"}


# --- exit codes ----------------------------------------------------------------------
def test_exit_0_valid(cli):
    assert cli(["validate", "ok-minimal.yml"], cwd=CASES)[0] == 0


def test_exit_1_invalid(cli):
    assert cli(["validate", "GWC101-wrong-type.yml"], cwd=CASES)[0] == 1


def test_exit_1_missing_spec_file(cli, tmp_path):
    code, out, err = cli(["validate", "-f", "json", "nope.yml"], cwd=tmp_path)
    assert code == 1 and "Traceback" not in err
    (d,) = json.loads(out)["diagnostics"]
    assert (d["code"], d["file"], d["line"], d["column"]) == ("GWC008", "nope.yml", 1, 1)


@pytest.mark.parametrize("args", [
    ["validate", "--no-such-option", "ok-minimal.yml"],
    ["validate"],  # missing FILE argument
    ["validate", "--format", "yaml", "ok-minimal.yml"],
    ["no-such-command"],
], ids=["unknown-option", "missing-file-argument", "bad-format", "unknown-command"])
def test_exit_2_usage_error(cli, args):
    code, out, err = cli(args, cwd=CASES)
    assert code == 2
    assert "Traceback" not in out + err
    assert "Usage:" in err or "Error" in err


def test_exit_3_internal_error_prints_gwc900_without_traceback(monkeypatch):
    import gatewayc.compiler

    def boom(path, *args):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(gatewayc.compiler, "compile_spec", boom)
    monkeypatch.chdir(CASES)
    monkeypatch.delenv("GATEWAYC_DEBUG", raising=False)
    result = CliRunner().invoke(app, ["validate", "ok-minimal.yml"])
    assert result.exit_code == 3
    assert "error[GWC900]" in result.stderr
    assert "RuntimeError: simulated bug" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""


def test_exit_3_for_json_too(monkeypatch):
    import gatewayc.compiler

    monkeypatch.setattr(gatewayc.compiler, "compile_spec", lambda p, *args: 1 / 0)
    monkeypatch.chdir(CASES)
    result = CliRunner().invoke(app, ["validate", "-f", "json", "ok-minimal.yml"])
    assert result.exit_code == 3
    assert "GWC900" in result.stderr and "Traceback" not in result.stderr
