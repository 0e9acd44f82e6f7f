"""Running the table: one gateway start per (target, group), then each case's steps against it."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness_common import WS_HEADERS, EchoServer, Reply, UpgradeUpstream, free_port, upgrade, write_output
from table_build import Built, build_group
from table_model import (ANY, UNSET, Arrived, Case, Group, Mark, Part, Send, Spread, Until, Upgrading, Upstream,
                         Wait)


@dataclass
class Running:
    """A group as built and started for one target."""

    target: str
    group: Group
    built: Built
    upstreams: dict[str, EchoServer] = field(default_factory=dict)
    upgraders: dict[str, UpgradeUpstream] = field(default_factory=dict)
    gateway: Any = None  # the adapter's running gateway: .port, .request(...), .stop()
    failure: str | None = None
    start_failed: bool = False  # built, but the gateway would not run the build
    logged: int = 0  # the gateway's logged problems already reported
    adapter_problems: Any = None  # the adapter's `problems(gateway)`: errors in its log, if it has one

    def stop(self) -> None:
        try:
            if self.gateway is not None:
                self.gateway.stop()
        except AssertionError:
            pass  # a harness's last look at the log: each case has already checked it (run_case)
        finally:
            for srv in self.upstreams.values():
                srv.stop()
            for up in self.upgraders.values():
                up.close()


def start_group(adapter, group: Group, work: Path) -> Running:
    """Echo upstreams, the build, and the gateway running it (unless nothing is left to run)."""
    work.mkdir(parents=True, exist_ok=True)
    ups = {name: EchoServer(name) for name in group.upstreams}
    upgraders = {name: UpgradeUpstream() for name in group.upgraders}
    for rel, content in group.files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_bytes(content.encode() if isinstance(content, str) else content)

    def substitute(text: str) -> str:
        for name, srv in {**ups, **upgraders}.items():
            text = text.replace(f"__{name.upper()}__", srv.url)
        return text.replace("__DIR__", str(work)).replace("__CLOSED__", f"http://127.0.0.1:{closed}")

    port, closed = free_port(), free_port()  # `closed`: a port nothing listens on
    built = build_group(adapter.NAME, group, work, port, substitute)
    run = Running(adapter.NAME, group, built, ups, upgraders, failure=built.failure,
                  adapter_problems=getattr(adapter, "problems", None))
    if run.failure or not built.cases:
        return run
    out_dir = work / "out"
    write_output(out_dir, built.result.files)
    try:
        run.gateway = adapter.start(work, out_dir, port, dict(group.env))
    except BaseException as e:  # the real gateway refused or broke on the build: every case fails
        names = ", ".join(c.name for c in built.cases)
        run.failure = f"{adapter.NAME} did not start on the build of {names}: {e}"
        run.start_failed = True
    return run


def run_case(run: Running, case: Case) -> None:
    clock = time.monotonic()
    began = {n: srv.hits for n, srv in run.upstreams.items()}
    for i, step in enumerate(case.steps):
        where = f"{run.target} / {run.group.name} / {case.name}, step {i + 1}"
        if isinstance(step, Send):
            _send(run, step, where)
        elif isinstance(step, Upstream):
            srv = run.upstreams[step.name]
            if step.status is not UNSET:
                srv.status = step.status
            if step.script is not None:
                srv.script = list(step.script)
            if step.delay is not None:
                srv.delay = step.delay
        elif isinstance(step, Wait):
            time.sleep(step.seconds)
        elif isinstance(step, Mark):
            clock = time.monotonic()
        elif isinstance(step, Until):
            _until(run, step, clock, where)
        elif isinstance(step, Spread):
            _spread(run, step, where)
        elif isinstance(step, Upgrading):
            head = upgrade(run.gateway.port, step.path, step.protocol.encode(), WS_HEADERS)
            first = head.split(b"\r\n", 1)[0]
            assert first.startswith(b"HTTP/1.1 101") == step.switched, (
                f"{where}: Upgrade: {step.protocol} to {step.path}: {first!r}, want "
                f"{'' if step.switched else 'no '}101")
        elif isinstance(step, Arrived):
            _arrived(run, step, began[step.name], where)
        else:
            raise TypeError(step)
    problems = run.adapter_problems(run.gateway) if run.adapter_problems else []
    new, run.logged = problems[run.logged:], len(problems)
    assert not new, f"{run.target} / {run.group.name} / {case.name}: the gateway logged: {new}"


def _fill(value, port: int):
    if isinstance(value, str):
        return value.replace("{port}", str(port))
    if isinstance(value, dict):
        return {k: _fill(v, port) for k, v in value.items()}
    return value


def _request(run: Running, s: Send) -> Reply:
    p = run.gateway.port
    body = s.body.encode() if isinstance(s.body, str) else s.body
    # http.client sends an iterable body without a Content-Length in chunks
    return run.gateway.request(s.method, _fill(s.path, p), _fill(s.headers, p), iter([body]) if s.chunked else body,
                               _fill(s.host, p))


def _send(run: Running, s: Send, where: str) -> Reply:
    before = {n: srv.hits for n, srv in run.upstreams.items()}
    started = time.monotonic()
    r = _request(run, s)
    took = time.monotonic() - started
    problems = _check(run, s, r, before, took)
    assert not problems, f"{where}: {s.method} {s.path}: " + "; ".join(problems) + f"\n  got {_show(r)}"
    return r


def _until(run: Running, u: Until, clock: float, where: str) -> None:
    while True:
        before = {n: srv.hits for n, srv in run.upstreams.items()}
        r = _request(run, u.send)
        now = time.monotonic() - clock
        if not _check(run, u.send, r, before, None):
            assert now >= u.after, f"{where}: {u.send.path} passed after {now:.2f}s, before {u.after}s"
            return
        assert now < u.within, f"{where}: {u.send.path} did not pass within {u.within}s; last: {_show(r)}"
        time.sleep(0.1)


def _spread(run: Running, s: Spread, where: str) -> None:
    before = {n: srv.hits for n, srv in run.upstreams.items()}
    for _ in range(s.n):
        r = run.gateway.request("GET", s.path)
        assert r.status == 200, f"{where}: {s.path}: {_show(r)}"
    got = {n: (run.upstreams[n].hits - before[n]) / s.n for n in s.shares}
    bad = {n: round(got[n], 3) for n, (lo, hi) in s.shares.items() if not lo <= got[n] <= hi}
    assert not bad, f"{where}: shares {got} outside {s.shares}"


def _arrived(run: Running, a: Arrived, began: int, where: str) -> None:
    srv, deadline = run.upstreams[a.name], time.monotonic() + a.within
    while srv.hits - began < a.count and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # no more than `count` either
    assert srv.hits - began == a.count, f"{where}: {a.name} got {srv.hits - began} requests, want {a.count}"
    if a.path is not None:
        last = srv.seen[-1]
        got = last["path"] + ("?" + last["query"] if last["query"] else "")
        assert got == a.path, f"{where}: {a.name} last saw {got!r}, want {a.path!r}"


def _check(run: Running, s: Send, r: Reply, before: dict[str, int], took: float | None) -> list[str]:
    p = run.gateway.port
    problems = []
    if r.status not in (s.status if isinstance(s.status, tuple) else (s.status,)):
        problems.append(f"status {r.status}, want {s.status}")
    hits = {n: srv.hits - before[n] for n, srv in run.upstreams.items()}
    if s.upstream is None and not s.hits and any(hits.values()):
        problems.append(f"the gateway should answer itself, but upstreams saw it: {hits}")
    echo = _json(r)
    if isinstance(s.upstream, str) and (not isinstance(echo, dict) or echo.get("server") != s.upstream):
        problems.append(f"answered by {echo.get('server') if isinstance(echo, dict) else None!r}, "
                        f"want upstream {s.upstream!r}")
    for n, want in s.hits.items():
        if hits[n] != want:
            problems.append(f"upstream {n!r} got {hits[n]} requests, want {want}")
    seen = echo if isinstance(echo, dict) else {}
    for key, want in (("path", s.seen_path), ("query", s.seen_query), ("body", s.seen_body)):
        if want is not None and seen.get(key) != _fill(want, p):
            problems.append(f"upstream saw {key} {seen.get(key)!r}, want {_fill(want, p)!r}")
    problems += _headers("upstream saw header", seen.get("headers") or {}, _fill(s.seen_headers, p))
    problems += _headers("reply header", r.headers, _fill(s.reply_headers, p))
    for name, values in s.reply_all.items():
        if tuple(r.values(name)) != values:
            problems.append(f"reply headers {name}: {r.values(name)}, want {list(values)}")
    if s.json is not UNSET and echo != s.json:
        problems.append(f"body {r.body[:300]!r}, want JSON {s.json!r}")
    if s.parts is not None:
        problems += _parts(s.parts, echo, p)
    if s.elapsed and took is not None and not s.elapsed[0] <= took <= s.elapsed[1]:
        problems.append(f"took {took:.2f}s, want {s.elapsed[0]}-{s.elapsed[1]}s")
    return problems


def _parts(parts: tuple[Part, ...], echo: Any, p: int) -> list[str]:
    if not isinstance(echo, dict) or list(echo) != [x.key for x in parts]:
        return [f"merged body {echo!r}, want the keys {[x.key for x in parts]} in this order"]
    out = []
    for x in parts:
        got = echo[x.key]
        if x.upstream is None:
            if got is not None:
                out.append(f"part {x.key!r}: {got!r}, want null")
            continue
        if not isinstance(got, dict) or got.get("server") != x.upstream:
            out.append(f"part {x.key!r}: {got!r}, want the answer of upstream {x.upstream!r}")
            continue
        if x.path is not None and got.get("path") != x.path:
            out.append(f"part {x.key!r}: upstream saw path {got.get('path')!r}, want {x.path!r}")
        out += _headers(f"part {x.key!r}: upstream saw header", got.get("headers") or {}, _fill(x.headers, p))
    return out


def _headers(what: str, got: dict[str, str], want: dict[str, Any]) -> list[str]:
    out = []
    for name, value in want.items():
        have = got.get(name.lower())
        if value is None:
            ok = have is None
        elif value is ANY:
            ok = have is not None
        elif hasattr(value, "fullmatch"):
            ok = have is not None and value.fullmatch(have) is not None
        else:
            ok = have == value
        if not ok:
            out.append(f"{what} {name}: {have!r}, want {getattr(value, 'pattern', value)!r}"
                       if value is not ANY else f"{what} {name} missing")
    return out


def _json(r: Reply):
    try:
        return json.loads(r.body)
    except ValueError:
        return None


def _show(r: Reply) -> str:
    return f"{r.status} {dict(r.headers)} {r.body[:300]!r}"
