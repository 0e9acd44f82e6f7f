"""`diff` reads files under the spec's directory only, on both sides (the working tree and a
git revision), as `validate` and `build` do: a spec, include, JWKS or schema that is a
symbolic link out of it is refused unread (GWC012), and no line of it reaches any output.
In CI the working tree is the pull request's: its links must not read the runner's files."""
from __future__ import annotations

import json
import os

import pytest
from wfhelpers import MINIMAL, TWO_ROUTES, git

MARKER = "runner-secret-line-5c1d"
FORMATS = ["text", "json", "markdown", "github"]
WITH_FILES = MINIMAL.replace("version: 1\n", "version: 1\ninclude: [team.yml]\n") + (
    "        policies:\n"
    "          auth:\n"
    "            jwt: {algorithms: [RS256], jwks: {file: keys.json}}\n"
    "          validation:\n"
    "            body: {file: body.json}\n")


@pytest.fixture
def repo(tmp_path):
    """A repository next to a directory it must not read: a secret file that, were it read,
    would make a diagnostic quoting its first line (a spec must be a mapping, not a string)."""
    secret = tmp_path / "runner" / "secret"
    secret.parent.mkdir()
    secret.write_text(f"{MARKER}\n")
    work = tmp_path / "repo"
    work.mkdir()
    git(work, "init", "-q")
    return work, secret


def _commit(work):
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "change")


def _outputs(cli, args, cwd):
    for fmt in FORMATS:
        code, out, err = cli([*args, "--format", fmt], cwd=cwd)
        assert "Traceback" not in err and "GWC900" not in err
        yield fmt, code, out + err


@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_a_working_tree_spec_that_links_out_is_refused_unread(cli, repo, how):
    work, secret = repo
    (work / "gateway.yml").write_text(MINIMAL)
    _commit(work)
    (work / "gateway.yml").unlink()
    os.symlink(secret if how == "absolute" else os.path.relpath(secret, work), work / "gateway.yml")
    for fmt, code, out in _outputs(cli, ["diff", "git:HEAD:gateway.yml", "gateway.yml"], work):
        assert code == 1, (fmt, out)
        assert MARKER not in out, fmt
        assert "GWC012" in out and "outside the spec's directory" in out, (fmt, out)


def test_a_spec_in_a_revision_that_links_out_is_refused_unread(cli, repo):
    work, secret = repo
    os.symlink(secret, work / "gateway.yml")
    (work / "real.yml").write_text(MINIMAL)
    _commit(work)
    code, out, err = cli(["diff", "git:HEAD:gateway.yml", "real.yml", "--format", "json"], cwd=work)
    assert code == 1 and MARKER not in out + err
    diags = json.loads(out)["diagnostics"]
    assert [d["code"] for d in diags["old"]] == ["GWC012"] and diags["new"] == []
    assert diags["old"][0]["file"] == "git:HEAD:gateway.yml"


def test_includes_jwks_and_schemas_that_link_out_are_refused_on_both_sides(cli, repo):
    work, secret = repo
    (work / "gateway.yml").write_text(WITH_FILES)
    for name in ("team.yml", "keys.json", "body.json"):
        os.symlink(secret, work / name)
    _commit(work)
    (work / "gateway.yml").write_text(WITH_FILES.replace("/users}", "/people}"))
    for fmt, code, out in _outputs(cli, ["diff", "git:HEAD:gateway.yml", "gateway.yml"], work):
        assert code == 1 and MARKER not in out, (fmt, out)
    code, out, _ = cli(["diff", "git:HEAD:gateway.yml", "gateway.yml", "--format", "json"], cwd=work)
    diags = json.loads(out)["diagnostics"]
    for side in ("old", "new"):  # one confinement, the same words on both sides
        assert [(d["code"], d["line"]) for d in diags[side]] == [("GWC012", 2), ("GWC012", 16), ("GWC012", 18)]


def test_allow_dir_lets_diff_read_a_directory_on_both_sides(cli, repo):
    work, _ = repo
    (work / "specs").mkdir()
    (work / "teams").mkdir()
    (work / "specs" / "gateway.yml").write_text(MINIMAL.replace("version: 1\n", "version: 1\ninclude: [../teams/t.yml]\n"))
    (work / "teams" / "t.yml").write_text("services:\n  orders: {url: 'http://127.0.0.1:3002'}\n")
    _commit(work)
    (work / "teams" / "t.yml").write_text("services:\n  orders: {url: 'http://127.0.0.1:3003'}\n")
    args = ["diff", "git:HEAD:specs/gateway.yml", "specs/gateway.yml"]
    code, _, err = cli(args, cwd=work)
    assert code == 1 and err.count("GWC012") == 2 and "--allow-dir" in err
    code, out, err = cli([*args, "--allow-dir", "teams"], cwd=work)
    assert code == 2, err
    assert "service orders" in out and "3003" in out


def test_a_link_inside_the_spec_directory_still_works(cli, repo):
    work, _ = repo
    (work / "real.yml").write_text(MINIMAL)
    os.symlink("real.yml", work / "gateway.yml")
    _commit(work)
    (work / "real.yml").write_text(TWO_ROUTES)
    code, out, err = cli(["diff", "git:HEAD:gateway.yml", "gateway.yml"], cwd=work)
    assert code == 2, err
    assert "route orders added" in out
