"""A location with more candidates than one nginx map can select among: the choice is split
into chained maps and still picks the first candidate that matches, on the real nginx."""
from __future__ import annotations

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
