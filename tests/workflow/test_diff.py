"""`gatewayc diff`: the semantic diff of two specs, its formats and exit codes."""
from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from click.testing import CliRunner

from gatewayc.cli.app import app
from gatewayc.compiler import compile_spec
from gatewayc.semdiff import diff_ir, run_diff
from gatewayc.semdiff import render as drender
from gatewayc.semdiff import words

BASE = textwrap.dedent("""\
    version: 1
    services:
      users:
        url: http://127.0.0.1:3001
        timeouts: {connect: 2s}
      orders:
        url: http://127.0.0.1:3002
    policies:
      jwt:
        auth:
          jwt:
            algorithms: [HS256]
            secret: {env: JWT_SECRET}
            issuer: https://id.example.com
    gateways:
      shop:
        listeners:
          - port: 8080
        policies:
          use: [jwt]
          rate_limit: {requests: 100, per: 15m, burst: 10}
        routes:
          - name: users
            match: {path: /api/users, methods: [GET]}
            service: users
          - name: orders
            match: {path: /api/orders}
            service: orders
          - name: health
            match: {path: {exact: /health}, methods: [GET]}
            respond: {status: 200, body: {status: ok}}
            policies:
              auth: anonymous
              rate_limit: false
    """)


def edit(*pairs: tuple[str, str]) -> str:
    text = BASE
    for old, new in pairs:
        assert old in text, f"{old!r} is not in the base spec"
        text = text.replace(old, new, 1)
    return text


USERS_ROUTE = "        service: users\n"

