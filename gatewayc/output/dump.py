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
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


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


def to_yaml(data: Any, escape: Escape = lambda s: s) -> str:
    lines: list[str] = []
    _emit(data, 0, lines, escape)
    return "\n".join(lines) + "\n"


def _emit(v: Any, indent: int, out: list[str], escape: Escape) -> None:
    pad = " " * indent
    if isinstance(v, dict):
        if not v:
            out.append(pad + "{}")
        for k, item in v.items():
            if not isinstance(k, str) or isinstance(k, Raw):
                raise TypeError("mapping keys must be strings")
            text = _text(k)
            key = escape(text)
            nested = isinstance(item, (dict, list)) and item
            if len(text) > _IMPLICIT_KEY_MAX:
                out.append(f"{pad}? {key}")
                if nested:
                    out.append(f"{pad}:")
                    _emit(item, indent + 2, out, escape)
                else:
                    out.append(f"{pad}: {_inline(item, escape)}")
            elif nested:
                out.append(f"{pad}{key}:")
                _emit(item, indent + 2 if isinstance(item, dict) else indent, out, escape)
            else:
                out.append(f"{pad}{key}: {_inline(item, escape)}")
    elif isinstance(v, list):
        if not v:
            out.append(pad + "[]")
        for item in v:
            if isinstance(item, (dict, list)) and item:
                sub: list[str] = []
                _emit(item, indent + 2, sub, escape)
                first = sub[0]
                out.append(f"{pad}- {first[indent + 2:]}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}- {_inline(item, escape)}")
    else:
        out.append(pad + _scalar(v, escape))


def _inline(v: Any, escape: Escape) -> str:
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    return _scalar(v, escape)
