"""`gatewayc diff --format markdown` always fits a pull-request comment and shows spec strings
as written; text output never passes a terminal escape through."""
from __future__ import annotations

import re

import pytest

from gatewayc.semdiff import render as drender
from gatewayc.semdiff import run_diff

GITHUB_COMMENT_LIMIT = 65_536


def many_routes(n: int, frame: str) -> str:
    routes = "".join(f"      - name: r{i}\n        match: {{path: /api/r{i}}}\n        service: users\n"
                     for i in range(n))
    return ("version: 1\nservices:\n  users: {url: \"http://127.0.0.1:3001\"}\ngateways:\n  web:\n"
            "    listeners: [{port: 8080}]\n    policies:\n"
            f"      response: {{headers: {{set: {{X-Frame-Options: {frame}}}}}}}\n    routes:\n{routes}")


@pytest.fixture
def sixty(tmp_path):
    (tmp_path / "old.yml").write_text(many_routes(60, "DENY"))
    (tmp_path / "new.yml").write_text(many_routes(60, "SAMEORIGIN"))
    return tmp_path


def test_one_header_on_sixty_routes_fits_a_comment(cli, sixty):
    # the self-hosted targets, which all build it (API Gateway refuses response headers)
    targets = [a for t in ("nginx", "kong", "traefik") for a in ("--target", t)]
    code, out, err = cli(["diff", "old.yml", "new.yml", *targets, "--format", "markdown"], cwd=sixty)
    assert (code, err) == (2, "")
    assert len(out) < GITHUB_COMMENT_LIMIT and len(out.encode()) < GITHUB_COMMENT_LIMIT
    # the summary comes first and says it once for the 60 routes
    summary = out.split("### Changes")[0]
    assert "transforms: response headers set X-Frame-Options=DENY -&gt; X-Frame-Options=SAMEORIGIN (on web/r0" \
        in summary and "and 52 more)" in summary
    # what did not fit is counted
    left = re.search(r"Left out to fit a pull-request comment: (.*)\.", out)
    assert left, out[-500:]
    shown_files = out.count("```diff\n")
    m = re.search(r"(\d+) of (\d+) generated file diffs", left.group(1))
    assert m and int(m.group(1)) + shown_files == int(m.group(2))


def test_sixty_route_comment_without_targets(cli, sixty, run_snapshot):
    run = cli(["diff", "old.yml", "new.yml", "--format", "markdown"], cwd=sixty)
    assert run[0] == 2
    assert run_snapshot == run


@pytest.mark.parametrize("limit", [1_500, 3_000, 5_000])
def test_details_are_cut_with_a_count(sixty, monkeypatch, limit):
    monkeypatch.chdir(sixty)
    result = run_diff("old.yml", "new.yml")
    md = drender.markdown(result, limit=limit)
    assert len(md) <= limit
    rows = [ln for ln in md.splitlines() if ln.startswith("| ~ ") or ln.startswith("| \\~ ")]
    m = re.search(r"Left out to fit a pull-request comment: (\d+) of 61 change rows", md)
    assert m and len(rows) + int(m.group(1)) == 61
    assert md.index("**Other changes:**") < md.index("Left out")


def test_nothing_is_said_left_out_when_all_fits(sixty, monkeypatch):
    monkeypatch.chdir(sixty)
    md = drender.markdown(run_diff("old.yml", "new.yml"))
    assert "Left out" not in md and md.count("\n| \\~ |") == 61


def test_security_changes_come_first_in_the_summary(tmp_path, monkeypatch):
    old = many_routes(3, "DENY").replace("    routes:\n", "      auth: {api_key: {header: X-Key, keys: {env: K}}}\n"
                                                          "    routes:\n")
    new = old.replace("DENY", "SAMEORIGIN").replace(
        "      - name: r2\n", "      - name: open\n        match: {path: /open}\n        service: users\n"
        "        policies: {auth: anonymous}\n      - name: r2\n")
    (tmp_path / "old.yml").write_text(old)
    (tmp_path / "new.yml").write_text(new)
    monkeypatch.chdir(tmp_path)
    md = drender.markdown(run_diff("old.yml", "new.yml"))
    auth = md.index("**Auth and exposure changes**")
    assert auth < md.index("**Other changes:**") < md.index("### Changes")
    assert "route open added: /open -&gt; service users (no auth)" in md[auth:md.index("**Other changes:**")]


HIDING = """\
version: 1
services:
  users: {url: "http://127.0.0.1:3001"}
gateways:
  web:
    listeners: [{port: 8080}]
    policies:
      auth:
        jwt: {algorithms: [HS256], secret: {env: S}, issuer: "%s"}
    routes:
      - name: a
        match: {path: /a}
        service: users
      - name: z
        match: {path: /z}
        service: users
%s"""


def test_spec_strings_cannot_hide_later_changes(cli, tmp_path, run_snapshot):
    (tmp_path / "old.yml").write_text(HIDING % ("https://id.example.com", ""))
    (tmp_path / "new.yml").write_text(HIDING % ("https://id.example.com/<!--", "        policies: {auth: anonymous}\n"))
    run = cli(["diff", "old.yml", "new.yml", "--format", "markdown"], cwd=tmp_path)
    code, out, _ = run
    assert code == 2
    assert "<!--" not in out and "&lt;!--" in out
    # no HTML but ours, and the route that lost its auth is there after the issuer
    assert set(re.findall(r"<[^>]*>", out)) <= {"<details>", "</details>", "<summary>", "</summary>"}
    assert out.index("&lt;!--") < out.rindex("auth removed on /z")
    assert run_snapshot == run


@pytest.mark.parametrize("text, shown", [
    ("a*b*c", r"a\*b\*c"), ("x|y", r"x\|y"), ("[l](http://e)", r"\[l\](http://e)"), ("@team", r"\@team"),
    ("<b>&", "&lt;b&gt;&amp;"), ("`c`", r"\`c\`"), ("$x$", r"\$x\$"), ("a\nb", r"a\\x0ab"), ("~~s~~", r"\~\~s\~\~"),
])
def test_markdown_escaping(text, shown):
    assert drender.md(text) == shown


BODY = """\
version: 1
services:
  users: {url: "http://127.0.0.1:3001"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: hi
        match: {path: /hi}
        respond: {status: 200, body: {text: "%s"}}
"""


def test_text_output_escapes_terminal_controls(cli, tmp_path, run_snapshot):
    (tmp_path / "old.yml").write_text(BODY % "hello")
    # C1 CSI (clears the screen on terminals that read 8-bit controls) and a bidi override
    (tmp_path / "new.yml").write_text(BODY % "\\u009b2J \\u202egnp.exe")
    run = cli(["diff", "old.yml", "new.yml"], cwd=tmp_path)
    code, out, err = run
    assert code == 2
    assert "\x9b" not in out and "\u202e" not in out
    assert "\\x9b2J \\u202egnp.exe" in out
    assert run_snapshot == run
