"""routing._route_body reuses one route's location body for every match that reads the same
things (_alike) when the body names no route. The reuse must never change the output:
every example and spec of the test suite, and a generated mix, built with the reuse and
without it, give the same files and the same diagnostics."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gatewayc.backends.nginx import routing
from gatewayc.build import build

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_mix import spec_text  # noqa: E402

# routes alike but for what only some actions read: the path a rewrite or a redirect takes
# from the match, the route a mirror or an answer after checks names
ALIKE = """\
version: 1
services:
  a: {url: "http://127.0.0.1:9001/base"}
  m: {url: "http://127.0.0.1:9002"}
gateways:
  g:
    listeners: [{port: 8080}]
    routes:
      - {name: s1, match: [{path: {prefix: /one}}, {path: {prefix: /uno}}], service: a, rewrite: {path: {strip_prefix: true}}}
      - {name: s2, match: [{path: {prefix: /two}}], service: a, rewrite: {path: {strip_prefix: true}}}
      - {name: p1, match: [{path: {prefix: /p1}}], service: a}
      - {name: p2, match: [{path: {exact: /p2}}], service: a}
      - {name: m1, match: [{path: {prefix: /m1}}], service: a, mirror: {service: m}}
      - {name: m2, match: [{path: {prefix: /m2}}], service: a, mirror: {service: m}}
      - {name: d1, match: [{path: {prefix: /d1}}], redirect: {path: {replace_prefix: /new}}}
      - {name: d2, match: [{path: {prefix: /d2}}], redirect: {path: {replace_prefix: /new}}}
      - {name: f1, match: [{path: {prefix: /f1}}], respond: {status: 200}, policies: {ip: {allow: [10.0.0.0/8]}}}
      - {name: f2, match: [{path: {prefix: /f2}}], respond: {status: 200}, policies: {ip: {allow: [10.0.0.0/8]}}}
  keyed:
    listeners: [{port: 8081}]
    policies: {auth: {api_key: {header: X-Key, keys: {env: KEYS}}}}
    routes:
      - {name: k1, match: [{path: {prefix: /k1}}], service: a}
      - {name: k2, match: [{path: {prefix: /k2}}], service: a}
  added:
    listeners: [{port: 8082}]
    policies: {request: {headers: {add: {X-Via: gw}}}}
    routes:
      - {name: a1, match: [{path: {prefix: /a1}}], service: a}
      - {name: a2, match: [{path: {prefix: /a2}}], service: a}
  noted:
    listeners: [{port: 8083}]
    policies: {request: {headers: {rename: {X_Old: X-New}}}}
    routes:
      - {name: n1, match: [{path: {prefix: /n1}}], service: a}
      - {name: n2, match: [{path: {prefix: /n2}}], service: a}
"""


def _specs(tmp: Path) -> list[Path]:
    out = sorted(ROOT.glob("examples/**/*.yml")) + sorted(ROOT.glob("tests/spec/cases/*.yml"))
    out += sorted(ROOT.glob("tests/*/specs/**/*.yml"))
    (tmp / "mix.yml").write_text(spec_text(300))
    (tmp / "alike.yml").write_text(ALIKE)
    return [*out, tmp / "mix.yml", tmp / "alike.yml"]


def _result(spec: Path) -> tuple:
    r = build(str(spec), ["nginx"], source=spec.name)
    return r.files, sorted((d.code, d.message, str(d.location)) for d in r.diagnostics)


def test_reuse_changes_no_output(tmp_path, monkeypatch):
    specs = _specs(tmp_path)
    built = 0
    calls = []
    body = routing.route_body
    monkeypatch.setattr(routing, "route_body", lambda *a: calls.append(a) or body(*a))
    reused = {s: _result(s) for s in specs}
    reused_calls = len(calls)
    monkeypatch.setattr(routing, "_alike", lambda gw, e, memo: object())  # never the same key: no reuse
    calls.clear()
    for spec in specs:
        assert _result(spec) == reused[spec], spec
        built += bool(reused[spec][0])
    assert built >= 10  # the comparison saw real outputs, not only refusals
    assert reused_calls < len(calls)  # and the reuse did take place


@pytest.mark.parametrize("name,shared", [("s1", False), ("p1", True), ("m1", False), ("d1", False),
                                         ("f1", False), ("k1", False), ("a1", False), ("n1", False)])
def test_what_may_be_shared(tmp_path, name, shared):
    """A body shared with the next route of its kind in ALIKE only where nothing of it
    depends on the route: a rewrite or a redirect reads the match's path; a mirror, an
    answer after checks, the njs auth check and a header `add` name the route; a diagnostic
    names it too (an unreadable header to rename)."""
    spec = tmp_path / "alike.yml"
    spec.write_text(ALIKE)
    seen: dict[str, list] = {}
    real = routing._route_body

    def spy(gw, e, ctx):
        out = real(gw, e, ctx)
        seen.setdefault(e.route.name, []).append(out)
        return out

    mp = pytest.MonkeyPatch()
    mp.setattr(routing, "_route_body", spy)
    try:
        build(str(spec), ["nginx"], source="alike.yml")
    finally:
        mp.undo()
    other = name[0] + "2"
    assert (seen[name][0] is seen[other][0]) is shared
