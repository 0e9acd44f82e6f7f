"""The one deterministic dumper for generated data files (JSON and YAML).

Callers build dicts in the order they want shown (sorted wherever order has no meaning);
output is LF-terminated, UTF-8, and never depends on hash seed, locale or time.

Every string loads back to exactly itself, whatever it holds: characters YAML does not allow
raw (C0/C1 controls, line breaks such as U+2028, non-characters) are written as escapes, and a
key too long for YAML's implicit-key form (1,024 characters at most) is written as an explicit
`? key` entry. A consumer that runs its own template language over the raw text (decK) passes
`escape`, applied to every scalar as written, so that no user string is a template there;
`Raw` scalars are the consumer's own template code and are written untouched.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import orjson

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"}
# outside YAML's printable set, or a line break inside a double-quoted scalar (YAML 1.1 readers
# such as go-yaml v2 break lines at NEL, LS and PS)
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
# a longer key is written as an explicit `? key` entry; YAML's limit for the implicit form is 1,024
# characters including the ':', counted by go-yaml and ruamel in characters
_IMPLICIT_KEY_MAX = 512

Escape = Callable[[str], str]


class Raw(str):
    """A scalar written as it is, unquoted and unescaped: a backend's own template code for the
    consumer of the file (e.g. a decK secret placeholder). Never made from a spec string."""


def to_json(data: Any) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)` and a line feed.

    Data made only of exactly dict, list, str, int, bool and None, no deeper than `_DEEPEST`,
    goes through orjson, which writes such data as json does (the same escapes, indentation,
    empty `{}`/`[]` and integer digits; tests/determinism/test_json_dump.py holds it to that) and
    refuses, rather than writes differently, what json would write but it cannot: keys that are
    not exactly str, integers beyond 64 bits, strings holding lone surrogates. Floats never go
    to orjson (its exponent forms and its `null` for NaN differ from json's). Whatever orjson
    does not take goes through `_json`: the json module's indenting encoder is pure Python, so
    strings go through its C string encoder there instead, and anything but exactly dict, list,
    str, int, bool, None or a finite float takes json.dumps itself."""
    if _orjson_plain(data):
        try:
            return orjson.dumps(data, option=_ORJSON).decode() + "\n"
        except orjson.JSONEncodeError:
            pass
    out: list[str] = []
    try:
        _json(data, "\n", out)
    except _NotPlain:
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    out.append("\n")
    return "".join(out)


# orjson refuses a str subclass as a key with this option, so only exact str keys are written by it
_ORJSON = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_SUBCLASS
# orjson refuses deeper data itself (past 254 levels); the bound keeps the walk off Python's recursion
# limit when a container holds itself
_DEEPEST = 200
_SCALARS = frozenset((str, int, bool, type(None)))


def _orjson_plain(v: Any) -> bool:
    t = type(v)
    if t is dict or t is list:
        return _plain_items(v, 0)
    return t in _SCALARS


def _plain_items(v: dict | list, depth: int) -> bool:
    """Whether a container holds only exact dicts, lists, strs, ints, bools and Nones (keys aside)."""
    if depth > _DEEPEST:
        return False
    for x in v.values() if type(v) is dict else v:
        t = type(x)
        if t is str:
            continue
        if t is dict or t is list:
            if not _plain_items(x, depth + 1):
                return False
        elif t is not int and t is not bool and x is not None:
            return False
    return True


class _NotPlain(Exception):
    pass


_json_str = json.encoder.encode_basestring  # the C encoder when the json module has its speedups


def _json(v: Any, nl: str, out: list[str]) -> None:
    t = type(v)
    if t is str:
        out.append(_json_str(v))
    elif t is dict:
        if not v:
            out.append("{}")
            return
        inner = nl + "  "
        sep = "{" + inner
        for k, item in v.items():
            if type(k) is not str:
                raise _NotPlain
            out.append(sep)
            out.append(_json_str(k))
            out.append(": ")
            _json(item, inner, out)
            sep = "," + inner
        out.append(nl + "}")
    elif t is list:
        if not v:
            out.append("[]")
            return
        inner = nl + "  "
        sep = "[" + inner
        for item in v:
            out.append(sep)
            _json(item, inner, out)
            sep = "," + inner
        out.append(nl + "]")
    elif t is int:
        out.append(int.__repr__(v))
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif v is None:
        out.append("null")
    elif t is float and math.isfinite(v):
        out.append(float.__repr__(v))
    else:
        raise _NotPlain


def _quoted(s: str) -> str:
    # `_json_str(s)` is `json.dumps(s, ensure_ascii=False)` without json.dumps building an encoder;
    # of the characters `_UNSAFE` finds, only DEL is ASCII (json escapes the C0 controls)
    q = _json_str(s)
    if q.isascii() and "\x7f" not in q:
        return q
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", q)


def _fresh_text(v: str) -> str:
    """A string scalar as written, before the consumer's escape."""
    return v if _PLAIN.match(v) and v.lower() not in _YAML_WORDS else _quoted(v)


# the same keys and values recur thousands of times in a large file
_text = lru_cache(maxsize=1 << 16)(_fresh_text)


