"""The Traefik backend's shortcuts (build speed, issue 15) against the simple paths they
replace: the dumper's per-text escape against escaping every string first, the raw-string
test of a rule value, the per-gateway memo of the answers. Over the test specs, the examples,
generated route tables and (for strings) hypothesis."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gatewayc.backends.traefik import plugin, render, rules
from gatewayc.backends.traefik.context import Ctx, Raw
from gatewayc.backends.traefik.document import dynamic
from gatewayc.compiler import compile_spec
from hostile_strings import ALL as HOSTILE

REPO = Path(__file__).parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from gen_mix import spec_text  # noqa: E402

SPECS = sorted(REPO.glob("tests/*/specs/*.yml")) + sorted((REPO / "examples").rglob("*.yml"))


def _irs(mix_spec: Path) -> list:
    """The IR of every spec that compiles (some example files are only included by others)."""
    out = [(p, compile_spec(str(p), ()).ir) for p in [*SPECS, mix_spec]]
    out = [(p, ir) for p, ir in out if ir is not None]
    assert len(out) >= 15 and out[-1][0] == mix_spec
    return out


@pytest.fixture(scope="module")
def mix_spec(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("mix") / "mix.yml"
    p.write_text(spec_text(600))
    return p


def test_dumped_escape_is_the_walk_on_real_documents(mix_spec):
    for spec, ir in _irs(mix_spec):
        doc = dynamic(tuple(sorted(ir.gateways, key=lambda g: g.name)), Ctx())
        assert render.template_yaml(doc) == render.walked_yaml(doc), spec


_text = st.one_of(st.text(), st.sampled_from(HOSTILE),
                  st.lists(st.sampled_from(["{", "{{", "}", "`", '"', "\\", "a", " ", "\n", "\x85", ":", "-"]))
                  .map("".join))
_leaf = st.one_of(_text, _text.map(Raw), st.integers(), st.booleans(), st.none())
_docs = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(_text, inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_text, _docs, max_size=5))
# keys on either side of the dumper's implicit-key limit, before and after the escape
@example({"k" * 508 + "{{": "v"})
@example({"k" * 510 + "{{": "v"})
@example({"k" * 511 + "{{": "v"})
@example({"{{" * 200: {"{{" * 300: ["{{"]}})
@example({"a": Raw('{{ env "X" | toJson }}'), "b": [Raw("{{ x }}"), "{{ x }}"]})
def test_dumped_escape_is_the_walk(doc):
    assert render.template_yaml(doc) == render.walked_yaml(doc)


def _go_string_simple(s: str) -> str:
    import json
    if "`" in s or any(ord(c) < 0x20 or c == "\x7f" for c in s):
        return json.dumps(s, ensure_ascii=False)
    return f"`{s}`"


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), st.sampled_from(HOSTILE), st.text(alphabet=st.characters(max_codepoint=0x9f))))
def test_go_string_is_the_simple_test(s):
    assert rules.go_string(s) == _go_string_simple(s)


def test_gateway_answers_memo_is_the_answer_made_afresh(mix_spec):
    for spec, ir in _irs(mix_spec):
        for gw in ir.gateways:
            warm = [plugin.route_answers(gw, r) for r in gw.routes]
            cold = []
            for r in gw.routes:
                plugin._last_answers[:] = [None, {}]
                cold.append(plugin.route_answers(gw, r))
            assert warm == cold, spec
