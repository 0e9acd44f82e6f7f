"""Kong route planning compares only routes whose paths can meet (an index of path starts);
the simple planner compares every pair after every change. On generated route tables both
must give the same kong.yml and the same diagnostics."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatewayc.backends.kong import routes
from gatewayc.backends.kong.routes import Planned, can_overlap, kong_priority
from gatewayc.build import build

SEGMENTS = ["a", "ab", "b", "x1"]
REGEXES = ["/a.*", "/a/[a-z]+", "/ab?", "/[ab]/b", "/a/b/[0-9]+", "/(?:a|b)/c", "/a|/b", "/x1/.+\\.(?:pdf|png)"]
HOSTS = ["a.example.com", "*.example.com", "b.example.com"]


class _Pairwise:
    """The oracle: Kong's ranking recomputed for the whole table, every pair compared."""

    def __init__(self, planned: list[Planned]) -> None:
        self.planned = planned
        self.keys = {routes._key(p) for p in planned}
        self.resolved: set = set()

    def add(self, p: Planned) -> None:
        self.keys.add(routes._key(p))

    def first(self):
        ordered = sorted(self.planned, key=Planned.sort_key)
        total = len(ordered)
        prio = {id(p): kong_priority({**p.entity, "regex_priority": total - i}) for i, p in enumerate(ordered)}
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                pair = (routes._key(a), routes._key(b))
                if a.route is not b.route and prio[id(b)] > prio[id(a)] and pair not in self.resolved \
                        and can_overlap(a, b):
                    self.resolved.add(pair)
                    return a, b
        return None


@st.composite
def specs(draw) -> str:
    lines = ["version: 1", "services:", "  s: {url: http://127.0.0.1:9}", "gateways:", "  main:",
             "    listeners: [{port: 8080}]", "    routes:"]
    for i in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["exact", "prefix", "regex"]))
        value = draw(st.sampled_from(REGEXES)) if kind == "regex" else \
            "/" + "/".join(draw(st.lists(st.sampled_from(SEGMENTS), max_size=3)))
        match = [f"path: {{{kind}: \"{value.replace(chr(92), chr(92) * 2)}\"}}"]
        if draw(st.booleans()):
            match.append(f"methods: [{draw(st.sampled_from(['GET', 'POST', 'GET, POST']))}]")
        headers = draw(st.lists(st.sampled_from(["x-a", "x-b", "x-c"]), unique=True, max_size=3))
        if headers:
            match.append("headers: {" + ", ".join(f"{h}: \"{draw(st.sampled_from(['1', '2']))}\"" for h in headers)
                         + "}")
        lines += [f"      - name: r{i}", f"        match: {{{', '.join(match)}}}", "        service: s"]
        hosts = draw(st.lists(st.sampled_from(HOSTS), unique=True, max_size=2))
        if hosts:
            lines.append(f"        hostnames: {hosts}")
    return "\n".join(lines) + "\n"


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(specs())
def test_same_kong_config_as_comparing_every_pair(tmp_path_factory, text):
    spec = tmp_path_factory.mktemp("spec") / "spec.yml"
    spec.write_text(text)
    fast = build(str(spec), ["kong"], source="spec.yml")
    original = routes._Inversions
    routes._Inversions = _Pairwise
    try:
        pairwise = build(str(spec), ["kong"], source="spec.yml")
    finally:
        routes._Inversions = original
    assert fast.ok == pairwise.ok
    assert fast.files == pairwise.files
    assert fast.diagnostics == pairwise.diagnostics