def _scalar(v: Any, escape: Escape) -> str:
    if type(v) is str:
        return escape(_text(v))
    if isinstance(v, Raw):
        return str(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("non-finite float in output")
        return repr(v)
    if isinstance(v, str):
        return escape(_text(str(v)))
    raise TypeError(f"cannot dump {type(v).__name__}")


def to_yaml(data: Any, escape: Escape | None = None) -> str:
    lines: list[str] = []
    _Emitter(escape or _same).emit(data, "", lines)
    return "\n".join(lines) + "\n"


def _same(s: str) -> str:
    return s


class _Emitter:
    """One document's emission. A large file repeats the same keys and values thousands of
    times: each distinct string's written text is worked out once per document, and so is each
    key's line head (`pad + key + ": "`) at each depth. The loops of `mapping` and `sequence`
    write items of exactly dict, list, str, int, bool and None (what backends build) themselves,
    without a call per item; anything else (subclasses, floats, Raw, keys that are not exactly
    str or too long for `key:`) takes `entry` / `element`, the general path, which decides
    exactly as the direct one."""

    __slots__ = ("escape", "escapes", "texts", "heads")

    def __init__(self, escape: Escape) -> None:
        self.escape = escape
        self.escapes = escape is not _same
        self.texts: dict[str, str] = {}  # string -> its text as written
        self.heads: dict[str, dict[str, str]] = {}  # pad -> key -> pad + key text + ": "

    def text(self, s: str) -> str:
        """An exact str's text as written."""
        got = self.texts.get(s)
        if got is None:
            # `texts` remembers it for the document, so the shared cache would only cost here
            got = self.texts[s] = self.escape(_fresh_text(s)) if self.escapes else _fresh_text(s)
        return got

    def head(self, k: Any, pad: str, heads: dict[str, str]) -> str | None:
        """The line head (`pad + key + ": "`) of an exact str key short enough for `key:`,
        remembered at `pad`; None for any other key."""
        if type(k) is not str:
            return None
        text = _text(k)
        if len(text) > _IMPLICIT_KEY_MAX:
            return None
        got = heads[k] = pad + self.text(k) + ": "
        return got

    def key(self, k: Any) -> tuple[str, bool]:
        """A key's text as written and whether it is too long for `key:`."""
        if type(k) is str:
            return self.text(k), len(_text(k)) > _IMPLICIT_KEY_MAX
        if not isinstance(k, str) or isinstance(k, Raw):
            raise TypeError("mapping keys must be strings")
        text = _text(k)
        return self.escape(text), len(text) > _IMPLICIT_KEY_MAX

    def inline(self, v: Any) -> str:
        """A scalar, or an empty mapping or list, on the line of its key or dash."""
        t = type(v)
        if t is str:
            return self.text(v)
        if t is int:
            return str(v)
        if t is bool:
            return "true" if v else "false"
        if v is None:
            return "null"
        if isinstance(v, dict):
            return "{}"
        if isinstance(v, list):
            return "[]"
        return _scalar(v, self.escape)

    def emit(self, v: Any, pad: str, out: list[str]) -> None:
        if isinstance(v, dict):
            self.mapping(v, pad, out)
        elif isinstance(v, list):
            self.sequence(v, pad, out)
        else:
            out.append(pad + self.inline(v))

    def mapping(self, v: dict, pad: str, out: list[str]) -> None:
        if not v:
            out.append(pad + "{}")
            return
        heads = self.heads.get(pad)
        if heads is None:
            heads = self.heads[pad] = {}
        texts = self.texts
        append = out.append
        for k, item in v.items():
            head = heads.get(k) if type(k) is str else None
            if head is None:
                head = self.head(k, pad, heads)
                if head is None:
                    self.entry(k, item, pad, out)
                    continue
            t = type(item)
            if t is str:
                text = texts.get(item)
                append(head + (self.text(item) if text is None else text))
            elif t is dict:
                if item:
                    append(head[:-1])
                    self.mapping(item, pad + "  ", out)
                else:
                    append(head + "{}")
            elif t is int:
                append(head + str(item))
            elif t is bool:
                append(head + ("true" if item else "false"))
            elif t is list:
                if item:
                    append(head[:-1])
                    self.sequence(item, pad, out)
                else:
                    append(head + "[]")
            elif item is None:
                append(head + "null")
            else:
                self.entry(k, item, pad, out)

    def entry(self, k: Any, item: Any, pad: str, out: list[str]) -> None:
        """One key and value of a mapping, any kinds."""
        key, long = self.key(k)
        nested = isinstance(item, (dict, list)) and item
        if long:
            out.append(f"{pad}? {key}")
            if nested:
                out.append(f"{pad}:")
                self.emit(item, pad + "  ", out)
            else:
                out.append(f"{pad}: {self.inline(item)}")
            return
        if nested:
            out.append(pad + key + ":")
            self.emit(item, pad + "  " if isinstance(item, dict) else pad, out)
        else:
            out.append(pad + key + ": " + self.inline(item))

    def sequence(self, v: list, pad: str, out: list[str]) -> None:
        if not v:
            out.append(pad + "[]")
            return
        dash = pad + "- "
        deeper = pad + "  "
        cut = len(deeper)
        texts = self.texts
        append = out.append
        for item in v:
            t = type(item)
            if t is str:
                text = texts.get(item)
                append(dash + (self.text(item) if text is None else text))
            elif t is dict and item:
                # written one level deeper, then its first line takes the dash
                first = len(out)
                self.mapping(item, deeper, out)
                out[first] = dash + out[first][cut:]
            else:
                self.element(item, pad, out)

    def element(self, item: Any, pad: str, out: list[str]) -> None:
        """One item of a sequence, any kind."""
        if isinstance(item, (dict, list)) and item:
            first = len(out)
            deeper = pad + "  "
            self.emit(item, deeper, out)
            out[first] = pad + "- " + out[first][len(deeper):]
        else:
            out.append(pad + "- " + self.inline(item))
