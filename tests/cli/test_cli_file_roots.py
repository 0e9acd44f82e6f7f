"""Files a spec names (include, JWKS, JSON Schema) are read only under the spec's directory,
unless `--allow-dir` allows more; a refused file is never opened, so none of its lines can
reach a diagnostic, whatever the output format."""
from __future__ import annotations

import json

import pytest

MARKER = "root-only-line-7f3a"
SPEC = f"""\
version: 1
include: [../elsewhere/team.yml]
services:
  users: {{url: "http://127.0.0.1:3001"}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes:
      - name: users
        match: {{path: /users}}
        service: users
        policies:
          auth:
            jwt: {{algorithms: [RS256], jwks: {{file: ../elsewhere/jwks.json}}}}
          validation:
            body: {{file: ../elsewhere/schema.json}}
"""


@pytest.fixture
def tree(tmp_path):
    spec, other = tmp_path / "spec", tmp_path / "elsewhere"
    spec.mkdir()
    other.mkdir()
    (spec / "gateway.yml").write_text(SPEC)
    # each file outside is broken so that reading it would produce a diagnostic quoting it
    (other / "team.yml").write_text(f"services:\n  {MARKER}: [\n")
    (other / "jwks.json").write_text(f"{MARKER}\n")
    (other / "schema.json").write_text(f"{MARKER}\n")
    # a symbolic link inside the spec's directory does not lead out of it
    (spec / "link.json").symlink_to(other / "jwks.json")
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_files_outside_are_refused_unread(tree, cli, fmt):
    code, out, err = cli(["validate", "spec/gateway.yml", "--format", fmt], cwd=tree)
    assert code == 1 and "Traceback" not in err
    assert MARKER not in out + err
    assert (out + err).count("GWC012") == 3


def test_positions_and_snapshot(tree, cli, run_snapshot):
    code, out, err = cli(["validate", "spec/gateway.yml"], cwd=tree)
    assert run_snapshot == (code, out, err)
    code, out, _ = cli(["validate", "spec/gateway.yml", "--format", "json"], cwd=tree)
    assert [(d["code"], d["line"], d["column"]) for d in json.loads(out)["diagnostics"]] == [
        ("GWC012", 2, 11), ("GWC012", 14, 53), ("GWC012", 16, 26)]


def test_a_symlink_out_of_the_directory_is_outside(tree, cli):
    spec = tree / "spec" / "gateway.yml"
    spec.write_text(SPEC.replace("include: [../elsewhere/team.yml]\n", "").replace(
        "../elsewhere/jwks.json", "link.json"))
    code, out, err = cli(["validate", "spec/gateway.yml", "--format", "json"], cwd=tree)
    diags = json.loads(out)["diagnostics"]
    assert code == 1 and MARKER not in out + err
    assert [(d["code"], d["line"]) for d in diags] == [("GWC012", 13), ("GWC012", 15)]


def test_allow_dir_lets_them_in(tree, cli):
    code, out, _ = cli(["validate", "spec/gateway.yml", "--allow-dir", "elsewhere", "--format", "json"], cwd=tree)
    codes = [d["code"] for d in json.loads(out)["diagnostics"]]
    # now read: each broken file is reported for what it holds
    assert code == 1 and "GWC012" not in codes and "GWC001" in codes and codes.count("GWC103") == 2


def test_build_refuses_them_too_and_writes_nothing(tree, cli):
    code, out, err = cli(["build", "spec/gateway.yml", "-t", "nginx", "-o", "out"], cwd=tree)
    assert code == 1 and "GWC012" in err and MARKER not in out + err  # diagnostics go to stderr
    assert not (tree / "out").exists()


def test_a_spec_that_is_a_link_out_of_its_directory_is_refused_unread(tree, cli):
    (tree / "spec" / "outside.yml").symlink_to(tree / "elsewhere" / "jwks.json")
    for fmt in ("text", "json", "github"):
        code, out, err = cli(["validate", "spec/outside.yml", "--format", fmt], cwd=tree)
        assert code == 1 and MARKER not in out + err and "Traceback" not in err
        assert (out + err).count("GWC012") == 1 and "symbolic link" in out + err
    code, out, err = cli(["validate", "spec/outside.yml", "--allow-dir", "elsewhere"], cwd=tree)
    assert code == 1 and "GWC012" not in err and "GWC005" in err  # allowed: read, and not a spec
