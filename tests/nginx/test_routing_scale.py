"""Routing at scale on the real nginx: a location with hundreds of candidates still picks
the first that matches, and the config names no variable per route (nginx allocates and
zeroes a slot for every variable a config refers to in every request: 11,800 map chains
for 10,000 routes made each request cost five times a one-route config's)."""
from __future__ import annotations

import re

N = 300


def _spec() -> str:
    routes = [f"      - {{name: r{i}, match: /r{i}, respond: {{status: 200, body: {{route: r{i}}}}}}}"
              for i in range(N)]
    # a regex without a literal start: no prefix location may skip the regex scan, and a
    # path that is not UTF-8 goes to the one location that picks among every prefix route
    routes.append("      - {name: rx, match: {path: {regex: \"/[a-z0-9]+/zz\"}}, "
                  "respond: {status: 200, body: {route: rx}}}")
    return "version: 1\ngateways:\n  main:\n    listeners: [{port: 8080}]\n    routes:\n" + "\n".join(routes) + "\n"


def test_the_first_matching_of_hundreds_of_candidates_wins(gateway):
    gw = gateway(_spec())
    for i in (0, 1, 127, 128, 129, 200, 255, 256, N - 1):
        r = gw.request("GET", f"/r{i}/%FF")
        assert r.status == 200 and r.json()["route"] == f"r{i}", (i, r.status, r.body)
    assert gw.request("GET", "/r250/zz").json()["route"] == "rx"
    assert gw.request("GET", "/r250/x").json()["route"] == "r250"
    assert gw.request("GET", "/nothing/%FF").status == 404


def _conditional_spec(n: int) -> str:
    """n routes, each with a method, a header and a query condition, several to a path."""
    routes = [f"      - {{name: r{i}, match: {{path: {{prefix: /p{i % 7}}}, methods: [GET], "
              f"headers: [{{name: x-k, regex: \"k{i}[0-9]*\"}}], query: {{q: v{i}}}}}, "
              f"respond: {{status: 200, body: {{route: r{i}}}}}"
              # every third route on a hostname of its own: host classes are one variable
              + (f", hostnames: [h{i}.example.com, \"*.w{i}.example.com\"]" if i % 3 == 0 else "")
              + "}" for i in range(n)]
    return "version: 1\ngateways:\n  main:\n    listeners: [{port: 8080}]\n    routes:\n" + "\n".join(routes) + "\n"


def test_the_variables_a_config_names_do_not_grow_with_its_routes(build_spec):
    def variables(n: int) -> set[str]:
        _, out = build_spec(_conditional_spec(n))
        return set(re.findall(r"\$\{?(gwc_\w+)", out.files["nginx.conf"].decode()))

    few, many = variables(20), variables(200)
    assert many == few, sorted(many - few)[:10]


def test_a_header_value_that_is_not_utf8_matches_no_header_regex(gateway):
    gw = gateway("version: 1\ngateways:\n  main:\n    listeners: [{port: 8080}]\n    routes:\n"
                 "      - {name: rx, match: {path: /a, headers: [{name: x-k, regex: \".+\"}]}, "
                 "respond: {status: 200, body: {route: rx}}}\n"
                 "      - {name: plain, match: /a, respond: {status: 200, body: {route: plain}}}\n")
    assert gw.request("GET", "/a", headers={"X-K": "é".encode()}).json()["route"] == "rx"
    r = gw.request("GET", "/a", headers={"X-K": b"\xff"})
    assert r.status == 200 and r.json()["route"] == "plain", (r.status, r.body)
