"""The Envoy backend's shortcuts (build speed, issue 15) against the simple paths they
replace: the one-walk limits check against a walk per check (the route configuration's bodies
walked again), over the test specs, the examples, a generated route table and hypothesis
trees."""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatewayc.backends.envoy import limits
from gatewayc.backends.envoy.backend import bootstrap
from gatewayc.backends.envoy.context import Ctx
from gatewayc.compiler import compile_spec

REPO = Path(__file__).parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from gen_mix import spec_text  # noqa: E402

SPECS = sorted(REPO.glob("tests/*/specs/*.yml")) + sorted((REPO / "examples").rglob("*.yml"))


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _nodes(v)


def _check_simple(doc: dict, origin, ctx: Ctx) -> None:
    """The limits check as first written: every mapping, then each route configuration's again."""
    for node in _nodes(doc):
        header = node.get("header")
        if isinstance(header, dict) and "key" in header:
            for part in ("key", "value"):
                text = header.get(part, "")
                if isinstance(text, str) and len(text.encode()) > limits.HEADER_BYTES:
                    limits._refuse(ctx, origin, text, f"a header {'name' if part == 'key' else 'value'}",
                                   limits.HEADER_BYTES)
        for q in node.get("query_parameters", ()) if isinstance(node.get("query_parameters"), list) else ():
            if len(q.get("name", "").encode()) > limits.QUERY_NAME_BYTES:
                limits._refuse(ctx, origin, q["name"], "a query parameter name to match", limits.QUERY_NAME_BYTES)
        if isinstance(node.get("route_config"), dict):
            longest = max((len(n["body"]["inline_string"].encode()) for n in _nodes(node["route_config"])
                           if isinstance(n.get("body"), dict) and "inline_string" in n["body"]
                           and "status" in n), default=0)
            if longest > limits.DIRECT_BODY_DEFAULT:
                node["route_config"]["max_direct_response_body_size_bytes"] = longest


def _same_check(doc: dict, origin) -> None:
    fast, simple = copy.deepcopy(doc), copy.deepcopy(doc)
    ctx_fast, ctx_simple = Ctx(), Ctx()
    limits.check(fast, origin, ctx_fast)
    _check_simple(simple, origin, ctx_simple)
    assert fast == simple
    assert ctx_fast.notes == ctx_simple.notes


@pytest.fixture(scope="module")
def mix_spec(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("mix") / "mix.yml"
    p.write_text(spec_text(600))
    return p


def test_limits_check_is_the_simple_walk_on_real_documents(mix_spec):
    done = 0
    for spec in [*SPECS, mix_spec]:
        ir = compile_spec(str(spec), ()).ir
        if ir is None:
            continue  # a file only included by others
        _same_check(bootstrap(tuple(ir.gateways), Ctx()), ir.origin)
        done += 1
    assert done >= 15


def _origin(text: str):
    return None


# texts on either side of the limits, counted in bytes
_long = st.sampled_from([("", 0), ("x", 1), ("é", 2049), ("b", 4097), ("h", 16385), ("q", 1025), ("€", 5462)]
                        ).map(lambda text_times: text_times[0] * text_times[1])
# the shapes the checks look at, and the scalars around them
_direct = st.builds(lambda text, status: {"status": status, "body": {"inline_string": text}}, _long, st.integers(0, 3))
_header = st.builds(lambda k, v: {"header": {"key": k, "value": v}}, _long, _long)
_query = st.builds(lambda n: {"query_parameters": [{"name": n}]}, _long)
_leaf = st.one_of(_long, st.integers(0, 3), _direct, _header, _query)
_keys = st.sampled_from(["header", "key", "value", "query_parameters", "name", "route_config", "body",
                         "inline_string", "status", "routes", "x"])
_trees = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(_keys, inner, max_size=4),
                                                     inner.map(lambda t: {"route_config": t})), max_leaves=25)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _trees, max_size=4))
def test_limits_check_is_the_simple_walk(doc):
    try:
        _check_simple(copy.deepcopy(doc), _origin, Ctx())
    except (AttributeError, TypeError):
        return  # a shape the backend never builds (e.g. a query parameter that is not a mapping)
    _same_check(doc, _origin)
