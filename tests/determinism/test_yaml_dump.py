"""to_yaml writes byte for byte what the dumper wrote before it was made faster (the verbatim
copy in dump_reference.py), and refuses what it refused, for any data: nested dicts and lists
(and subclasses of them), str, int, bool, None, float, Raw, keys of every kind, strings of any
characters (controls, line breaks such as U+2028, lone surrogates, keys too long for `key:`,
YAML's words, leading indicators), with and without a consumer's `escape`."""
from __future__ import annotations

import collections
import enum
import os

import dump_reference
from hostile_strings import ALL as HOSTILE
from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.backends.kong.deck import inert
from gatewayc.output.dump import Raw, to_yaml

EXAMPLES = 3000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 400


class Name(str):
    pass


class Count(enum.IntEnum):
    ONE = 1


class Items(list):
    pass


any_char = st.characters(exclude_categories=())  # surrogates too
words = st.sampled_from(["y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"])
strings = st.one_of(
    st.text(any_char, max_size=12),
    st.text(st.sampled_from("aZ_9./-: #?&*!|>'\"%@`{}[],\t\n\x00\x7f\x85\u2028\ufeff\ufffe$"), max_size=8),
    st.sampled_from(HOSTILE),
    words.flatmap(lambda w: st.sampled_from([w, w.upper(), w.title()])),
    st.builds(lambda c, s: c + s, st.sampled_from("-?:,[]{}#&*!|>'\"%@` "), st.text(max_size=6)),
    # about the 512-character boundary of a key's implicit form, plain ("a") and quoted ("é")
    st.builds(lambda n, c: c * n, st.sampled_from([509, 510, 511, 512, 513]), st.sampled_from(["a", "é", "${{"])),
)
# a few keys that recur, also as Raw and str subclasses equal to them
few = st.sampled_from(["a", "b", "yes", "x y", "${{", "é" * 510, "a" * 513])
keys = st.one_of(few, strings, few.map(Name), few.map(Raw), st.integers(0, 3), st.none())
scalars = st.one_of(
    strings, strings.map(Raw), strings.map(Name), st.none(), st.booleans(),
    st.integers(), st.integers(-3, 3), st.floats(), st.just(Count.ONE),
)
data = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=2).map(Items),
        st.dictionaries(few | strings, inner, max_size=4),
        st.dictionaries(keys, inner, max_size=3),
        st.dictionaries(few, inner, max_size=2).map(collections.OrderedDict),
    ),
    max_leaves=40,
)
escapes = st.sampled_from([None, inert, lambda s: "<" + s.replace("a", "${{") + ">"])


def _written(dump, v, escape):
    try:
        return dump(v, escape)
    except (TypeError, ValueError) as e:
        return type(e)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "long")
@given(data, escapes)
def test_the_same_text_as_the_reference(v, escape):
    # v again at the same depths and in a list: what was worked out once is reused
    for doc in (v, {"a": v, "b": [v, v, {"a": v}], "c": {"a": v}}):
        assert _written(to_yaml, doc, escape) == _written(dump_reference.to_yaml, doc, escape)


def test_a_key_that_is_not_exactly_str_is_judged_each_time():
    # a Raw key equal to a plain key already written at the same depth is still refused
    for doc in ([{"a": 1}, {Raw("a"): 1}], {"a": {"a": 1}, "b": {Raw("a"): 1}}):
        assert _written(to_yaml, doc, None) is TypeError
    assert to_yaml([{"a": 1}, {Name("a"): 1}]) == dump_reference.to_yaml([{"a": 1}, {Name("a"): 1}])
