"""The lowering gives every route that sets no policies of its own, in one gateway and for one
service, the same IR Policies object (issue 15: a 10k-route spec lowered thousands of equal
objects). Sharing must never change what any target builds: every example and test spec,
and a generated mix, built with the sharing and without it, give the same files and the
same diagnostics, for every target."""
from __future__ import annotations

import sys
from pathlib import Path

from gatewayc import backends
from gatewayc.build import build
from gatewayc.compiler import compile_spec
from gatewayc.compiler.lower import Lowering

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_mix import spec_text  # noqa: E402

# rate limits declared above the routes, counted per gateway, per service and per route
# (the last must not be shared: its budget names the route)
SCOPES = """\
version: 1
services:
  a: {url: "http://127.0.0.1:9001", policies: {rate_limit: {requests: 5, per: 1s, scope: route}}}
  b: {url: "http://127.0.0.1:9002", policies: {rate_limit: {requests: 7, per: 1s}}}
  c: {url: "http://127.0.0.1:9003"}
gateways:
  g:
    listeners: [{port: 8080}]
    policies: {rate_limit: {requests: 9, per: 1s}, request: {headers: {add: {X-Via: g}}}}
    routes:
      - {name: a1, match: [{path: {prefix: /a1}}], service: a}
      - {name: a2, match: [{path: {prefix: /a2}}], service: a}
      - {name: b1, match: [{path: {prefix: /b1}}], service: b}
      - {name: b2, match: [{path: {prefix: /b2}}], service: b}
      - {name: c1, match: [{path: {prefix: /c1}}], service: c}
      - {name: c2, match: [{path: {prefix: /c2}}], service: c}
      - {name: r1, match: [{path: {prefix: /r1}}], redirect: {path: {full: /x}}}
      - {name: own, match: [{path: {prefix: /own}}], service: c, policies: {rate_limit: {requests: 1, per: 1s}}}
  h:
    listeners: [{port: 8081}]
    routes:
      - {name: c3, match: [{path: {prefix: /c3}}], service: c}
"""


def _specs(tmp: Path) -> list[Path]:
    out = sorted(ROOT.glob("examples/**/*.yml")) + sorted(ROOT.glob("tests/spec/cases/*.yml"))
    (tmp / "mix.yml").write_text(spec_text(300))
    (tmp / "scopes.yml").write_text(SCOPES)
    return [*out, tmp / "mix.yml", tmp / "scopes.yml"]


def _results(spec: Path) -> dict:
    out = {}
    for t in backends.names():
        r = build(str(spec), [t], source=spec.name)
        out[t] = (r.files, sorted((d.code, d.message, str(d.location)) for d in r.diagnostics))
    return out


def test_sharing_changes_no_output(tmp_path, monkeypatch):
    specs = _specs(tmp_path)
    shared = {s: _results(s) for s in specs}
    monkeypatch.setattr(Lowering, "route_policies", lambda self, eff, r, *a: self.policies(eff, r, *a))
    for s in specs:
        assert _results(s) == shared[s], s


def test_routes_share_policies_except_per_route_budgets(tmp_path):
    (tmp_path / "scopes.yml").write_text(SCOPES)
    ir = compile_spec(str(tmp_path / "scopes.yml")).ir
    by_name = {r.name: r for gw in ir.gateways for r in gw.routes}
    same = lambda x, y: by_name[x].policies is by_name[y].policies  # noqa: E731
    assert same("b1", "b2") and same("c1", "c2")
    assert by_name["b1"].policies.rate_limit.budget == "g/service/b"
    assert not same("a1", "a2"), "a per-route budget names its route"
    assert by_name["a1"].policies.rate_limit.budget == "g/route/a1"
    assert by_name["a2"].policies.rate_limit.budget == "g/route/a2"
    assert not same("c1", "own") and not same("c1", "b1") and not same("c1", "c3")
    (tmp_path / "mix.yml").write_text(spec_text(1000))
    mix = compile_spec(str(tmp_path / "mix.yml")).ir
    routes = [r for gw in mix.gateways for r in gw.routes]
    assert len({id(r.policies) for r in routes}) < len(routes) / 2