# (id, edits applied to BASE, expected change lines (Change.message, exact), how many are security)
CASES = [
    ("rate-limit-requests", [("requests: 100", "requests: 200")],
     ["rate limit on GET /api/users: 100/15m -> 200/15m", "rate limit on /api/orders: 100/15m -> 200/15m"], 0),
    ("rate-limit-period", [("per: 15m", "per: 1h30m")],
     ["rate limit on GET /api/users: 100/15m -> 100/1h30m", "rate limit on /api/orders: 100/15m -> 100/1h30m"], 0),
    ("rate-limit-algorithm", [("per: 15m, burst: 10}", "per: 15m, burst: 20, algorithm: leaky_bucket}")],
     ["rate limit on GET /api/users: burst 10 -> 20; algorithm token_bucket -> leaky_bucket",
      "rate limit on /api/orders: burst 10 -> 20; algorithm token_bucket -> leaky_bucket"], 0),
    ("rate-limit-off-on-route", [(USERS_ROUTE, USERS_ROUTE + "        policies: {rate_limit: false}\n")],
     ["rate limit removed on GET /api/users (was 100/15m; burst 10; key client_ip; algorithm token_bucket; "
      'status 429; body {"error": "Too Many Requests"}; scope gateway; budget shop/gateway)'], 0),
    ("rate-limit-scope-narrowed", [("per: 15m, burst: 10}", "per: 15m, burst: 10, scope: route}")],
     ["rate limit on GET /api/users: scope gateway -> route; budget shop/gateway -> shop/route/users",
      "rate limit on /api/orders: scope gateway -> route; budget shop/gateway -> shop/route/orders"], 0),
    ("rate-limit-store-added", [("per: 15m, burst: 10}",
                                 "per: 15m, burst: 10, store: {redis: {address: 'r.internal:6379'}}}")],
     ["rate limit on GET /api/users: store none -> redis r.internal:6379 database 0",
      "rate limit on /api/orders: store none -> redis r.internal:6379 database 0"], 0),
    ("auth-removed", [(USERS_ROUTE, USERS_ROUTE + "        policies: {auth: anonymous}\n")],
     ["auth removed on GET /api/users: jwt HS256 (env:JWT_SECRET; issuer https://id.example.com) -> none (anonymous)"], 1),
    ("auth-weakened-issuer", [("        issuer: https://id.example.com\n", "")],
     ["auth weakened on GET /api/users: jwt HS256 (env:JWT_SECRET; issuer https://id.example.com) -> "
      "jwt HS256 (env:JWT_SECRET) [issuer check removed]",
      "auth weakened on /api/orders: jwt HS256 (env:JWT_SECRET; issuer https://id.example.com) -> "
      "jwt HS256 (env:JWT_SECRET) [issuer check removed]"], 2),
    ("auth-weakened-any-of", [(USERS_ROUTE, USERS_ROUTE + textwrap.indent(textwrap.dedent("""\
        policies:
          auth:
            any_of:
              - jwt: {algorithms: [HS256], secret: {env: JWT_SECRET}, issuer: https://id.example.com}
              - api_key: {header: X-Api-Key, keys: {env: API_KEYS}}
        """), "        "))],
     ["auth weakened on GET /api/users: jwt HS256 (env:JWT_SECRET; issuer https://id.example.com) -> any of "
      "[jwt HS256 (env:JWT_SECRET; issuer https://id.example.com); api key in header X-Api-Key (env:API_KEYS)] "
      "[alternatives added]"], 1),
    ("auth-added", [("          auth: anonymous\n", "")],
     ["auth added on GET /health: jwt HS256 (env:JWT_SECRET; issuer https://id.example.com)"], 1),
    ("auth-failure-status", [("        issuer: https://id.example.com\n",
                              "        issuer: https://id.example.com\n      failure: {status: 403}\n")],
     # no body of its own: the default body follows the status (the gateway's answer for 403)
     ['auth failure response on GET /api/users: status 401 -> 403; body {"error": "Unauthorized"} -> '
      '{"error": "Forbidden"}',
      'auth failure response on /api/orders: status 401 -> 403; body {"error": "Unauthorized"} -> '
      '{"error": "Forbidden"}'], 0),
    ("route-added-without-auth", [("      - name: health\n",
                                   "      - name: docs\n        match: {path: /docs}\n        service: orders\n"
                                   "        policies: {auth: anonymous}\n      - name: health\n")],
     ["route docs added: /docs -> service orders (no auth)"], 1),
    ("route-removed", [("      - name: orders\n        match: {path: /api/orders}\n        service: orders\n", "")],
     ["route orders removed: /api/orders -> service orders"], 0),  # the service is still defined
    ("route-match", [("methods: [GET]}\n        service: users", "methods: [GET, POST]}\n        service: users")],
     ["route users now matches GET,POST /api/users (was GET /api/users)"], 0),
    ("route-path-kind", [("match: {path: /api/orders}", "match: {path: {exact: /api/orders}}")],
     ["route orders (/api/orders) match: matches[1] path kind prefix -> exact",
      "gateway shop: route precedence changed: health > orders > users -> orders > health > users"], 0),
    ("route-service", [("        service: users\n", "        service: orders\n")],
     ["GET /api/users: service users -> service orders"], 0),
    ("route-rewrite", [(USERS_ROUTE, USERS_ROUTE + "        rewrite: {path: {replace_prefix: /users}}\n")],
     ["GET /api/users: service users -> service users, rewrite replace prefix /users"], 0),
    ("respond-status", [("respond: {status: 200,", "respond: {status: 204,")],
     ["GET /health: respond 200 -> respond 204"], 0),
    ("service-target", [("url: http://127.0.0.1:3001", "url: http://10.0.0.5:3001")],
     ["service users targets: http://127.0.0.1:3001 -> http://10.0.0.5:3001 "
      "(removed http://127.0.0.1:3001; added http://10.0.0.5:3001)"], 0),
    ("service-weights", [("    url: http://127.0.0.1:3001\n",
                          "    targets:\n      - {url: 'http://127.0.0.1:3001', weight: 3}\n"
                          "      - {url: 'http://127.0.0.1:3011'}\n")],
     ["service users targets: http://127.0.0.1:3001 -> http://127.0.0.1:3001 (weight 3), http://127.0.0.1:3011 "
      "(removed http://127.0.0.1:3001; added http://127.0.0.1:3001 (weight 3), http://127.0.0.1:3011)"], 0),
    ("service-timeout", [("timeouts: {connect: 2s}", "timeouts: {connect: 2500ms, read: 1m}")],
     ["service users timeouts: connect 2s -> 2s500ms; read none -> 1m"], 0),
    ("service-retries", [("timeouts: {connect: 2s}", "timeouts: {connect: 2s}\n    retries: {attempts: 3}")],
     ["service users: retries added: attempts 3; statuses 502, 503, 504; on connect failure yes"], 0),
    ("service-circuit-breaker", [("timeouts: {connect: 2s}",
                                  "timeouts: {connect: 2s}\n    circuit_breaker: {consecutive_failures: 5}")],
     ["service users: circuit breaker added: consecutive failures 5; min requests 10; window 10s; "
      "failure statuses 500, 502, 503, 504; open 30s; half open requests 1"], 0),
    ("listener-port", [("- port: 8080", "- port: 9090")],
     ["listener 0.0.0.0:8080 (plain HTTP) removed from gateway shop",
      "listener 0.0.0.0:9090 (plain HTTP) added on gateway shop"], 1),
    ("ip-filter-added", [(USERS_ROUTE, USERS_ROUTE + "        policies: {ip: {allow: [10.0.0.0/8]}}\n")],
     ["IP filter added on GET /api/users: allow 10.0.0.0/8"], 0),
    ("cache-added", [(USERS_ROUTE, USERS_ROUTE + "        policies: {cache: {ttl: 90s}}\n")],
     ["cache added on GET /api/users: ttl 1m30s; methods GET, HEAD; statuses 200; key method, host, path, query"],
     0),
    ("body-limit", [("      rate_limit: {requests: 100, per: 15m, burst: 10}\n",
                     "      rate_limit: {requests: 100, per: 15m, burst: 10}\n      body_limit: 1MB\n")],
     ["body limit added on GET /api/users: 1MB", "body limit added on /api/orders: 1MB",
      "body limit added on GET /health: 1MB"], 0),
    ("gateway-added", [("    routes:\n", "    routes: []\n  admin:\n    listeners: [{port: 9000}]\n"
                                         "    routes:\n", )],
     None, None),
    ("reformatted-only", [("  users:\n    url: http://127.0.0.1:3001\n    timeouts: {connect: 2s}\n",
                           "  users:\n    # same thing, written differently\n    timeouts:\n"
                           "      connect: 2000ms\n    url: 'http://127.0.0.1:3001'\n")],
     [], 0),
]


