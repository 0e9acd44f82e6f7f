"""to_json writes what json.dumps(indent=2, ensure_ascii=False, allow_nan=False) writes (it
only skips the json module's pure-Python indenting encoder for plain data), and refuses what
json.dumps refuses."""
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.output.dump import to_json

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
data = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text() | st.integers(), inner, max_size=4), max_leaves=30)


def _reference(v):
    try:
        return json.dumps(v, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError:
        return ValueError


@settings(max_examples=300, deadline=None)
@given(data)
def test_the_same_text_as_json_dumps(v):
    try:
        got = to_json(v)
    except ValueError:
        got = ValueError
    assert got == _reference(v)


def test_a_non_finite_float_is_refused():
    for v in (math.inf, [{"a": math.nan}]):
        try:
            to_json(v)
        except ValueError:
            continue
        raise AssertionError(f"{v!r} was written")
