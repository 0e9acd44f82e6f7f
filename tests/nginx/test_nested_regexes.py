"""Regex locations nested under the prefix locations they can match below (routing._nest):
a request under such a prefix tries only those regexes, and still gets the route Gateway API
precedence picks, also for paths that are not UTF-8 and where a regex with a short literal
start outranks one nested deeper."""
from __future__ import annotations

import crossplane

SPEC = """
version: 1
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - {name: a, match: /a, respond: {status: 200, body: {route: a}}}
      - {name: ab, match: /a/b, respond: {status: 200, body: {route: ab}}}
      - {name: abc, match: /a/b/c, respond: {status: 200, body: {route: abc}}}
      - {name: ids, match: {path: {regex: "/a/b/[0-9]+"}}, respond: {status: 200, body: {route: ids}}}
      - {name: short, match: {path: {regex: "/[a-z]+/b/.*"}}, respond: {status: 200, body: {route: short}}}
      - {name: other, match: {path: {regex: "/z/[0-9]+"}}, respond: {status: 200, body: {route: other}}}
      - {name: static, match: /s, respond: {status: 200, body: {route: static}}}
"""


def _route(gw, path):
    r = gw.request("GET", path)
    return r.json()["route"] if r.status == 200 else r.status


def test_nested_regexes_keep_precedence(gateway):
    gw = gateway(SPEC)
    # "/[a-z]+/b/.*" is the longer pattern: it ranks before "/a/b/[0-9]+" and wins where both match
    assert _route(gw, "/a/b/7") == "short"
    assert _route(gw, "/q/b/7") == "short"
    assert _route(gw, "/a/b") == "ab"
    assert _route(gw, "/a/x") == "a"
    assert _route(gw, "/a/b/c") == "short"  # a regex outranks every prefix
    assert _route(gw, "/a/b/c/d") == "short"
    assert _route(gw, "/a/bc/d") == "a"
    assert _route(gw, "/z/9") == "other"
    assert _route(gw, "/z/x") == 404
    assert _route(gw, "/s/x") == "static"
    # not UTF-8: no regex matches, the longest prefix route takes it, never a 500
    assert _route(gw, "/a/b/%FF") == "ab"
    assert _route(gw, "/a/%FF") == "a"
    assert _route(gw, "/a/b/c/%FF") == "abc"
    assert _route(gw, "/z/%FF") == 404


def _locations(block, depth=0):
    for x in block:
        if x["directive"] == "location":
            yield depth, x["args"]
            yield from _locations(x.get("block", []), depth + 1)


def test_a_regex_that_only_matches_below_a_prefix_is_only_there(gateway, tmp_path):
    gw = gateway(SPEC)
    conf = tmp_path / "nginx.conf"
    conf.write_text(gw.conf)
    tree = crossplane.parse(str(conf), single=True, check_ctx=False, check_args=False)
    http = next(x for x in tree["config"][0]["parsed"] if x["directive"] == "http")["block"]
    server = next(x for x in http if x["directive"] == "server")["block"]
    locs = list(_locations(server))
    ids = [(depth, args) for depth, args in locs if any("[0-9]+)" in a for a in args) and "/a/b/" in args[-1]]
    # inside the wrapped prefixes it may match below (/a/, /a/b/, /a/b/c/), not at server level
    assert len(ids) == 3 and all(depth == 1 for depth, _ in ids)
    assert [0, ["^~", "/a/"]] in [[dp, a] for dp, a in locs]
    # the short-start regex can match anywhere: it stays at server level and is repeated inside
    short = [depth for depth, args in locs if any("[a-z]+/b/" in a for a in args)]
    assert 0 in short and short.count(1) >= 2
