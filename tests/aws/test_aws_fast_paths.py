"""The AWS backend's shortcuts (build speed, issue 15) against the simple paths they replace:
the resource policy's pattern match against fnmatch."""
from __future__ import annotations

import fnmatch

from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.backends.aws import policy

# the characters of ARN patterns and paths, fnmatch's wildcards and what they could be confused with
_chars = st.sampled_from(["a", "b", "/", "*", "*", "?", "[", "]", "!", "{", "}", "GET", "\n", "é"])
_texts = st.lists(_chars, max_size=10).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_texts, _texts)
def test_a_pattern_matches_as_fnmatch_matches_it(text, pattern):
    assert policy._matches(text, pattern) == fnmatch.fnmatchcase(text, pattern)


@settings(max_examples=1000, deadline=None)
@given(_texts, st.lists(_texts, min_size=2, max_size=4))
def test_a_pattern_made_of_a_text_matches_as_fnmatch_matches_it(text, pieces):
    # patterns whose pieces occur in the text, so that matches are common
    for pattern in ("*".join(pieces), "*".join(p for p in pieces if p in text) + "*", "*" + text[1:-1] + "*"):
        assert policy._matches(text, pattern) == fnmatch.fnmatchcase(text, pattern), pattern
