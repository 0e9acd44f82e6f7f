"""pcre() returns a pattern that holds none of the texts it rewrites as it is, without
tokenizing it (issue 15: thousands of path regexes per build). The shortcut must give exactly
what the full rewrite gives, on patterns built from the characters the rewritten tokens and
their contexts (classes, quotes, flags, groups) are made of."""
from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.backends.nginx.pcre import _rewrite, pcre, value_start

PIECES = ["\\", "A", "v", "s", "S", "Q", "E", "d", "^", "$", "<", ">", "(", ")", "?", "P", "m", ":", "[", "]",
          "a", ".", "*", "|", "/", "(?m)", "(?P<n>", "(?<n>", "\\Q", "\\E", "[^", "{2}"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), st.sampled_from(["\\A", value_start("1/")]))
def test_the_shortcut_agrees_with_the_full_rewrite(rx, start):
    assert pcre(rx, start) == _rewrite(rx, start)
