"""One server per gateway: host-less routes are written once, and a host-specific route holds
only for the host classes (the `map $host` with `hostnames`) it serves. The routing decisions
must be those of the layout it replaced (one server per route hostname, each repeating the
host-less routes below its own) and those of Gateway API: on thousands of generated route
tables through the model of nginx (routing_model.py), on a sample through the real nginx.
300 tables in CI (about 40 s on an idle machine); 3,000 under HYPOTHESIS_PROFILE=long."""
from __future__ import annotations

import json
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatewayc.backends.nginx import routing
from gatewayc.backends.nginx.context import d
from gatewayc.compiler import compile_spec
from gatewayc.ir.precedence import dispatch_for_host, host_matches, server_hosts
from routing_model import Model, Request

PATHS = [("exact", "/a"), ("exact", "/a/b"), ("prefix", "/a"), ("prefix", "/a/b"), ("prefix", "/ab"),
         ("prefix", "/"), ("regex", "/a.*"), ("regex", "/a/[a-z]+"), ("regex", "/ab?"), ("regex", "/[ab]/b")]
HOSTNAMES = ["a.example.com", "b.example.com", "*.example.com", "*.b.example.com", "default"]
HOSTS = ["a.example.com", "b.example.com", "c.example.com", "x.b.example.com", "y.x.b.example.com",
         "example.com", "default", "other.org"]
REQUESTS = ["/", "/a", "/a/", "/a/b", "/a/bc", "/ab", "/abc", "/b/b", "/x"]
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"


def _spec(routes: list[tuple[tuple[str, str], bool, bool, list[str]]]) -> str:
    lines = ["version: 1", "gateways:", "  main:", "    listeners: [{port: 8080}]", "    routes:"]
    for i, ((kind, value), post, header, hostnames) in enumerate(routes):
        match = [f"path: {{{kind}: \"{value}\"}}"]
        if post:
            match.append("methods: [POST]")
        if header:
            match.append("headers: [{name: x-h, value: \"1\"}]")
        lines += [f"      - name: r{i}", f"        match: {{{', '.join(match)}}}",
                  f"        respond: {{status: 200, body: {{route: r{i}}}}}"]
        if hostnames:
            lines.append(f"        hostnames: {json.dumps(hostnames)}")
    return "\n".join(lines) + "\n"


def _per_host_servers(gw, maps, defaults_taken, ctx, extra, classes):
    """The layout before: one server per route hostname (its routes, then every host-less
    route), the default server for every other host."""
    out = []
    for host in [*server_hosts(gw), None]:
        table = dispatch_for_host(gw, host)
        table = routing._reachable(table, [None] * len(table))
        locations = routing.server_locations(gw, table, maps, ctx, [None] * len(table))
        for listeners in routing._listener_groups(gw):
            out.append(d("server", block=[*routing._listen(gw, listeners, host is None, defaults_taken, ctx),
                                          d("server_name", host or ""), *extra, *locations]))
    return out


def _confs(ir, monkeypatch) -> tuple[str, str]:
    from gatewayc.backends.nginx import BACKEND
    from gatewayc.backends.base import BuildOptions

    def one() -> str:
        return BACKEND.build(ir, ir.gateways, BuildOptions("spec.yml", "test")).files["nginx.conf"].decode()

    shared = one()
    with monkeypatch.context() as m:
        m.setattr(routing, "servers", _per_host_servers)
        per_host = one()
    return shared, per_host


def _gateway_api(ir, req: Request) -> str | None:
    """The route Gateway API picks: the most specific matching hostname first, then path
    kind and length, method, header count, spec order (gatewayc.ir.precedence)."""
    best = None
    for e in ir.gateways[0].dispatch:
        hosts = e.route.hostnames
        if hosts:
            specific = [(0, -len(p)) if p.startswith("*.") else (-1, 0) for p in hosts
                        if p == req.host or host_matches(p, req.host)]
            if not specific:
                continue
            rank = min(specific)
        else:
            rank = (1, 0)
        m, p = e.match, e.match.path
        ok = (p.kind == "exact" and req.uri == p.value
              or p.kind == "prefix" and (p.value == "/" or req.uri == p.value or req.uri.startswith(p.value + "/"))
              or p.kind == "regex" and __import__("re").fullmatch(p.value, req.uri) is not None)
        ok = ok and (not m.methods or req.method in m.methods) and all(req.headers.get("x-h") == "1" for _ in m.headers)
        if ok and (best is None or rank < best[0]):  # dispatch is in precedence order: the first of a rank wins
            best = (rank, e.route.name)
    return best and best[1]


def _requests():
    for host in HOSTS:
        for uri in REQUESTS:
            for method in ("GET", "POST"):
                for header in (False, True):
                    yield Request(host, method, uri, {"x-h": "1"} if header else {})


def _route(answer) -> str | None:
    status, body = answer
    return json.loads(body)["route"] if status == 200 else None


routes = st.lists(st.tuples(st.sampled_from(PATHS), st.booleans(), st.booleans(),
                            st.lists(st.sampled_from(HOSTNAMES), max_size=2, unique=True)), min_size=1, max_size=7)


def _compiled(tmp_path_factory, text):
    spec = tmp_path_factory.mktemp("spec") / "spec.yml"
    spec.write_text(text)
    c = compile_spec(str(spec))
    if not c.ok:  # a conflicting or shadowed route is refused; tested elsewhere
        assert all(x.code in ("GWC202", "GWC203") for x in c.diagnostics if x.is_error), c.diagnostics
    return c


@settings(max_examples=3000 if LONG else 300, deadline=None, derandomize=not LONG,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(routes)
def test_one_server_routes_as_one_server_per_hostname_did(tmp_path_factory, monkeypatch, table):
    text = _spec(table)
    c = _compiled(tmp_path_factory, text)
    if not c.ok:
        return
    shared, per_host = _confs(c.ir, monkeypatch)
    assert shared.count("server {") == 1
    new, old = Model(shared), Model(per_host)
    for req in _requests():
        got = _route(new.answer(req))
        assert got == _route(old.answer(req)) == _gateway_api(c.ir, req), (text, req)


@pytest.mark.parametrize("seed", range(4))
def test_real_nginx_routes_as_the_model_says(seed, gateway, tmp_path_factory):
    rng = random.Random(seed)
    c = None
    while c is None or not c.ok:  # the first table of the seed that is not refused
        table = [(rng.choice(PATHS), rng.random() < 0.3, rng.random() < 0.3,
                  rng.sample(HOSTNAMES, rng.choice([0, 1, 1, 2]))) for _ in range(rng.randint(4, 8))]
        text = _spec(table)
        c = _compiled(tmp_path_factory, text)
    gw = gateway(text)
    model = Model(gw.conf)
    for req in _requests():
        r = gw.request(req.method, req.uri, req.headers or None, host=req.host)
        got = r.json().get("route") if r.status == 200 else None
        assert got == _route(model.answer(req)) == _gateway_api(c.ir, req), (text, req, r.status, r.body)
