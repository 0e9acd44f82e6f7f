"""Characters a spec string may not carry into a gateway configuration, a log or a review.

Control characters (C0, DEL, C1) end lines, truncate C strings (NUL) or vanish in parsers
(`urlsplit` drops tabs and line feeds); format characters (bidi overrides and isolates,
zero-width characters, the BOM) and the line and paragraph separators make text read
differently from what it is: `admin\\u202e` looks like another name in a diff."""
from __future__ import annotations

import unicodedata

_UNSAFE = ("Cc", "Cf", "Zl", "Zp", "Cs")
_NAMES = {"\x00": "NUL", "\t": "a tab", "\n": "a line feed", "\r": "a carriage return", "\x7f": "DEL"}


def first_unsafe(s: str, allow: str = "") -> str | None:
    """The first control, format or separator character of `s` not in `allow`, or None."""
    if s.isascii() and s.isprintable():  # the usual case: ASCII has no such character but C0 and DEL
        return None
    for ch in s:
        if ch not in allow and unicodedata.category(ch) in _UNSAFE:
            return ch
    return None


def describe(ch: str) -> str:
    """`NUL (U+0000)`, `U+202E RIGHT-TO-LEFT OVERRIDE`..."""
    code = f"U+{ord(ch):04X}"
    if ch in _NAMES:
        return f"{_NAMES[ch]} ({code})"
    name = unicodedata.name(ch, "")
    return f"{code} {name}" if name else f"the control character {code}"


def printable(s: str, keep: str = "\n\t") -> str:
    """`s` with every control, format and separator character but those in `keep` written as
    an escape (`\\x1b`, `\\u202e`), so that a spec string can neither drive a terminal nor make
    text read differently from what it is."""
    if first_unsafe(s, keep) is None:
        return s
    out = []
    for ch in s:
        if ch not in keep and unicodedata.category(ch) in _UNSAFE:
            n = ord(ch)
            out.append(f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}")
        else:
            out.append(ch)
    return "".join(out)
