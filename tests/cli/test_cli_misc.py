"""`gatewayc --version` stays light; `gatewayc explain` answers for every code."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from gatewayc._version import __version__
from gatewayc.cli.app import app
from gatewayc.diagnostics.codes import CODES

HEAVY = ("pydantic", "jinja2", "jsonschema")


def test_version_prints_the_version(cli):
    assert cli(["--version"]) == (0, f"gatewayc {__version__}\n", "")


def test_version_does_not_import_heavy_modules(cli):
    code, out, err = cli(["--version"], python_args=("-X", "importtime"))
    assert code == 0 and out.startswith("gatewayc ")
    imported = set()
    for line in err.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+\d+ \| (\s*)(\S+)", line)
        if m:
            imported.add(m.group(2))
    assert "gatewayc.cli.app" in imported, "importtime output not understood"
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert heavy == []


@pytest.mark.parametrize("code", sorted(CODES))
def test_explain_every_code(code):
    result = CliRunner().invoke(app, ["explain", code])
    assert result.exit_code == 0, result.output
    c = CODES[code]
    assert result.stdout.startswith(f"{code} ({c.name}), default severity {c.severity.value}\n")
    assert c.summary in result.stdout and c.explanation in result.stdout


def test_explain_by_name_and_lowercase():
    by_name = CliRunner().invoke(app, ["explain", "duplicate-key"])
    lower = CliRunner().invoke(app, ["explain", "gwc002"])
    assert by_name.exit_code == lower.exit_code == 0
    assert by_name.stdout == lower.stdout and by_name.stdout.startswith("GWC002 (duplicate-key)")


def test_explain_lists_all_codes():
    result = CliRunner().invoke(app, ["explain"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == list(CODES)


def test_explain_unknown_code_exits_2(cli):
    code, out, err = cli(["explain", "GWC999"])
    assert code == 2 and out == ""
    assert "unknown code 'GWC999'" in err


def test_codes_table_is_consistent():
    names = [c.name for c in CODES.values()]
    assert len(names) == len(set(names))
    for code, c in CODES.items():
        assert re.fullmatch(r"GWC\d{3}", code) and c.code == code
        assert c.summary.endswith(".") and c.explanation
