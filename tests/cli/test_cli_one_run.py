"""One `validate` run reports every independent problem of a spec (issue 13).

tests/cli/one_run/ten-mistakes.yml holds more than ten independent mistakes of every kind
(shape, reference, duplicate name, conflict, capability on two targets, inline secret);
the whole CLI run is snapshotted, and each mistake is asserted here from `--format json`
with its position and the hint that fits it, so that a regression fails loudly even when
snapshots are updated without reading them.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SPEC = "one_run/ten-mistakes.yml"
SECRET = "hunter2-do-not-print"
ARGS = ["validate", SPEC, "--target", "nginx", "--target", "kong"]

# (code, line, column, a part of the message, a part of the hint that fits this mistake)
EXPECTED = [
    ("GWC104", 7, 25, "duration 5 has no unit", "with a unit"),
    ("GWC300", 10, 5, "nginx cannot express", "--accept-degraded upstream.health_check"),  # at `health_check:`
    ("GWC100", 13, 48, "unknown field 'timeout'", "`timeouts.request`"),
    ("GWC103", 16, 46, "'ip' is not a limit key", "did you mean `key: client_ip`?"),
    ("GWC300", 22, 7, "kong cannot express", "observability.access_log"),  # at `access_log:`, not `metrics:`
    ("GWC100", 26, 9, "unknown field 'servce'", "did you mean 'service'?"),
    ("GWC200", 29, 18, "no service named 'order'", "did you mean 'orders'?"),
    ("GWC201", 30, 15, "route name 'orders' is used twice", "route names are unique"),
    ("GWC202", 37, 16, "same match as route 'billing-a'", "make the matches differ"),
    ("GWC108", 40, 31, "missing )", "a group is not closed"),
    ("GWC101", 46, 17, "auth: expected a mapping", "`auth: anonymous`"),
    ("GWC109", 53, 48, "secrets must be references", "{env: NAME}"),
    ("GWC100", 53, 70, "unknown field 'failure'", "`failure` belongs under `auth:`"),
    ("GWC115", 55, 23, "match literally", "write `prefix: /api/users`"),
]


@pytest.fixture
def report(cli):
    code, out, err = cli([*ARGS, "--format", "json"], cwd=HERE)
    assert code == 1, err
    return json.loads(out)


def test_the_whole_run(cli, run_snapshot):
    code, out, err = cli(ARGS, cwd=HERE)
    assert "Traceback" not in err
    assert code == 1
    assert run_snapshot == (code, out, err)


def test_every_mistake_in_one_run(report):
    got = [(d["code"], d["line"], d["column"]) for d in report["diagnostics"]]
    assert got == [row[:3] for row in EXPECTED]
    assert len(got) >= 10
    for d, (code, _, _, message, hint) in zip(report["diagnostics"], EXPECTED):
        assert message in d["message"], d
        assert hint in (d["hint"] or ""), d


def test_no_follow_on_messages(report):
    codes = {d["code"] for d in report["diagnostics"]}
    # the typo `servce: users` does not make `users` unused, the route it broke does not
    # "need one of service, redirect...", and the pruned fields are not "missing"
    assert not codes & {"GWC206", "GWC113", "GWC102"}
    # the regex is only missing a `)`: no advice about backreferences or lookaround
    regex = next(d for d in report["diagnostics"] if d["code"] == "GWC108")
    assert "backreference" not in regex["hint"] and "lookaround" not in regex["hint"]


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_the_inline_secret_is_never_printed(fmt, cli):
    code, out, err = cli([*ARGS, "--format", fmt], cwd=HERE)
    assert code == 1
    assert SECRET not in out + err
    assert "GWC109" in out + err
    if fmt == "text":
        # the line is still shown, the value masked, for every diagnostic on that line
        assert err.count("secret: ***, failure:") == 2  # text diagnostics go to stderr


def test_without_targets_the_capability_check_is_left_out(cli):
    code, out, _ = cli(["validate", SPEC, "--format", "json"], cwd=HERE)
    codes = [d["code"] for d in json.loads(out)["diagnostics"]]
    assert code == 1 and "GWC300" not in codes and len(codes) == len(EXPECTED) - 2


def test_target_all_is_every_target(cli):
    from gatewayc import backends

    code, out, _ = cli(["validate", SPEC, "--target", "all", "--format", "json"], cwd=HERE)
    refused = {d["message"].split(" cannot express")[0].rsplit(" ", 1)[-1]
               for d in json.loads(out)["diagnostics"] if d["code"] == "GWC300"}
    assert code == 1 and {"nginx", "kong"} <= refused <= set(backends.names())


def test_unknown_feature_gets_did_you_mean(cli, tmp_path):
    cases = HERE.parent / "spec" / "cases"
    code, out, _ = cli(["build", str(cases / "ok-minimal.yml"), "-t", "nginx", "-o", str(tmp_path / "out"),
                        "--accept-degraded", "upstream.helth_check", "--format", "json"])
    d = next(d for d in json.loads(out)["diagnostics"] if d["code"] == "GWC307")
    assert code == 1 and d["hint"] == "did you mean 'upstream.health_check'?"
