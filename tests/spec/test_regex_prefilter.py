"""portability_error() skips its tokenizer for patterns that hold none of the texts a refused
construct needs (issue 15: the build checks thousands of path regexes). The shortcut must
give exactly the verdict of the full scan, on patterns built from the characters those
constructs are made of."""
from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.regex import _scan, portability_error

PIECES = ["\\", "Q", "E", "C", "d", "s", "w", "p", "P", "{", "}", ",", " ", "0", "3", "[", "]", "^", ":",
          "=", ".", "-", "a", "(", ")", "?", "*", "|", "/", "[:alpha:]", "{,3}", "{ 1}"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_the_shortcut_agrees_with_the_full_scan(rx):
    assert portability_error(rx) == _scan(rx)


def test_deep_nesting_is_still_refused():
    rx = "(" * 101 + "a" + ")" * 101
    assert portability_error(rx) is not None and portability_error(rx) == _scan(rx)
