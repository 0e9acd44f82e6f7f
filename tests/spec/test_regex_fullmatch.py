"""gatewayc.regex.fullmatch() calls RE2's compiler directly (issue 15: the NGINX backend decides
thousands of regex-against-path questions per build, and re2.fullmatch() spends most of its
time in Python). It must answer exactly as re2.fullmatch(), on patterns built from the
pieces that change what a match is (anchors, classes, flags, repetition, non-ASCII) and on
arbitrary text."""
import re2
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gatewayc.regex import fullmatch

PIECES = ["a", "b", "é", "😀", "/", ".", "*", "+", "?", "|", "(", ")", "(?i)", "[a-z]", "[^/]", "\\d", "\\w",
          "\\s", "^", "$", "\\z", "{2}", "{1,3}", "\\.", "-", "(?:", "\\x{e9}", "\\pL", "."]
TEXTS = st.text(alphabet=st.sampled_from(["a", "b", "A", "é", "É", "😀", "/", ".", "1", " ", "-", "\n", "\x00"]),
                max_size=8)


def _valid(rx: str) -> bool:
    try:
        re2.compile(rx)
    except re2.error:
        return False
    return True


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join), TEXTS)
def test_fullmatch_agrees_with_re2(rx, text):
    assume(_valid(rx))
    assert fullmatch(rx, text) == (re2.fullmatch(rx, text) is not None)


def test_fullmatch_on_route_paths():
    cases = [("/files/.+\\.(?:pdf|png)", "/files/a.pdf", True), ("/files/.+\\.(?:pdf|png)", "/files/.pdf", False),
             ("/api/v[0-9]+/.*", "/api/v2/", True), ("/api/v[0-9]+/.*", "/api/v2", False),
             ("/é+", "/éé", True), ("", "", True), ("a", "", False)]
    for rx, text, want in cases:
        assert fullmatch(rx, text) is want
        assert (re2.fullmatch(rx, text) is not None) is want
