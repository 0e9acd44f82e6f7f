"""Random route tables: the route nginx picks for a request must be the one Gateway API
precedence (gatewayc.ir.precedence) picks. A small model, many tables, the real nginx."""
from __future__ import annotations

import random
import re

import pytest

from gatewayc.compiler import compile_spec

PATHS = [("exact", "/a"), ("exact", "/a/b"), ("prefix", "/a"), ("prefix", "/a/b"), ("prefix", "/ab"),
         ("prefix", "/"), ("regex", "/a.*"), ("regex", "/a/[a-z]+"), ("regex", "/ab?"), ("regex", "/[ab]/b")]
REQUESTS = ["/", "/a", "/a/", "/a/b", "/a/bc", "/ab", "/abc", "/a/b/c", "/b/b", "/x"]


def _table(rng: random.Random) -> str:
    lines = ["version: 1", "gateways:", "  main:", "    listeners: [{port: 8080}]", "    routes:"]
    for i in range(rng.randint(2, 6)):
        kind, value = rng.choice(PATHS)
        match = [f"path: {{{kind}: \"{value}\"}}"]
        if rng.random() < 0.3:
            match.append("methods: [POST]")
        if rng.random() < 0.3:
            match.append("headers: [{name: x-h, value: \"1\"}]")
        lines += [f"      - name: r{i}", f"        match: {{{', '.join(match)}}}",
                  f"        respond: {{status: 200, body: {{route: r{i}}}}}"]
    return "\n".join(lines) + "\n"


def _expected(spec, method: str, path: str, header: bool) -> str | None:
    for d in spec.gateways[0].dispatch:  # already in precedence order (no hostnames here)
        m = d.match
        p = m.path
        ok = (p.kind == "exact" and path == p.value
              or p.kind == "prefix" and (p.value == "/" or path == p.value or path.startswith(p.value + "/"))
              or p.kind == "regex" and re.fullmatch(p.value, path) is not None)
        ok = ok and (not m.methods or method in m.methods)
        ok = ok and all(header and h.value == "1" for h in m.headers)
        if ok:
            return d.route.name
    return None


@pytest.mark.parametrize("seed", range(60))
def test_nginx_picks_the_route_precedence_picks(seed, gateway, tmp_path):
    rng = random.Random(seed)
    text = _table(rng)
    spec_file = tmp_path / "model.yml"
    spec_file.write_text(text)
    c = compile_spec(str(spec_file))
    if not c.ok:  # a table with a conflicting or shadowed route is refused; that is tested elsewhere
        assert all(d.code in ("GWC202", "GWC203") for d in c.diagnostics if d.is_error), c.diagnostics
        return
    gw = gateway(text)
    for path in REQUESTS:
        for method in ("GET", "POST"):
            for header in (False, True):
                want = _expected(c.ir, method, path, header)
                r = gw.request(method, path, {"x-h": "1"} if header else None)
                got = r.json().get("route") if r.status == 200 else None
                assert got == want, (text, method, path, header, r.status, r.body)
