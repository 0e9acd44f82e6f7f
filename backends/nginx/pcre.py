"""A spec regex (RE2 meaning) as nginx's PCRE must be written to mean the same.

nginx compiles regexes with PCRE2 in byte mode, so by default `.`, `[^/]` or `\\pL` match one
byte where RE2 matches one character: `(*UTF)` puts PCRE in RE2's mode. What still reads
differently is rewritten (measured with the real nginx in tests/nginx/test_regex_dialect.py):

- `$` is the end of the value in RE2, also "before a final line feed" in PCRE: `\\z`;
- `\\s` leaves out the vertical tab in RE2, PCRE includes it; `\\v` is the vertical tab in RE2,
  any vertical space in PCRE;
- a named group sets an nginx variable of that name (nginx refuses `(?P<uri>...)`): unnamed;
- gatewayc tests a regex inside a map on a string it assembled (a condition chain's "1", then
  the value), so `^` and `\\A` become "where the value starts", a lookbehind of fixed length.
"""
from __future__ import annotations

import re
from functools import lru_cache

from gatewayc.regex import tokens

UTF = "(*UTF)"
_SPACE = "\\t\\n\\f\\r "  # RE2's \s
# Every token rewritten below holds one of these texts (`^`, `$`, `\\A`, `\\v`, `\\s`, `\\S`, a named
# group's `<`); a pattern without any (most path regexes) is its own PCRE form.
_MAY_REWRITE = re.compile(r"[\^$<]|\\[AvsS]")


@lru_cache(maxsize=None)
def pcre(rx: str, start: str = "\\A") -> str:
    """`rx` rewritten for PCRE with `start` as the assertion for "the value starts here"."""
    return _rewrite(rx, start) if _MAY_REWRITE.search(rx) else rx


def _rewrite(rx: str, start: str) -> str:
    out = []
    for t in tokens(rx):
        if t.kind == "bol":
            out.append(f"(?:{start}|(?<=\\n))" if t.multiline else start)
        elif t.kind == "eol":
            out.append("(?=\\n|\\z)" if t.multiline else "\\z")
        elif t.kind == "esc" and t.text == "\\A":
            out.append(start)
        elif t.kind == "esc" and t.text == "\\v":
            out.append("\\x0b")
        elif t.kind == "esc" and t.text == "\\s":
            out.append(_SPACE if t.in_class else f"[{_SPACE}]")
        elif t.kind == "esc" and t.text == "\\S":
            out.append("\\x0b\\S" if t.in_class else "[\\x0b\\S]")
        elif t.kind == "named":
            out.append("(")
        else:
            out.append(t.text)
    return "".join(out)


def value_start(prefix: str) -> str:
    """The assertion for a value that follows `prefix` at the start of the subject."""
    return f"(?<=\\A{prefix})"
