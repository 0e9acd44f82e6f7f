"""Hostile strings stay inert: quoted, escaped, and never interpolated by nginx."""
from __future__ import annotations

import dataclasses
import tempfile

import crossplane
from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.backends.base import BuildOptions
from gatewayc.backends.nginx import BACKEND
from gatewayc.backends.nginx.render import quote, render

from nginx_harness import nginx_test, parse_conf, unescape, write_output

HOSTILE = 'x"; return 200 "pwned"; #{ } \\ $host ${x} \' ;'

SPEC = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: evil
        match:
          path: {regex: '/e/(a|b)"; return 200 "pwned"; }{ $'}
          headers: [{name: x-m, value: 'v"; }{$host'}]
        service: a
        policies:
          request:
            headers: {set: {x-evil: %(h)s}}
          response:
            headers: {set: {x-out: %(h)s}}
      - name: plain
        match: {path: /p}
        respond: {status: 200, body: {said: %(h)s}}
""" % {"h": "'" + HOSTILE.replace("'", "''") + "'"}


def test_hostile_values_reach_the_upstream_verbatim(gateway, echo_upstream):
    gw = gateway(SPEC, {"A": echo_upstream("a")})
    assert gw.request("GET", "/p").json() == {"said": HOSTILE}
    r = gw.request("GET", '/e/a";%20return%20200%20"pwned";%20}{%20', {"x-m": 'v"; }{$host'})
    assert r.status == 200, r.body
    assert r.json()["headers"]["x-evil"] == HOSTILE
    assert r.headers["x-out"] == HOSTILE
    nodes = parse_conf(gw.dir)
    returns = [n for n in nodes if n["directive"] == "return"]
    assert not any(unescape(a) == "pwned" for n in returns for a in n["args"])
    sets = [n for n in nodes if n["directive"] == "proxy_set_header" and n["args"][0] == "x-evil"]
    assert [unescape(sets[0]["args"][1])] == [HOSTILE.replace("$", "${gwc_dollar}")]


def test_ir_level_path_injection_is_one_location(build_spec, echo_upstream, tmp_path):
    """Past the spec's own checks (as if a bug let it through), a path still cannot escape."""
    spec, _ = build_spec(SPEC, {"A": echo_upstream("a")})
    gw = spec.gateways[0]
    route = gw.routes[1]
    evil = '/x; return 200 "pwned"; }\n location / { return 200 "$host"'
    match = dataclasses.replace(route.matches[0], path=dataclasses.replace(route.matches[0].path,
                                                                             kind="exact", value=evil))
    route = dataclasses.replace(route, matches=(match,))
    dispatch = tuple(dataclasses.replace(d, route=route, match=match) if d.route.name == "plain" else d
                     for d in gw.dispatch)
    gw = dataclasses.replace(gw, routes=(gw.routes[0], route), dispatch=dispatch)
    spec = dataclasses.replace(spec, gateways=(gw,))
    out = BACKEND.build(spec, spec.gateways, BuildOptions("x", "test"))
    out_dir = tmp_path / "evil"
    write_output(out_dir, out.files)
    assert nginx_test(out_dir).returncode == 0
    nodes = parse_conf(out_dir)
    locs = [n for n in nodes if n["directive"] == "location" and n["args"][0] == "="
            and not n["args"][1].startswith("//_gwc/")]  # gatewayc's own internal locations
    assert [unescape(n["args"][1]) for n in locs] == [evil]
    assert len([n for n in nodes if n["directive"] == "server" and "block" in n]) == 1


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_render_round_trips_any_argument(arg):
    text = render([{"directive": "set", "args": ["$v", arg]}])
    with tempfile.NamedTemporaryFile("w", suffix=".conf", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        tokens = [t for t, _, _ in crossplane.lex(f.name)]
    assert len(tokens) == 4 and tokens[-1] == ";"
    assert unescape(tokens[2]) == arg
    assert quote(arg).startswith('"') and quote(arg).endswith('"')