def _compile(tmp_path: Path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text)
    c = compile_spec(str(p))
    assert c.ok, [f"{d.location}: {d.code} {d.message}" for d in c.diagnostics if d.is_error]
    return c.ir


@pytest.mark.parametrize("case_id,edits,expected,security", CASES, ids=[c[0] for c in CASES])
def test_change_lines(tmp_path, case_id, edits, expected, security):
    a = _compile(tmp_path, "old.yml", BASE)
    b = _compile(tmp_path, "new.yml", edit(*edits))
    changes = diff_ir(a, b)
    if expected is None:  # checked in its own test
        return
    assert sorted(c.message for c in changes) == sorted(expected)
    assert sum(c.security for c in changes) == security
    # security-relevant changes come first
    flags = [c.security for c in changes]
    assert flags == sorted(flags, reverse=True)


def test_gateway_added_lists_its_routes(tmp_path):
    a = _compile(tmp_path, "old.yml", BASE.replace("          use: [jwt]\n", "          use: [jwt]\n"))
    b = _compile(tmp_path, "new.yml", BASE + "  admin:\n    listeners: [{port: 9000}]\n    routes:\n"
                                             "      - {name: stats, match: {path: /stats}, service: orders}\n")
    msgs = [c.message for c in diff_ir(a, b)]
    assert "gateway admin added: 1 route on 0.0.0.0:9000 (plain HTTP)" in msgs
    assert "route stats added: /stats -> service orders (no auth)" in msgs


def test_identical_specs_have_no_changes(tmp_path):
    a = _compile(tmp_path, "old.yml", BASE)
    b = _compile(tmp_path, "new.yml", BASE)
    assert diff_ir(a, b) == []


def test_moving_blocks_around_is_not_a_change(tmp_path):
    a = _compile(tmp_path, "old.yml", BASE)
    moved = BASE.split("gateways:\n")
    b = _compile(tmp_path, "new.yml", "version: 1\ngateways:\n" + moved[1] + moved[0].replace("version: 1\n", ""))
    assert diff_ir(a, b) == []


