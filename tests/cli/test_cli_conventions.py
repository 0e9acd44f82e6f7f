"""Whole CLI runs (exit code, stdout, stderr as snapshots): quiet by default, -v/-q, streams,
help, option errors, completion."""
from __future__ import annotations

import re

import pytest

from gatewayc import backends
from gatewayc.diagnostics import Diagnostic, Severity

JWT_SPEC = """\
version: 1
services:
  users: {url: "http://127.0.0.1:3001"}
gateways:
  web:
    listeners: [{port: 8080}]
    policies:
      auth:
        jwt: {algorithms: [HS256], secret: {env: JWT_SECRET}}
    routes:
      - name: users
        match: {path: /api/users}
        service: users
"""

PLAIN_SPEC = """\
version: 1
services:
  users: {url: "http://127.0.0.1:3001"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: users
        match: {path: /api/users}
        service: users
"""

WIDE = {"COLUMNS": "100"}  # help is wrapped to the terminal: one width for the snapshots


@pytest.fixture
def jwt_spec(tmp_path):
    (tmp_path / "gateway.yml").write_text(JWT_SPEC)
    return tmp_path


def test_build_is_quiet_about_infos(cli, jwt_spec, run_snapshot):
    run = cli(["build", "gateway.yml", "--target", "nginx", "--out", "out"], cwd=jwt_spec)
    assert "info[" not in run[2] and run[1] == ""
    assert run_snapshot == run


def test_build_verbose_shows_infos_on_stderr(cli, jwt_spec, run_snapshot):
    run = cli(["build", "gateway.yml", "--target", "nginx", "--out", "out", "-v"], cwd=jwt_spec)
    assert "info[GWC301]" in run[2] and run[1] == ""
    assert run_snapshot == run


def test_build_quiet_prints_nothing_when_all_is_well(cli, jwt_spec):
    assert cli(["build", "gateway.yml", "--target", "nginx", "--out", "out", "-q"], cwd=jwt_spec) == (0, "", "")


def test_check_quiet_and_verbose(cli, jwt_spec, run_snapshot):
    args = ["build", "gateway.yml", "--target", "nginx", "--out", "out"]
    assert cli(args, cwd=jwt_spec)[0] == 0
    assert cli([*args, "--check", "-q"], cwd=jwt_spec) == (0, "", "")
    run = cli([*args, "--check", "-v"], cwd=jwt_spec)
    assert "info[GWC301]" in run[2]
    assert run_snapshot == run


def test_github_format_annotates_warnings_and_errors_only(cli, jwt_spec):
    code, out, err = cli(["build", "gateway.yml", "--target", "nginx", "--out", "out", "-f", "github", "-v"],
                         cwd=jwt_spec)
    assert (code, out, err) == (0, "", "")


def test_wrote_one_file_singular(cli, tmp_path, run_snapshot):
    (tmp_path / "gateway.yml").write_text(PLAIN_SPEC)
    run = cli(["build", "gateway.yml", "--target", "kong", "--out", "out"], cwd=tmp_path)
    assert run[2].startswith("wrote 1 file to out\n")
    assert run_snapshot == run


def test_kong_jwt_without_issuer_is_a_target_limitation(cli, jwt_spec, run_snapshot):
    run = cli(["build", "gateway.yml", "--target", "kong", "--out", "out"], cwd=jwt_spec)
    assert run[0] == 1 and "error[GWC310]: kong: jwt without `issuer`" in run[2]
    assert run_snapshot == run


def test_form_include_on_a_target_without_it_is_an_error(cli, jwt_spec, run_snapshot):
    run = cli(["build", "gateway.yml", "--target", "kong", "--out", "out", "--form", "include"], cwd=jwt_spec)
    assert run[0] == 1 and "error[GWC015]" in run[2]
    assert not (jwt_spec / "out").exists()
    assert run_snapshot == run


def test_form_include_where_the_target_has_it(cli, jwt_spec):
    code, _, err = cli(["build", "gateway.yml", "--target", "nginx", "--out", "out", "--form", "include"],
                       cwd=jwt_spec)
    assert code == 0, err
    assert (jwt_spec / "out" / "gatewayc-http.conf").exists()


def test_validate_text_goes_to_stderr_json_to_stdout(cli, tmp_path, run_snapshot):
    (tmp_path / "gateway.yml").write_text(PLAIN_SPEC.replace("port: 8080", "port: eighty"))
    text = cli(["validate", "gateway.yml"], cwd=tmp_path)
    assert text[0] == 1 and text[1] == "" and "error[GWC101]" in text[2]
    code, out, err = cli(["validate", "gateway.yml", "-f", "json"], cwd=tmp_path)
    assert (code, err) == (1, "") and '"GWC101"' in out
    assert run_snapshot == text


def test_every_command_takes_quiet():
    from gatewayc.cli.app import app

    for name, command in app.commands.items():
        if name == "completion":
            continue
        assert any("--quiet" in p.opts and "-q" in p.opts for p in command.params), name


def test_dash_h_is_help(cli):
    short, long = cli(["-h"], **WIDE), cli(["--help"], **WIDE)
    assert short == long and short[0] == 0 and short[1].startswith("Usage: gatewayc [OPTIONS] COMMAND")


