"""The spec's regex dialect: RE2 syntax, minus the constructs a PCRE gateway (NGINX, Kong)
rejects or reads differently. `tokens()` splits a pattern RE2 has accepted into the pieces
a backend may need to rewrite (anchors, `\\s`, named groups...); `portability_error()` names
the first construct the spec refuses. Which constructs these are was measured with the real
nginx (tests/nginx/test_regex_dialect.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # see _KINDS
    text: str  # the pattern text of the token, verbatim
    pos: int  # offset in the pattern
    in_class: bool = False  # an escape inside [...]
    multiline: bool = False  # the `m` flag is on here (for `^` and `$`)


# kinds: "lit" (a character or an escaped one), "esc" (any other escape), "class_open",
# "class_close", "posix" ([:name:] in a class), "group" (an opening parenthesis with its
# (?...) head), "named" (a named group's head), "flags" ((?i) and friends), "close", "alt",
# "repeat", "bol" (^), "eol" ($), "dot", "quote" (\Q...\E)
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}\??")
_FLAGS = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])")
_NAMED = re.compile(r"\(\?P?<([A-Za-z0-9_]+)>")
_PROP = re.compile(r"\\[pP](\{\^?[A-Za-z_]+\}|[A-Za-z])")
_HEX = re.compile(r"\\x(\{[0-9A-Fa-f]+\}|[0-9A-Fa-f]{2})")
_OCTAL = re.compile(r"\\[0-7]{1,3}")


def _escape(rx: str, i: int) -> str:
    for pat in (_PROP, _HEX, _OCTAL):
        m = pat.match(rx, i)
        if m:
            return m.group()
    return rx[i:i + 2]


def tokens(rx: str) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(rx)
    multiline = [False]  # one entry per open group: whether `m` is on in it
    while i < n:
        c = rx[i]
        if c == "\\":
            if rx.startswith("\\Q", i):
                end = rx.find("\\E", i + 2)
                text = rx[i:] if end < 0 else rx[i:end + 2]
                out.append(Token("quote", text, i))
                i += len(text)
                continue
            text = _escape(rx, i)
            out.append(Token("lit" if not text[1:2].isalnum() else "esc", text, i, multiline=multiline[-1]))
            i += len(text)
        elif c == "[":
            i = _class(rx, i, out)
        elif c == "(":
            m = _FLAGS.match(rx, i)
            named = _NAMED.match(rx, i)
            if m and (m.group(1) or m.group(2) is not None or m.group(3) == ":"):
                on, off = m.group(1), m.group(2) or ""
                mode = ("m" in on) or (multiline[-1] and "m" not in off)
                if m.group(3) == ":":
                    multiline.append(mode)
                    out.append(Token("group", m.group(), i))
                else:
                    multiline[-1] = mode
                    out.append(Token("flags", m.group(), i))
                i = m.end()
            elif named:
                multiline.append(multiline[-1])
                out.append(Token("named", named.group(), i))
                i = named.end()
            else:
                multiline.append(multiline[-1])
                out.append(Token("group", "(", i))
                i += 1
        elif c == ")":
            if len(multiline) > 1:
                multiline.pop()
            out.append(Token("close", c, i))
            i += 1
        elif c in "*+?":
            lazy = rx[i + 1:i + 2] == "?"
            out.append(Token("repeat", rx[i:i + 1 + lazy], i))
            i += 1 + lazy
        elif c == "{" and _REPEAT.match(rx, i):
            m = _REPEAT.match(rx, i)
            out.append(Token("repeat", m.group(), i))
            i = m.end()
        else:
            kind = {"|": "alt", "^": "bol", "$": "eol", ".": "dot"}.get(c, "lit")
            out.append(Token(kind, c, i, multiline=multiline[-1]))
            i += 1
    return out


def _class(rx: str, i: int, out: list[Token]) -> int:
    start = i
    i += 1
    if rx.startswith("^", i):
        i += 1
    out.append(Token("class_open", rx[start:i], start))
    first = True
    while i < len(rx):
        c = rx[i]
        if c == "]" and not first:
            out.append(Token("class_close", c, i))
            return i + 1
        first = False
        if c == "[" and rx[i + 1:i + 2] in (":", "=", "."):
            end = rx.find(rx[i + 1] + "]", i + 2)
            if end >= 0:
                out.append(Token("posix", rx[i:end + 2], i, in_class=True))
                i = end + 2
                continue
        if c == "\\":
            text = _escape(rx, i)
            out.append(Token("lit" if not text[1:2].isalnum() else "esc", text, i, in_class=True))
            i += len(text)
            continue
        out.append(Token("lit", c, i, in_class=True))
        i += 1
    return i  # unterminated: RE2 refused it before we get here


_CLASS_ESCAPES = set("dDsSwWpP")
# what PCRE2 >= 10.43 reads as a repetition and RE2 as text: `{,n}`, spaces inside the braces
_PCRE_QUANTIFIER = re.compile(r"\{[ \t]*(?:\d+[ \t]*(?:,[ \t]*\d*[ \t]*)?|,[ \t]*\d+[ \t]*)\}")


# Every construct refused below needs one of these texts (`\Q`, `\C`, a class escape, `{`, a
# `[` followed by `:`, `=` or `.`, possibly after `^`); a pattern without any (most path
# patterns) skips the tokenizer.
_MAY_REFUSE = re.compile(r"\\[QCdDsSwWpP]|\{|\[\^?[:=.]")

MAX_NESTING = 100  # PCRE2 refuses 250 nested groups, including those a backend wraps around


def portability_error(rx: str) -> tuple[str, str] | None:
    """(what, hint) for the first construct of `rx` (already accepted by RE2) that a PCRE
    gateway rejects or reads differently, or None."""
    if rx.count("(") <= MAX_NESTING and not _MAY_REFUSE.search(rx):
        return None
    return _scan(rx)


def _scan(rx: str) -> tuple[str, str] | None:
    toks = tokens(rx)
    depth = 0
    for k, t in enumerate(toks):
        depth += t.kind in ("group", "named")
        depth -= t.kind == "close"
        if depth > MAX_NESTING:
            return (f"more than {MAX_NESTING} nested groups", "PCRE refuses deep nesting; flatten the pattern")
        if t.kind == "quote":
            return (f"`\\Q...\\E` at offset {t.pos}",
                    "escape each special character with `\\` instead: a `\\Q` left open swallows what a gateway "
                    "adds around the pattern, and some engines lack it")
        if t.kind == "esc" and t.text == "\\C":
            return ("`\\C` (any byte)", "use `.` (any character): engines disagree on what a single byte is")
        if t.kind == "lit" and t.text == "{" and _PCRE_QUANTIFIER.match(rx, t.pos):
            return (f"`{_PCRE_QUANTIFIER.match(rx, t.pos).group()}`",
                    "write `\\{` for the text, or a repetition without spaces such as `{0,3}`: RE2 and PCRE up "
                    "to 10.42 read it as text, PCRE 10.43 and later as a repetition")
        if t.kind == "posix" and not t.text.startswith("[:"):
            return (f"`{t.text}` (a POSIX collating element)", "PCRE refuses it; write the character itself")
        if t.kind == "class_open" and rx[t.pos + len(t.text):].startswith(":") and \
                re.match(r":\^?[a-z]+:\]", rx[t.pos + len(t.text):]):
            name = rx[t.pos:rx.index("]", t.pos) + 1]
            return (f"`{name}` outside a bracket expression",
                    f"write `[{name}]` for the character class; PCRE refuses the bare form")
        if t.in_class and t.kind == "esc" and t.text[1] in _CLASS_ESCAPES:
            before = toks[k - 1] if k else None
            after = toks[k + 1] if k + 1 < len(toks) else None
            if (before is not None and before.kind == "lit" and before.text == "-" and before.in_class
                    and k >= 2 and toks[k - 2].kind not in ("class_open",)) or \
                    (after is not None and after.kind == "lit" and after.text == "-" and k + 2 < len(toks)
                     and toks[k + 2].kind != "class_close"):
                return (f"a range with `{t.text}` as an end",
                        "PCRE refuses it; put `-` first or last in the brackets, or escape it as `\\-`")
    return None


@cache
def re2_compiler():
    """google-re2's compiler and the options gatewayc compiles with: imported when a spec has a
    regex (most small specs don't). The compiler itself, as re2.compile() and re2.fullmatch()
    spend more time in Python per pattern than RE2 takes to compile it, and their cache of 128
    patterns thrashes on a spec of thousands."""
    import re2
    from re2 import _re2

    opts = re2.Options()
    opts.log_errors = False  # or absl prints to our stderr
    return _re2.RE2, opts


def fullmatch(rx: str, text: str) -> bool:
    """Whether RE2 pattern `rx` (one the spec accepted) matches all of `text`: what
    `re2.fullmatch(rx, text) is not None` says (tests/spec/test_regex_fullmatch.py)."""
    compile_, opts = re2_compiler()
    data = text.encode("utf-8")
    return compile_(rx.encode("utf-8"), opts).Match(compile_.Anchor.ANCHOR_BOTH, data, 0, len(data))[0] != (-1, -1)
