"""A rebuild while nginx runs, done exactly as the README's quick start says.

The commands are read from the README (build output dir, nginx's prefix and config, the
reload), so this test holds the documentation to what works: start nginx, rebuild into
the same output dir with a change, reload, and every route (cache, body mapping, auth)
still answers correctly with the change live, while `gatewayc build --check` finds no
drift. Runtime state written into the output dir (`nginx -p OUT`) breaks each of these."""
from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from nginx_harness import NGINX, foreground, free_port, run_nginx

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  main:
    listeners: [{port: __PORT__}]
    routes:
      - name: version
        match: {path: /version}
        respond: {body: {version: __VERSION__}}
      - name: products
        match: {path: /products}
        service: echo
        policies: {cache: {ttl: 5m}}
      - name: external
        match: {path: /external, methods: [POST]}
        service: echo
        policies: {request: {body: {rename: {name: full_name}}}}
      - name: private
        match: {path: /private}
        service: echo
        policies: {auth: {api_key: {header: X-Api-Key, keys: {env: GWC_TEST_KEYS}}}}
"""


def _quick_start(readme: str) -> list[list[str]]:
    """The shell commands of the README's quick start block that run gatewayc or nginx,
    split into words with $PWD left for the caller."""
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    lines = [ln.split("#", 1)[0].strip() for b in blocks for ln in b.splitlines()]
    return [shlex.split(ln) for ln in lines if re.match(r"(\w+=\S+\s+)*(gatewayc|nginx|mkdir)\b", ln)]


def _documented(repo_root: Path, project: Path) -> dict[str, list[str]]:
    """README commands by role, with $PWD as `project` and secrets' placeholders dropped."""
    found: dict[str, list[str]] = {}
    for words in _quick_start((repo_root / "README.md").read_text()):
        words = [w.replace("$PWD", str(project)) for w in words if not re.fullmatch(r"\w+=\.\.\.", w)]
        if words[0] == "gatewayc" and words[1] == "build":
            found["build"] = words
        elif words[0] == "nginx":
            found["reload" if "-s" in words else "run"] = words
        elif words[0] == "mkdir":
            found["mkdir"] = words
    assert set(found) >= {"build", "run", "reload"}, found
    return found


def _nginx_args(words: list[str]) -> list[str]:
    """-p and -c of a documented nginx command; the harness adds -e and its own -g."""
    out = []
    for flag in ("-p", "-c"):
        assert flag in words, words
        out += [flag, words[words.index(flag) + 1]]
    return out


def _gatewayc(args: list[str], project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gatewayc", *args], cwd=project, capture_output=True,
                          text=True, timeout=120)


def _build(cmd: list[str], project: Path, version: int, port: int, echo_url: str, *extra: str):
    spec = SPEC.replace("__PORT__", str(port)).replace("__ECHO__", echo_url).replace("__VERSION__", str(version))
    (project / "gateway.yml").write_text(spec)
    args = cmd[1:]
    args[1] = "gateway.yml"  # the README builds its example; this spec stands in for it
    return _gatewayc([*args, *extra], project)


def _until(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def _all_routes_answer(gw) -> None:
    r, _ = gw.until_hit("/products/1")
    assert r.status == 200 and r.json()["path"] == "/products/1"
    r = gw.request("POST", "/external", {"Content-Type": "application/json"}, json.dumps({"name": "Ann"}))
    assert r.status == 200, (r.status, r.body[:300], gw.log()[-2000:])
    assert json.loads(r.json()["body"]) == {"full_name": "Ann"}
    assert gw.request("GET", "/private").status == 401
    r = gw.request("GET", "/private", {"X-Api-Key": "k1"})
    assert r.status == 200 and r.json()["path"] == "/private"


def test_rebuild_and_reload_while_nginx_runs(tmp_path, repo_root, echo_upstream):
    project = tmp_path / "project"
    project.mkdir()
    cmds = _documented(repo_root, project)
    echo, port = echo_upstream("echo"), free_port()
    built = _build(cmds["build"], project, 1, port, echo.url)
    assert built.returncode == 0, built.stderr
    out = project / cmds["build"][cmds["build"].index("--out") + 1]
    args = _nginx_args(cmds["run"])
    if "mkdir" in cmds:
        subprocess.run(cmds["mkdir"], cwd=project, check=True)
    gw = run_nginx(args, [port], tmp_path / "nginx.log", out, project / args[1], env={"GWC_TEST_KEYS": "k1"},
                   cwd=project)
    try:
        assert gw.request("GET", "/version").json() == {"version": 1}
        _all_routes_answer(gw)

        rebuilt = _build(cmds["build"], project, 2, port, echo.url)
        assert rebuilt.returncode == 0, rebuilt.stderr
        check = _build(cmds["build"], project, 2, port, echo.url, "--check")
        assert check.returncode == 0, check.stdout + check.stderr  # nginx's files are not drift
        _all_routes_answer(gw)  # the running workers still work on the old config

        reload = subprocess.run([NGINX, *_nginx_args(cmds["reload"]), "-e", "stderr", "-g", foreground(),
                                 "-s", "reload"], cwd=project, capture_output=True, text=True, timeout=30)
        assert reload.returncode == 0, reload.stderr
        assert _until(lambda: gw.request("GET", "/version").json() == {"version": 2}), gw.log()[-2000:]
        _all_routes_answer(gw)
        check = _build(cmds["build"], project, 2, port, echo.url, "--check")
        assert check.returncode == 0, check.stdout + check.stderr
        assert "emerg" not in gw.log() and "crit" not in gw.log(), gw.log()[-2000:]
    finally:
        gw.stop()
