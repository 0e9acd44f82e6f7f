"""One small bad spec per diagnostic class (tests/spec/cases/<code>-<name>.yml).

Each case is run through the real CLI in a subprocess (cwd = the cases directory, file
named relatively, so paths in the output are stable) and the whole run -- exit code,
stdout, stderr -- is snapshotted into one readable text file per case under
__snapshots__/test_spec_cases/. The code, line and column of the primary diagnostic are
also asserted here in plain pytest, from `--format json`, so that a position regression
fails loudly even when someone updates snapshots without reading them.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "cases"


# (case file, code, line, column, file the primary diagnostic points into: None = the case itself)
PRIMARY = [
    ("GWC001-tab-indent.yml", "GWC001", 4, 1, None),
    ("GWC001-yaml-syntax.yml", "GWC001", 4, 9, None),
    ("GWC002-duplicate-key.yml", "GWC002", 7, 5, None),
    ("GWC003-not-utf8.yml", "GWC003", 3, 6, None),
    ("GWC004-empty-file.yml", "GWC004", 1, 1, None),
    ("GWC005-top-level-list.yml", "GWC005", 1, 1, None),
    ("GWC005-top-level-scalar.yml", "GWC005", 1, 1, None),
    ("GWC006-alias-bomb.yml", "GWC006", 8, 8, None),
    ("GWC007-deep-nesting.yml", "GWC007", 2, 74, None),
    ("GWC008-include-missing.yml", "GWC008", 3, 5, None),
    ("GWC009-include-cycle.yml", "GWC009", 2, 5, "parts/cycle-b.yml"),
    ("GWC010-custom-tag.yml", "GWC010", 4, 10, None),
    ("GWC010-multi-document.yml", "GWC010", 3, 1, None),
    ("GWC011-missing-version.yml", "GWC011", 1, 1, None),
    ("GWC011-unsupported-version.yml", "GWC011", 1, 10, None),
    ("GWC012-include-outside.yml", "GWC012", 3, 5, None),
    ("GWC100-unknown-field.yml", "GWC100", 7, 5, None),
    ("GWC101-wrong-type.yml", "GWC101", 8, 15, None),
    ("GWC101-boolean-integer.yml", "GWC101", 8, 17, None),
    ("GWC101-yaml11-boolean.yml", "GWC101", 13, 20, None),
    ("GWC102-missing-field.yml", "GWC102", 8, 9, None),
    ("GWC103-bad-enum.yml", "GWC103", 16, 24, None),
    ("GWC103-header-value-newline.yml", "GWC103", 16, 24, None),
    ("GWC103-tls-path-nul.yml", "GWC103", 11, 23, None),
    ("GWC104-bad-duration.yml", "GWC104", 6, 16, None),
    ("GWC105-bad-size.yml", "GWC105", 6, 19, None),
    ("GWC106-bad-url.yml", "GWC106", 4, 10, None),
    ("GWC106-url-line-feed.yml", "GWC106", 4, 10, None),
    ("GWC107-bad-cidr.yml", "GWC107", 7, 17, None),
    ("GWC108-bad-regex.yml", "GWC108", 12, 25, None),
    ("GWC108-regex-lookahead.yml", "GWC108", 12, 25, None),
    ("GWC108-regex-unportable.yml", "GWC108", 12, 25, None),
    ("GWC109-inline-secret.yml", "GWC109", 9, 17, None),
    ("GWC109-jwks-private-key.yml", "GWC109", 16, 28, None),
    ("GWC110-bad-hostname.yml", "GWC110", 6, 17, None),
    ("GWC111-bad-path.yml", "GWC111", 11, 32, None),
    ("GWC111-path-bidi.yml", "GWC111", 11, 23, None),
    ("GWC111-path-injection-brace.yml", "GWC111", 11, 32, None),
    ("GWC111-path-injection-semicolon.yml", "GWC111", 11, 31, None),
    ("GWC112-bad-header-name.yml", "GWC112", 14, 13, None),
    ("GWC112-header-name-line-feed.yml", "GWC112", 16, 21, None),
    ("GWC113-exactly-one.yml", "GWC113", 12, 17, None),
    ("GWC113-route-without-action.yml", "GWC113", 7, 9, None),
    ("GWC114-bad-redirect-status.yml", "GWC114", 11, 19, None),
    ("GWC114-bad-status.yml", "GWC114", 16, 21, None),
    ("GWC115-literal-glob.yml", "GWC115", 11, 23, None),
    ("GWC200-dangling-policy-set.yml", "GWC200", 17, 17, None),
    ("GWC200-dangling-service.yml", "GWC200", 12, 18, None),
    ("GWC201-duplicate-route-name.yml", "GWC201", 13, 15, None),
    ("GWC201-duplicate-service-include.yml", "GWC201", 3, 3, "parts/team-users.yml"),
    ("GWC202-route-conflict.yml", "GWC202", 16, 16, None),
    ("GWC202-metrics-path.yml", "GWC202", 13, 16, None),
    ("GWC203-route-shadowed.yml", "GWC203", 14, 16, None),
    ("GWC204-burst-below-one.yml", "GWC204", 16, 20, None),
    ("GWC204-claim-key-without-jwt.yml", "GWC204", 20, 18, None),
    ("GWC204-hs256-with-jwks.yml", "GWC204", 17, 21, None),
    ("GWC204-mtls-without-client-ca.yml", "GWC204", 14, 19, None),
    ("GWC204-replace-prefix-regex.yml", "GWC204", 15, 17, None),
    ("GWC204-websocket-without-service.yml", "GWC204", 16, 20, None),
    ("GWC205-empty-gateway.yml", "GWC205", 3, 3, None),
    ("GWC206-unused-service.yml", "GWC206", 5, 3, None),
]
WARNING_ONLY = {"GWC115-literal-glob.yml", "GWC205-empty-gateway.yml", "GWC206-unused-service.yml"}
CASE_FILES = sorted(p.name for p in CASES.glob("GWC*.yml"))


def test_every_case_file_is_in_the_table():
    assert CASE_FILES == sorted(row[0] for row in PRIMARY)


def test_every_spec_diagnostic_class_has_a_case():
    from gatewayc.diagnostics.codes import CODES

    # build-time codes (GWC3xx) need a target and are not reachable through `validate`;
    # GWC900 is tested in tests/cli by simulating a crash.
    # GWC015-GWC019 are about command-line options, not specs.
    wanted = {c for c in CODES if c < "GWC300" and not "GWC015" <= c <= "GWC019"}
    covered = {row[1] for row in PRIMARY}
    assert wanted - covered == set()


@pytest.mark.parametrize("case", CASE_FILES)
def test_cli_run_snapshot(case, cli, run_snapshot):
    code, out, err = cli(["validate", case], cwd=CASES)
    assert "Traceback" not in err
    assert code == (0 if case in WARNING_ONLY else 1)
    assert run_snapshot == (code, out, err)


@pytest.mark.parametrize(("case", "code", "line", "col", "file"), PRIMARY, ids=[r[0] for r in PRIMARY])
def test_primary_diagnostic_position(case, code, line, col, file, monkeypatch):
    # in-process (the snapshots above already cover the subprocess): same CLI, much faster
    from click.testing import CliRunner

    from gatewayc.cli.app import app

    monkeypatch.chdir(CASES)
    result = CliRunner().invoke(app, ["validate", "--format", "json", case])
    exit_code, out, err = result.exit_code, result.stdout, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    report = json.loads(out)
    diags = report["diagnostics"]
    assert diags, err
    errors = [d for d in diags if d["severity"] == "error"]
    primary = (errors or diags)[0]
    assert (primary["code"], primary["line"], primary["column"]) == (code, line, col), primary
    assert primary["file"] == (file or case)
    assert report["valid"] is (case in WARNING_ONLY)
    assert exit_code == (0 if case in WARNING_ONLY else 1)
    # every diagnostic of a case carries a real position in a file that exists
    for d in diags:
        assert d["line"] >= 1 and d["column"] >= 1, d
        assert (CASES / d["file"]).is_file(), d
    assert err == ""
