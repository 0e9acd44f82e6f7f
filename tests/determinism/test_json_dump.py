"""to_json writes what json.dumps(indent=2, ensure_ascii=False, allow_nan=False) writes, and
refuses what json.dumps refuses, for any data: plain data (which orjson writes), data that
orjson must not write (floats, subclasses, non-str keys, integers beyond 64 bits, lone
surrogates, deep nesting), and every character."""
from __future__ import annotations

import collections
import enum
import json
import math
import os
import sys

from hostile_strings import ALL as HOSTILE
from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.output.dump import Raw, _orjson_plain, to_json

EXAMPLES = 3000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 300


class Name(str):
    pass


class Count(enum.IntEnum):
    ONE = 1


class Items(list):
    def __iter__(self):
        return iter([*list.__iter__(self)][::-1])


class Backwards(dict):
    def items(self):
        return reversed(list(dict.items(self)))


def _reference(v):
    try:
        return json.dumps(v, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except (TypeError, ValueError) as e:
        return type(e)


def _written(v):
    try:
        return to_json(v)
    except (TypeError, ValueError) as e:
        return type(e)


any_char = st.characters(exclude_categories=())  # surrogates too
strings = st.one_of(st.text(any_char, max_size=12), st.sampled_from(HOSTILE),
                    st.text(st.sampled_from('a"\\/\x00\x1f\x7f\b\f\n\r\t\x85\u2028\ufffe\uffff\U0001f600é'),
                            max_size=8))
# what orjson writes: no floats, no subclasses, str keys
plain_scalars = st.one_of(strings, st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1),
                          st.sampled_from([0, -1, 2**63 - 1, 2**63, 2**64 - 1, -(2**63)]))
plain = st.recursive(plain_scalars, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(strings, inner, max_size=4), max_leaves=40)
# and what it must not
scalars = plain_scalars | st.one_of(
    st.integers(), st.sampled_from([2**64, -(2**63) - 1, 10**40]), st.floats(),
    st.sampled_from([1e16, 1e-7, 0.1, -0.0, 1.0, 5e-324]), strings.map(Name), strings.map(Raw), st.just(Count.ONE),
)
keys = strings | strings.map(Name) | st.integers(-3, 3) | st.none() | st.booleans() | st.floats()
data = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(Items),
        st.tuples(inner, inner),
        st.dictionaries(strings, inner, max_size=4),
        st.dictionaries(keys, inner, max_size=3),
        st.dictionaries(strings, inner, max_size=3).map(Backwards),
        st.dictionaries(strings, inner, max_size=3).map(collections.OrderedDict),
    ),
    max_leaves=40,
)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "long")
@given(plain)
def test_plain_data_the_same_text_as_json_dumps(v):
    assert _written(v) == _reference(v)
    assert _written({"a": v, "b": [v, {"c": v}]}) == _reference({"a": v, "b": [v, {"c": v}]})


@settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "long")
@given(data)
def test_any_data_the_same_text_as_json_dumps(v):
    assert _written(v) == _reference(v)


def test_plain_data_goes_to_orjson_and_nothing_else_does():
    # the differential tests above exercise the orjson path only if plain data takes it
    assert _orjson_plain({"a": [1, True, None, "x", {}, []], "b": {"c": 2**70}})
    assert _orjson_plain("x") and _orjson_plain(None)
    for odd in (1.5, Name("a"), Count.ONE, Items(), Backwards(), collections.OrderedDict(), (1,)):
        assert not _orjson_plain(odd)
        assert not _orjson_plain({"a": [odd]})


def test_every_character_is_written_as_json_writes_it():
    # orjson and json escape each character on its own, so each character written alike, in
    # strings and keys, is every string written alike; lone surrogates take the fallback
    for start in range(0, sys.maxunicode + 1, 1 << 12):
        chunk = "".join(map(chr, range(start, min(start + (1 << 12), sys.maxunicode + 1))))
        doc = {chunk: [chunk, {"k": chunk}]}
        assert _written(doc) == _reference(doc), hex(start)
    for c in map(chr, range(0x100)):
        assert _written([c, {c: c}]) == _reference([c, {c: c}]), hex(ord(c))


def test_deep_nesting_the_same_text_as_json_dumps():
    # about the walk's depth bound (200) and orjson's own limit (254)
    for depth in (199, 200, 201, 202, 253, 254, 255, 400):
        for doc in ([], {}):
            v = doc
            for level in range(depth):
                inner = [] if level % 2 else {}
                if type(v) is dict:
                    v["k"] = inner
                else:
                    v.append(inner)
                v = inner
            assert _written(doc) == _reference(doc), (depth, type(doc))


def test_a_non_finite_float_is_refused():
    for v in (math.inf, [{"a": math.nan}], {"a": [-math.inf]}):
        assert _written(v) is ValueError, v
