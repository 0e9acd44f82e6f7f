"""IR path matches -> Kong regex paths, and whether two matches can overlap.

Every path becomes a regex path (`~...`): Kong then orders all routes by `regex_priority`, which
is how gatewayc reproduces Gateway API precedence. Kong anchors regex paths at the start (the
traditional_compatible router compiles `^` + path); gatewayc anchors the end itself. A regex must
work in PCRE and in Rust's regex crate (traditional_compatible), so no lookaround: the IR
already refuses lookaround and backreferences.
"""
from __future__ import annotations

import re

from gatewayc.ir import model as ir

_META = set(".^$|?*+()[]{}\\")
_ESCAPES = str.maketrans({c: "\\" + c for c in _META})


def escape(literal: str) -> str:
    return literal.translate(_ESCAPES)


class PathError(ValueError):
    pass


def kong_path(p: ir.PathMatch) -> str:
    if p.kind == "exact":
        return "~" + escape(p.value) + "$"
    if p.kind == "prefix":
        if p.value == "/":
            return "~/"
        # whole segments: /v2 matches /v2, /v2/ and /v2/x but not /v2x; with strip_path the
        # stripped part is "/v2" or "/v2/", never more.
        return "~" + escape(p.value) + "(?:/|$)"
    alts = []
    for a in alternatives(p.value):
        if a.startswith("^"):
            a = a[1:]
        if a.endswith("$") and not a.endswith("\\$"):
            a = a[:-1]
        if not a.startswith("/") or a[1:2] in ("*", "+", "?", "{"):
            raise PathError(f"regex {p.value!r}: Kong regex paths must start with a literal '/' "
                            f"(in every alternative)")
        alts.append(a)
    if len(alts) == 1:
        return "~" + alts[0] + "$"
    return "~/(?:" + "|".join(a[1:] for a in alts) + ")$"


def alternatives(rx: str) -> list[str]:
    """Split a regex at its top-level `|`."""
    if "|" not in rx:  # _split would split nowhere (most path regexes)
        return [rx]
    return _split(rx)


def _split(rx: str) -> list[str]:
    out, cur, depth, in_class, esc = [], "", 0, False, False
    for ch in rx:
        if esc:
            cur += ch
            esc = False
            continue
        if ch == "\\":
            esc = True
        elif in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(cur)
            cur = ""
            continue
        cur += ch
    out.append(cur)
    return out


def _seg_prefix(prefix: str, path: str) -> bool:
    return prefix == "/" or path == prefix or path.startswith(prefix + "/")


def literal_prefixes(rx: str) -> list[str]:
    """The literal start of each top-level alternative of a regex ("" when it cannot tell)."""
    out = []
    for a in alternatives(rx):
        a = a[1:] if a.startswith("^") else a
        lit = ""
        for ch in a:
            if ch in _META:
                if ch in "?*{" and lit:  # the last literal is optional
                    lit = lit[:-1]
                break
            lit += ch
        out.append(lit)
    return out


def _compatible(x: str, y: str) -> bool:
    return x.startswith(y) or y.startswith(x)


def overlap(a: ir.PathMatch, b: ir.PathMatch) -> bool:
    """Can one request path match both? Conservative (True) where it cannot tell."""
    if a.kind == "regex" and b.kind == "regex":
        return any(_compatible(x, y) for x in literal_prefixes(a.value) for y in literal_prefixes(b.value))
    if a.kind == "regex" or b.kind == "regex":
        rx, other = (a, b) if a.kind == "regex" else (b, a)
        if other.kind == "exact":
            try:
                return re.fullmatch(rx.value, other.value) is not None
            except re.error:
                return True
        return any(_compatible(lit, other.value) for lit in literal_prefixes(rx.value))
    if a.kind == "exact" and b.kind == "exact":
        return a.value == b.value
    if a.kind == "exact":
        return _seg_prefix(b.value, a.value)
    if b.kind == "exact":
        return _seg_prefix(a.value, b.value)
    return _seg_prefix(a.value, b.value) or _seg_prefix(b.value, a.value)