def test_a_mirror_is_a_route_change(tmp_path):
    a = _compile(tmp_path, "old.yml", BASE)
    b = _compile(tmp_path, "new.yml", edit(("        service: orders\n",
                                            "        service: orders\n        mirror: {service: users, percent: 10}\n")))
    (change,) = diff_ir(a, b)
    assert change.message == "/api/orders: service orders -> service orders, mirror to users (10%)"


def test_a_prefix_trailing_slash_is_not_a_change(tmp_path):
    # `/api/users/` is the same prefix as `/api/users` (Gateway API), so a diff stays quiet
    a = _compile(tmp_path, "old.yml", BASE)
    b = _compile(tmp_path, "new.yml", edit(("path: /api/users,", "path: /api/users/,")))
    assert diff_ir(a, b) == []


@pytest.mark.parametrize("ms,text", [(0, "0s"), (250, "250ms"), (1000, "1s"), (90_000, "1m30s"),
                                     (900_000, "15m"), (3_600_000, "1h"), (86_400_000, "1d"),
                                     (90_061_001, "1d1h1m1s1ms")])
def test_durations_are_written_back_compactly(ms, text):
    assert words.duration(ms) == text
    from gatewayc.spec.types import parse_duration

    assert parse_duration(text) == ms


@pytest.mark.parametrize("n,text", [(512, "512B"), (1024, "1KB"), (10 * 1024, "10KB"), (1024**2, "1MB"),
                                    (3 * 1024**3, "3GB"), (1536, "1536B")])
def test_sizes_are_written_back_compactly(n, text):
    assert words.size(n) == text


# --- the command ----------------------------------------------------------------------------
runner = CliRunner()


def _cli(*args: str):
    return runner.invoke(app, ["diff", *args])


@pytest.fixture
def pair(tmp_path, monkeypatch):
    """old.yml / new.yml in the current directory, so paths in output are short and stable."""
    monkeypatch.chdir(tmp_path)

    def write(old: str, new: str) -> tuple[str, str]:
        Path("old.yml").write_text(old)
        Path("new.yml").write_text(new)
        return "old.yml", "new.yml"

    return write


SECURITY_EDIT = edit(("        issuer: https://id.example.com\n", ""),
                     ("requests: 100", "requests: 200"),
                     ("url: http://127.0.0.1:3002", "url: http://127.0.0.1:3012"))


def test_exit_0_when_nothing_differs(pair):
    r = _cli(*pair(BASE, BASE))
    assert r.exit_code == 0, r.output
    assert "no differences" in r.output


def test_exit_2_with_change_lines_security_first(pair):
    r = _cli(*pair(BASE, SECURITY_EDIT))
    assert r.exit_code == 2, r.output
    lines = r.output.splitlines()
    assert lines[0] == "gatewayc diff old.yml -> new.yml"
    assert lines[1].startswith("! SECURITY: auth weakened on ")
    assert lines[2].startswith("! SECURITY: auth weakened on ")
    assert "~ rate limit on GET /api/users: 100/15m -> 200/15m  [shop/users]" in lines
    assert lines[-1] == "5 changes, 2 security-relevant, 5 changed"


@pytest.mark.parametrize("bad", ["old", "new"])
def test_exit_1_names_the_side_with_errors(pair, bad):
    broken = BASE.replace("port: 8080", "port: eighty")
    old, new = pair(broken if bad == "old" else BASE, broken if bad == "new" else BASE)
    r = _cli(old, new)
    assert r.exit_code == 1
    assert f"{bad} ({bad}.yml): 1 error" in r.output
    assert f"{bad}.yml:18:" in r.output
    assert "nothing compared" in r.output


