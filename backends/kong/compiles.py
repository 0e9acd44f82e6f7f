"""Whether Python's `re` compiles a pattern, without compiling it where a simple grammar can tell.

The route planner needs only that yes/no (routes._regex_keys), for every distinct path regex
of a spec: compiling thousands of them costs more than the rest of the planning. `_SIMPLE` is
a small part of the language `re` accepts, recognized by one C-level match: literals, escaped
punctuation, `\\d \\w \\s` and their negations, `.`, classes of single characters and the ranges
a-z A-Z 0-9, `* + ?` and their lazy forms after an atom, `^ $`, and groups (plain or `(?:`)
nested at most three deep. Every string it matches compiles, with no warning (no `[`, `&&`,
`~~`, `||` or `--` inside a class); anything else is compiled as before
(tests/kong/test_fast_paths.py checks both against re.compile).
"""
from __future__ import annotations

import re

_LIT = r"[^\\\[\](){}*+?|^$.]"
_ESC = r"\\(?:[^A-Za-z0-9]|[dDwWsS])"
_CLASS_ITEM = rf"(?:a-z|A-Z|0-9|[^\\\[\]\-&~|]|{_ESC})"
# a `^` right after `[` always negates in `re` (`[^]` is an unterminated class, not "^")
_CLASS = rf"\[(?:\^|(?!\^))-?{_CLASS_ITEM}+-?\]"
_ATOM = rf"(?:{_LIT}|{_ESC}|\.|{_CLASS})"
_QUANT = r"(?:[*+?]\??)?"


def _alternation(depth: int) -> str:
    piece = rf"{_ATOM}{_QUANT}|[\^$]"
    if depth:
        piece += rf"|\((?:\?:)?{_alternation(depth - 1)}\){_QUANT}"
    seq = rf"(?:{piece})*"
    return rf"{seq}(?:\|{seq})*"


_SIMPLE = re.compile(_alternation(3))


def compiles(rx: str) -> bool:
    if _SIMPLE.fullmatch(rx):
        return True
    try:
        re.compile(rx)
    except re.error:
        return False
    return True
