"""Kong's router over the generated kong.yml picks the same route (and upstream path) as
Gateway API precedence over the IR, for every request built from the spec's own matches."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from gatewayc.backends.kong import ids
from gatewayc.compiler import compile_spec

import kong_harness as harness
from kong_router_sim import Request, gateway_pick, kong_pick

SPECS = Path(__file__).parent / "specs"
EXTRA_PATHS = ["/", "/v1/items/42", "/v1/items/x", "/alpha/abc", "/beta/x1", "/gamma/abc", "/shop/cart",
               "/v2/order-42", "/v2/order-x"]
EXTRA_HEADERS = [(("x-client", "ios/1.2"),), (("x-client", "web/1"),),
                 (("x-client", "android/3"), ("x-tenant", "acme"), ("x-env", "prod"))]


def requests_for(gw) -> list[Request]:
    hosts = {"unknown.test"}
    paths = set(EXTRA_PATHS)
    headers: set = {()} | set(EXTRA_HEADERS)
    for r in gw.routes:
        for h in r.hostnames:
            hosts |= {"a" + h[1:], "a.b" + h[1:]} if h.startswith("*.") else {h}
        for m in r.matches:
            v = m.path.value
            if m.path.kind == "exact":
                paths |= {v, v + "/"}
            elif m.path.kind == "prefix":
                paths |= {v, v + "/", v + "/x/y", v + "x"} if v != "/" else {"/x"}
            exact = tuple((h.name, h.value) for h in m.headers if h.kind == "exact")
            if exact:
                headers.add(exact)
    return [Request(h, p, meth, hd) for h, p, meth, hd in
            itertools.product(sorted(hosts), sorted(paths), ("GET", "POST"), sorted(headers))]


@pytest.mark.parametrize("name", ["routing", "full"])
def test_kong_picks_the_gateway_api_route(name):
    spec = SPECS / name / "gateway.yml"
    built = harness.build_file(spec)
    assert not built.errors, [d.message for d in built.errors]
    gw = compile_spec(str(spec)).ir.gateways[0]
    doc = built.doc()
    reqs = requests_for(gw)
    assert len(reqs) > 200
    wrong = []
    for q in reqs:
        want = gateway_pick(gw, q, ids.NOT_FOUND)
        got = kong_pick(doc, q)
        if want != got:
            wrong.append((q, want, got))
    assert not wrong, "\n".join(map(str, wrong[:20]))


def test_the_simulation_can_disagree(tmp_path):
    """Guard against a vacuous comparison: a route Kong ranks wrongly is noticed."""
    built = harness.build_file(SPECS / "routing" / "gateway.yml")
    doc = built.doc()
    for s in doc["services"]:
        for r in s.get("routes", []):
            if s["name"] == "v1-mobile":
                r["regex_priority"] = 10_000
    gw = compile_spec(str(SPECS / "routing" / "gateway.yml")).ir.gateways[0]
    q = Request("unknown.test", "/v1/reports", "GET", (("x-client", "ios/1.2"),))
    assert gateway_pick(gw, q, ids.NOT_FOUND)[0] == "v1-reports"
    assert kong_pick(doc, q)[0] == "v1-mobile"


def test_prefix_with_a_trailing_slash_routes_like_the_gateway_api(tmp_path):
    built = harness.build_text(tmp_path, """
version: 1
services:
  a: {url: "http://127.0.0.1:3001/base"}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: slash
        match: {path: /match/}
        service: a
        rewrite: {path: {strip_prefix: true}}
""")
    assert not built.errors, [d.message for d in built.errors]
    doc = built.doc()
    for path, upstream in (("/match", "/base"), ("/match/", "/base/"), ("/match/x", "/base/x")):
        assert kong_pick(doc, Request("a.test", path, "GET", ())) == ("slash", upstream), path
    assert kong_pick(doc, Request("a.test", "/matchx", "GET", ()))[0] == ids.NOT_FOUND