def test_errors_in_json_are_split_by_side(pair):
    broken = BASE.replace("port: 8080", "port: eighty")
    r = _cli(*pair(BASE, broken), "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.output)
    assert data["ok"] is False and data["diagnostics"]["old"] == []
    assert data["diagnostics"]["new"][0]["file"] == "new.yml"


def test_missing_file_is_an_error(pair):
    pair(BASE, BASE)
    r = _cli("old.yml", "nope.yml")
    assert r.exit_code == 1
    assert "GWC008" in r.output


def test_json_format_is_stable_and_sorted(pair):
    r = _cli(*pair(BASE, SECURITY_EDIT), "--format", "json")
    assert r.exit_code == 2
    data = json.loads(r.output)
    assert r.output == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["differs"] is True
    assert data["summary"] == {"added": 0, "changed": 5, "changes": 5, "files": 0, "removed": 0, "security": 2}
    first = data["changes"][0]
    assert first["security"] is True and first["kind"] == "auth" and first["policy"] == "auth"
    assert set(first) == {"action", "gateway", "kind", "location", "message", "new", "old", "policy", "route",
                          "security", "service", "where"}
    assert first["location"]["file"] == "new.yml"
    assert _cli("old.yml", "new.yml", "--format", "json").output == r.output


def test_github_format_annotates_security_changes(pair):
    r = _cli(*pair(BASE, SECURITY_EDIT), "--format", "github")
    assert r.exit_code == 2
    lines = r.output.splitlines()
    assert lines[0].startswith("::warning file=new.yml,line=")
    assert "title=gatewayc diff: security" not in lines[0]  # ':' is escaped in properties
    assert "title=gatewayc diff%3A security" in lines[0]
    assert any(line.startswith("::notice ") for line in lines)


class MarkdownSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "md"


class TextSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "txt"


@pytest.fixture
def md_snapshot(snapshot):
    return snapshot.use_extension(MarkdownSnapshot)


@pytest.fixture
def txt_snapshot(snapshot):
    return snapshot.use_extension(TextSnapshot)


def test_markdown_pr_comment(pair, md_snapshot):
    new = edit(("        issuer: https://id.example.com\n", ""),
               ("requests: 100", "requests: 200"),
               ("      - name: health\n", "      - name: docs\n        match: {path: /docs}\n"
                                         "        service: orders\n        policies: {auth: anonymous}\n"
                                         "      - name: health\n"),
               ("timeouts: {connect: 2s}", "timeouts: {connect: 2s}\n    retries: {attempts: 3}"),
               ("respond: {status: 200, body: {status: ok}}", "respond: {status: 200, body: {status: 'ok|up'}}"))
    r = _cli(*pair(BASE, new), "--format", "markdown")
    assert r.exit_code == 2
    assert r.output == md_snapshot


def test_markdown_no_differences(pair, md_snapshot):
    r = _cli(*pair(BASE, BASE), "--format", "markdown")
    assert r.exit_code == 0
    assert r.output == md_snapshot


def test_text_output(pair, txt_snapshot):
    r = _cli(*pair(BASE, SECURITY_EDIT))
    assert r.output == txt_snapshot


# --- generated config diffs (--target) ---------------------------------------------------
@pytest.fixture(scope="module")
def target(tmp_path_factory) -> str:
    """A registered target that can build BASE and SECURITY_EDIT (the diff machinery is what
    is tested here, not what a backend supports)."""
    from gatewayc import backends
    from gatewayc.build import build

    d = tmp_path_factory.mktemp("base")
    specs = [d / "old.yml", d / "new.yml"]
    specs[0].write_text(BASE)
    specs[1].write_text(SECURITY_EDIT)
    for name in backends.names():
        try:
            if all(build(str(p), [name], source="gateway.yml").ok for p in specs):
                return name
        except Exception:  # noqa: BLE001 - a backend in trouble: try the next one
            continue
    raise AssertionError(f"no target builds the base spec: {backends.names()}")


def test_target_adds_generated_config_diff(pair, target):
    r = _cli(*pair(BASE, SECURITY_EDIT), "--target", target)
    assert r.exit_code == 2, r.output
    assert f"--- a/{target}/" in r.output and f"+++ b/{target}/" in r.output
    assert r.output.rstrip().endswith("generated file differs") or "generated files differ" in r.output


def test_target_json_lists_file_diffs(pair, target):
    r = _cli(*pair(BASE, SECURITY_EDIT), "--target", target, "--format", "json")
    assert r.exit_code == 2
    data = json.loads(r.output)
    assert data["targets"] == [target]
    assert data["files"] and all(f["path"].startswith(f"{target}/") for f in data["files"])
    assert data["files"][0]["diff"].startswith(f"--- a/{target}/")


def test_target_markdown_has_diff_fences_and_collapses_long_diffs(pair, target, monkeypatch):
    old, new = pair(BASE, SECURITY_EDIT)
    result = run_diff(old, new, [target])
    assert result.ok
    assert result.files, "a changed upstream must change the generated config"
    md = drender.markdown(result)
    assert "### Generated configuration" in md
    assert "```diff\n" in md
    assert "<details>" not in md or any(f.diff.count("\n") > drender.DETAILS_OVER for f in result.files)
    monkeypatch.setattr(drender, "DETAILS_OVER", 0)
    md = drender.markdown(result)
    assert "<details>" in md and "<summary>" in md and "</details>" in md


def test_target_same_config_exits_0(pair, target):
    pair(BASE, BASE)
    r = _cli("new.yml", "new.yml", "--target", target)
    assert r.exit_code == 0, r.output
    assert "no differences" in r.output


def test_target_all(pair):
    from gatewayc import backends

    pair(BASE, BASE)
    r = _cli("new.yml", "new.yml", "--target", "all", "--format", "json")
    if r.exit_code == 0:
        assert json.loads(r.output)["targets"] == backends.names()
    else:  # some target cannot build BASE: then that is reported as an error, per side
        assert r.exit_code == 1, r.output
        assert json.loads(r.output)["ok"] is False


def test_unknown_target_is_an_error(pair):
    r = _cli(*pair(BASE, BASE), "--target", "nonsense")
    assert r.exit_code == 1
    assert "GWC304" in r.output


# --- git:REV:path ------------------------------------------------------------------------------
def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository with two commits of a spec split over an include."""
    root = tmp_path / "repo"
    (root / "gw").mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    main = BASE.replace("version: 1\nservices:\n  users:\n    url: http://127.0.0.1:3001\n"
                        "    timeouts: {connect: 2s}\n  orders:\n    url: http://127.0.0.1:3002\n",
                        "version: 1\ninclude: [services.yml]\n")
    services = "services:\n  users:\n    url: http://127.0.0.1:3001\n    timeouts: {connect: 2s}\n" \
               "  orders:\n    url: http://127.0.0.1:3002\n"
    (root / "gw" / "gateway.yml").write_text(main)
    (root / "gw" / "services.yml").write_text(services)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "one")
    (root / "gw" / "services.yml").write_text(services.replace("3002", "3012"))
    _git(root, "commit", "-q", "-am", "two")
    monkeypatch.chdir(root)
    return root


def test_git_revisions_with_includes(repo):
    r = _cli("git:HEAD~1:gw/gateway.yml", "git:HEAD:gw/gateway.yml")
    assert r.exit_code == 2, r.output
    assert "~ service orders targets: http://127.0.0.1:3002 -> http://127.0.0.1:3012" in r.output


def test_git_revision_against_working_tree(repo):
    (repo / "gw" / "gateway.yml").write_text((repo / "gw" / "gateway.yml").read_text()
                                             .replace("requests: 100", "requests: 150"))
    r = _cli("git:HEAD:gw/gateway.yml", "gw/gateway.yml")
    assert r.exit_code == 2, r.output
    assert "rate limit on GET /api/users: 100/15m -> 150/15m" in r.output
    assert "service orders" not in r.output
    r = _cli("git:HEAD:gw/gateway.yml", "git:HEAD:gw/gateway.yml")
    assert r.exit_code == 0


def test_git_paths_relative_to_a_subdirectory(repo, monkeypatch):
    monkeypatch.chdir(repo / "gw")
    r = _cli("git:HEAD~1:./gateway.yml", "gateway.yml")
    assert r.exit_code == 2, r.output
    assert "service orders targets" in r.output


def test_git_errors_name_the_revision_path(repo):
    (repo / "gw" / "services.yml").write_text("services:\n  users: {url: 3}\n")
    _git(repo, "commit", "-q", "-am", "broken")
    r = _cli("git:HEAD~1:gw/gateway.yml", "git:HEAD:gw/gateway.yml")
    assert r.exit_code == 1
    assert "new (git:HEAD:gw/gateway.yml): " in r.output
    assert "git:HEAD:gw/services.yml:2:" in r.output
    assert "/tmp" not in r.output and "gatewayc-diff-" not in r.output


@pytest.mark.parametrize("ref,words_", [("git:nope:gw/gateway.yml", "nope"),
                                        ("git:HEAD:gw/missing.yml", "missing.yml"),
                                        ("git:HEAD:gw", "not a file"),
                                        ("git:HEAD", "not a git reference")])
def test_bad_git_references(repo, ref, words_):
    r = _cli(ref, "gw/gateway.yml")
    assert r.exit_code == 1
    assert "GWC008" in r.output and words_ in r.output


def test_git_temporary_checkouts_are_removed(repo, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    r = _cli("git:HEAD~1:gw/gateway.yml", "git:HEAD:gw/gateway.yml")
    assert r.exit_code == 2
    assert list(scratch.iterdir()) == []


# --- every example against every other: no crash, nothing for itself ----------------------------
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*/gateway.yml"))


@pytest.mark.skipif(not EXAMPLES, reason="no examples yet")
def test_examples_against_each_other():
    compiled = {p.parent.name: compile_spec(str(p)) for p in EXAMPLES}
    irs = {k: c.ir for k, c in compiled.items() if c.ok}
    assert irs, "no example compiles"
    for a, ia in irs.items():
        for b, ib in irs.items():
            changes = diff_ir(ia, ib)
            if a == b:
                assert changes == [], a
            else:
                assert changes, f"{a} -> {b}"
            for c in changes:
                assert c.message and "\n" not in c.message
                json.dumps(c.as_dict())
            assert [c.sort_key() for c in changes] == sorted(c.sort_key() for c in changes)


@pytest.mark.skipif(not EXAMPLES, reason="no examples yet")
@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "github"])
def test_example_diff_renders_in_every_format(fmt, monkeypatch):
    monkeypatch.chdir(EXAMPLES[0].parents[2])
    a, b = (str(p.relative_to(EXAMPLES[0].parents[2])) for p in (EXAMPLES[0], EXAMPLES[-1]))
    r = _cli(a, b, "--format", fmt)
    assert r.exit_code in (0, 2), r.output
    if fmt == "json":
        json.loads(r.output)
    assert r.output.endswith("\n")


def test_errors_in_github_format_are_annotations(pair):
    broken = BASE.replace("port: 8080", "port: eighty")
    r = _cli(*pair(broken, BASE), "--format", "github")
    assert r.exit_code == 1
    assert r.output.startswith("::error file=old.yml,line=18,")


def test_errors_in_markdown_name_the_side(pair):
    broken = BASE.replace("port: 8080", "port: eighty")
    r = _cli(*pair(BASE, broken), "--format", "markdown")
    assert r.exit_code == 1
    assert r.output.startswith("### gatewayc diff: errors in the new (new.yml) spec\n")
    assert "- new.yml:18:15 **error[GWC101]**" in r.output  # spec paths are escaped text, not code


def test_json_no_differences(pair):
    r = _cli(*pair(BASE, BASE), "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["ok"] is True and data["differs"] is False and data["changes"] == []


def test_target_same_spec_under_another_name_exits_0(pair, target):
    """Headers name the new spec on both sides, and nothing else may depend on the path."""
    pair(BASE, BASE)
    Path("elsewhere").mkdir()
    Path("elsewhere/renamed.yml").write_text(BASE)
    r = _cli("old.yml", "elsewhere/renamed.yml", "--target", target)
    assert r.exit_code == 0, r.output


def test_target_git_revision_against_unchanged_working_tree_exits_0(repo, target):
    r = _cli("git:HEAD:gw/gateway.yml", "gw/gateway.yml", "--target", target)
    assert r.exit_code == 0, r.output
    r = _cli("git:HEAD~1:gw/gateway.yml", "gw/gateway.yml", "--target", target, "--format", "json")
    assert r.exit_code == 2
    data = json.loads(r.output)
    assert [c["message"] for c in data["changes"]] == [
        "service orders targets: http://127.0.0.1:3002 -> http://127.0.0.1:3012 "
        "(removed http://127.0.0.1:3002; added http://127.0.0.1:3012)"]
    assert data["files"], "the upstream address is in the generated config"
