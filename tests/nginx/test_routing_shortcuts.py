"""The cheaper ways routing.py does its work (issue 15, build speed) give what the simple
ways give: _alike's key of an action tells two actions apart exactly when their reprs do,
_Reach._seg_prefixes cuts a path where the test of every character did, and _choose with a
build's shared directives writes what it writes with fresh ones."""
from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.backends.nginx import routing
from gatewayc.backends.nginx.context import Context
from gatewayc.backends.nginx.render import render
from gatewayc.compiler import compile_spec
from gatewayc.ir import model as ir

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_mix import spec_text  # noqa: E402


def _irs(tmp: Path) -> list[ir.IR]:
    specs = sorted(ROOT.glob("examples/**/*.yml")) + sorted(ROOT.glob("tests/spec/cases/*.yml"))
    specs += sorted(ROOT.glob("tests/*/specs/**/*.yml"))
    (tmp / "mix.yml").write_text(spec_text(300))
    out = []
    for spec in [*specs, tmp / "mix.yml"]:
        c = compile_spec(str(spec), ())
        got = c.ir if c.ok else c.partial
        if got is not None:
            out.append(got)
    return out


def _partition(items: list, key) -> set[frozenset[int]]:
    groups: dict = {}
    for i, x in enumerate(items):
        groups.setdefault(key(x), set()).add(i)
    return {frozenset(g) for g in groups.values()}


def test_action_key_groups_as_repr_does(tmp_path):
    """Over every action of the examples, the test specs and a mix (and two pairs that ==
    takes for equal but that render differently), the key groups actions as repr does."""
    actions = [r.action for spec in _irs(tmp_path) for gw in spec.gateways for r in gw.routes]
    actions += [ir.Respond(200, {"a": 1, "b": 2}), ir.Respond(200, {"b": 2, "a": 1}),
                ir.Respond(200, True), ir.Respond(200, 1)]
    assert len(actions) > 400
    reprs: dict[int, str] = {}
    assert _partition(actions, lambda a: routing._shown(a, reprs)) == _partition(actions, repr)
    assert routing._shown(actions[-2], reprs) != routing._shown(actions[-1], reprs)


_PATH = st.lists(st.sampled_from(["", "a", "ab", "/", "é"]), max_size=8).map(lambda p: "/" + "/".join(p))


@settings(max_examples=2000, deadline=None)
@given(_PATH, st.lists(_PATH, max_size=6))
def test_seg_prefixes_cut_where_every_character_test_did(path, prefixes):
    reach = routing._Reach([])
    reach.prefix = {q: [i] for i, q in enumerate(dict.fromkeys(["/", *prefixes]))}
    cuts = {path} | {path[:k] for k in range(1, len(path)) if path[k] == "/"}
    simple = list(reach.prefix["/"])
    for q in cuts - {"/"}:
        simple += reach.prefix.get(q, ())
    assert sorted(reach._seg_prefixes(path)) == sorted(simple)


_COND = st.sampled_from([("$uri", "/a(?:/|\\z)", False), (":$http_x", ":(?:[0-9]+)\\z", True),
                         ("$request_method", "(?:GET)\\z", False), (routing.HOST, "(?:0|2)\\z", False)])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_COND, min_size=1, max_size=3), min_size=1, max_size=6))
def test_choose_with_shared_directives_writes_what_fresh_ones_do(candidates):
    ctx = Context(ir.IR((), (), "spec.yml"), ())
    jumps = [[{"directive": "return", "args": [str(i)]}] for i in range(len(candidates))]
    shared = [x for conds, then in zip(candidates, jumps) for x in routing._choose(conds, then, ctx)]
    fresh = [x for conds, then in zip(candidates, jumps) for x in routing._choose(conds, then)]
    assert shared == fresh
    assert render(shared, 1) == render(fresh, 1)
