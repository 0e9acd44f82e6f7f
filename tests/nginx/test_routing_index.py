"""The NGINX routing analysis compares only the candidates its path indexes give; the
simple analysis compares every location with every entry. On thousands of generated route
tables both must give the same answer: which entries can reach each location, which prefix
locations may skip the regex scan, and in the end the same nginx.conf."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatewayc.backends.nginx import routing
from gatewayc.backends.nginx.routing import Loc, _locations, _path_cond, _Reach, literal_prefix
from gatewayc.build import build
from gatewayc.prefixindex import PrefixIndex

# few segments, so that paths often share prefixes, nest and collide
SEGMENTS = ["a", "ab", "b", "a.b", "x1"]
REGEXES = ["/a.*", "/a/[a-z]+", "/ab?", "/[ab]/b", "/a/b/[0-9]+", "/(?:a|b)/c", "/a|/b", "/a/b(?:/x)?",
           "/x1/.+\\.(?:pdf|png)", "(?i)/a/b", "/a/b{2}", "/a\\.b/.*", "/ab/x1/[0-9]+", ".*"]


@st.composite
def paths(draw) -> tuple[str, str]:
    kind = draw(st.sampled_from(["exact", "prefix", "regex"]))
    if kind == "regex":
        return kind, draw(st.sampled_from(REGEXES))
    segs = draw(st.lists(st.sampled_from(SEGMENTS), max_size=3))
    return kind, "/" + "/".join(segs)


def _entry(kind: str, value: str):
    return SimpleNamespace(match=SimpleNamespace(path=SimpleNamespace(kind=kind, value=value)))


def _no_regex_below_pairwise(prefix: str, literals: list[str]) -> bool:
    below = prefix + "/"
    return all(not (lit.startswith(below) or below.startswith(lit)) for lit in literals)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paths(), min_size=1, max_size=12), st.lists(paths(), max_size=4))
def test_candidates_are_exactly_the_reaching_entries(table_paths, extra):
    table = [_entry(k, v) for k, v in table_paths]
    reach = _Reach(table)
    locs = _locations(table)
    # also locations of paths the table does not have
    locs += [Loc("=", v, "exact", v) for k, v in extra if k != "regex"]
    locs += [Loc("~", v, "regex", v) for k, v in extra if k == "regex"]
    locs += [Loc("", v + "/", "prefix", v) for k, v in extra if k == "prefix"]
    for loc in locs:
        fast = [i for i in reach.candidates(loc) if _path_cond(table[i], loc)[0]]
        pairwise = [i for i, e in enumerate(table) if _path_cond(e, loc)[0]]
        assert fast == pairwise, loc
        assert [_path_cond(table[i], loc) for i in fast] == [_path_cond(table[i], loc) for i in pairwise]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(REGEXES), max_size=6), paths())
def test_caret_decision_matches_the_pairwise_one(regexes, path):
    literals = [literal_prefix(rx) for rx in regexes]
    prefix = path[1]
    assert routing._no_regex_below(prefix, PrefixIndex((lit, None) for lit in literals)) \
        is _no_regex_below_pairwise(prefix, literals)


class _EveryEntry(_Reach):
    """The pairwise oracle: every entry is a candidate of every location."""

    def candidates(self, loc: Loc) -> list[int]:
        return list(range(len(self.table)))


@st.composite
def specs(draw) -> str:
    lines = ["version: 1", "gateways:", "  main:", "    listeners: [{port: 8080}]", "    routes:"]
    for i in range(draw(st.integers(1, 7))):
        kind, value = draw(paths())
        match = [f"path: {{{kind}: \"{value.replace(chr(92), chr(92) * 2)}\"}}"]
        if draw(st.booleans()):
            match.append("methods: [POST]")
        if draw(st.booleans()):
            match.append("headers: [{name: x-h, value: \"1\"}]")
        lines += [f"      - name: r{i}", f"        match: {{{', '.join(match)}}}",
                  f"        respond: {{status: 200, body: {{route: r{i}}}}}"]
        if draw(st.booleans()):
            lines.append("        hostnames: [\"a.example.com\"]")
    return "\n".join(lines) + "\n"


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(specs())
def test_same_config_as_the_pairwise_analysis(tmp_path_factory, text):
    spec = tmp_path_factory.mktemp("spec") / "spec.yml"
    spec.write_text(text)
    fast = build(str(spec), ["nginx"], source="spec.yml")
    original = routing._Reach
    routing._Reach = _EveryEntry
    try:
        pairwise = build(str(spec), ["nginx"], source="spec.yml")
    finally:
        routing._Reach = original
    assert fast.ok == pairwise.ok
    assert fast.files == pairwise.files
    assert fast.diagnostics == pairwise.diagnostics
