"""The YAML dumper as it was before it was made faster (gatewayc/output/dump.py at e14734c),
kept verbatim as the specification the fast one must match byte for byte
(tests/determinism/test_yaml_dump.py). Not used by the product."""
from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from gatewayc.output.dump import Raw

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"}
# outside YAML's printable set, or a line break inside a double-quoted scalar (YAML 1.1 readers
# such as go-yaml v2 break lines at NEL, LS and PS)
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
# a longer key is written as an explicit `? key` entry; YAML's limit for the implicit form is 1,024
# characters including the ':', counted by go-yaml and ruamel in characters
_IMPLICIT_KEY_MAX = 512

Escape = Callable[[str], str]


def _quoted(s: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(s, ensure_ascii=False))


@lru_cache(maxsize=1 << 16)
def _text(v: str) -> str:
    """A string scalar as written, before the consumer's escape (the same keys and values
    recur thousands of times in a large file)."""
    return v if _PLAIN.match(v) and v.lower() not in _YAML_WORDS else _quoted(v)


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
    times: each distinct plain string's written text (and each key's) is worked out once per
    document. Values of exactly dict, list, str, int, bool and None (what backends build) take
    the direct path; anything else (subclasses, floats, Raw) goes through `_scalar`, which
    decides exactly as for the direct path."""

    __slots__ = ("escape", "texts", "keys")

    def __init__(self, escape: Escape) -> None:
        self.escape = escape
        self.texts: dict[str, str] = {}
        self.keys: dict[str, tuple[str, bool]] = {}  # key -> (text as written, too long for `key:`)

    def key(self, k: Any) -> tuple[str, bool]:
        if type(k) is str:
            got = self.keys.get(k)
            if got is None:
                text = _text(k)
                got = self.keys[k] = (self.escape(text), len(text) > _IMPLICIT_KEY_MAX)
            return got
        if not isinstance(k, str) or isinstance(k, Raw):
            raise TypeError("mapping keys must be strings")
        text = _text(k)
        return self.escape(text), len(text) > _IMPLICIT_KEY_MAX

    def inline(self, v: Any) -> str:
        """A scalar, or an empty mapping or list, on the line of its key or dash."""
        t = type(v)
        if t is str:
            got = self.texts.get(v)
            if got is None:
                got = self.texts[v] = self.escape(_text(v))
            return got
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
            if not v:
                out.append(pad + "{}")
            deeper = pad + "  "
            for k, item in v.items():
                key, long = self.key(k)
                t = type(item)
                nested = (t is dict or t is list or isinstance(item, (dict, list))) and item
                if long:
                    out.append(f"{pad}? {key}")
                    if nested:
                        out.append(f"{pad}:")
                        self.emit(item, deeper, out)
                    else:
                        out.append(f"{pad}: {self.inline(item)}")
                elif nested:
                    out.append(pad + key + ":")
                    self.emit(item, deeper if isinstance(item, dict) else pad, out)
                else:
                    out.append(pad + key + ": " + self.inline(item))
        elif isinstance(v, list):
            if not v:
                out.append(pad + "[]")
            deeper = pad + "  "
            cut = len(deeper)
            for item in v:
                t = type(item)
                if (t is dict or t is list or isinstance(item, (dict, list))) and item:
                    first = len(out)
                    self.emit(item, deeper, out)
                    out[first] = pad + "- " + out[first][cut:]
                else:
                    out.append(pad + "- " + self.inline(item))
        else:
            out.append(pad + self.inline(v))