@pytest.mark.parametrize("args", [["build", "-h"], ["validate", "-h"], ["diff", "-h"],
                                  ["targets", "-h"], ["explain", "-h"], ["schema", "-h"]],
                         ids=lambda a: "_".join(a).strip("-"))
def test_help(cli, args, run_snapshot):
    run = cli(args, **WIDE)
    code, out, err = run
    assert (code, err) == (0, "")
    assert not re.search(r"<(str|int|list|bool)|\{[a-z]+\}|list\[", out), out
    assert run_snapshot == run


def test_help_names_metavariables():
    from click.testing import CliRunner

    from gatewayc.cli.app import app

    out = CliRunner().invoke(app, ["build", "-h"], terminal_width=100).stdout
    assert "Usage: gatewayc build [OPTIONS] SPEC" in out
    for meta in ("--target TARGET", "--out DIR", "--gateway NAME", "--accept-degraded FEATURE", "--format FORMAT"):
        assert meta in out


def test_commands_are_listed_in_the_order_people_use_them(cli):
    _, out, _ = cli(["-h"], **WIDE)
    listed = re.findall(r"^  ([a-z]+)  ", out.split("Commands:")[1], re.M)
    assert listed == ["validate", "build", "diff", "targets", "explain", "schema", "completion"]


def test_help_lists_only_targets_that_exist(cli):
    _, out, _ = cli(["-h"], **WIDE)
    said = re.search(r"\(targets: ([^)]*)\)", " ".join(out.split())).group(1)
    assert said.split(", ") == backends.names()


def test_package_description_names_no_target_that_does_not_exist():
    import tomllib
    from pathlib import Path

    meta = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    gateways = ("nginx", "kong", "traefik", "envoy", "aws", "haproxy", "apisix", "tyk")
    named = {g for g in gateways if g in meta["description"].lower()}
    assert named <= set(backends.names())


@pytest.mark.parametrize("args, message", [
    (["validate", "--format", "yaml", "x.yml"], "invalid value 'yaml' for --format: choose text, json, github"),
    (["diff", "-f", "html", "a", "b"], "invalid value 'html' for --format: choose text, json, markdown, github"),
    (["build", "x.yml", "-t", "nginx", "-o", "o", "--form", "snippet"],
     "invalid value 'snippet' for --form: choose full, include"),
])
def test_a_bad_choice_says_what_to_choose(cli, args, message, tmp_path):
    code, out, err = cli(args, cwd=tmp_path)
    assert (code, out) == (2, "")
    assert f"Error: {message}\n" in err
    assert "Value error" not in err and "Traceback" not in err


def _complete(cli, words: list[str]) -> list[str]:
    line = ["gatewayc", *words]
    code, out, err = cli([], _GATEWAYC_COMPLETE="bash_complete", COMP_WORDS=" ".join(line),
                         COMP_CWORD=str(len(line) - 1))
    assert code == 0, err
    return out.split()


def test_completion_of_targets_features_and_codes(cli):
    # bash_complete answers "type,value" pairs, one a line
    targets = [w.split(",", 1)[1] for w in _complete(cli, ["build", "s.yml", "--target", ""])]
    assert targets == [*backends.names(), "all"]
    features = [w.split(",", 1)[1] for w in _complete(cli, ["build", "s.yml", "--accept-degraded", "auth.jwt."])]
    assert "auth.jwt.hmac" in features and all(f.startswith("auth.jwt.") for f in features)
    codes = [w.split(",", 1)[1] for w in _complete(cli, ["explain", "GWC30"])]
    assert "GWC301" in codes and all(c.startswith("GWC30") for c in codes)
    diff_targets = [w.split(",", 1)[1] for w in _complete(cli, ["diff", "a", "b", "-t", "n"])]
    assert diff_targets == ["nginx"]


def test_completion_script(cli):
    code, out, err = cli(["completion", "bash"])
    assert code == 0 and "_GATEWAYC_COMPLETE=bash_complete" in out


def test_a_code_has_one_severity():
    with pytest.raises(ValueError, match="GWC301 is info, not warning"):
        Diagnostic("GWC301", "x", severity=Severity.WARNING)
    assert Diagnostic("GWC311", "x", severity=Severity.WARNING).effective_severity is Severity.WARNING


def test_json_has_infos_with_verbose(cli, jwt_spec):
    import json

    args = ["build", "gateway.yml", "--target", "nginx", "--out", "out", "-f", "json"]
    codes = [[d["code"] for d in json.loads(cli([*args, *more], cwd=jwt_spec)[1])["diagnostics"]]
             for more in ([], ["-v"])]
    assert codes == [[], ["GWC301"]]


def test_diff_quiet_says_only_by_its_exit_code(cli, tmp_path):
    (tmp_path / "old.yml").write_text(PLAIN_SPEC)
    (tmp_path / "new.yml").write_text(PLAIN_SPEC.replace("/api/users", "/api/people"))
    assert cli(["diff", "old.yml", "new.yml", "-q"], cwd=tmp_path) == (2, "", "")
    assert cli(["diff", "old.yml", "old.yml", "-q"], cwd=tmp_path) == (0, "", "")
