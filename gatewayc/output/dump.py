"""The one deterministic dumper for generated data files (JSON and YAML).

Callers build dicts in the order they want shown (sorted wherever order has no meaning);
output is LF-terminated, UTF-8, and never depends on hash seed, locale or time.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none", "~"}


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _scalar(v: Any) -> str:
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
        if _PLAIN.match(v) and v.lower() not in _YAML_WORDS:
            return v
        return json.dumps(v, ensure_ascii=False)
    raise TypeError(f"cannot dump {type(v).__name__}")


def _key(k: Any) -> str:
    if not isinstance(k, str):
        raise TypeError("mapping keys must be strings")
    return _scalar(k)


def to_yaml(data: Any) -> str:
    lines: list[str] = []
    _emit(data, 0, lines)
    return "\n".join(lines) + "\n"


def _emit(v: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(v, dict):
        if not v:
            out.append(pad + "{}")
        for k, item in v.items():
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}{_key(k)}:")
                _emit(item, indent + 2 if isinstance(item, dict) else indent, out)
            else:
                out.append(f"{pad}{_key(k)}: {_inline(item)}")
    elif isinstance(v, list):
        if not v:
            out.append(pad + "[]")
        for item in v:
            if isinstance(item, (dict, list)) and item:
                sub: list[str] = []
                _emit(item, indent + 2, sub)
                first = sub[0]
                out.append(f"{pad}- {first[indent + 2:]}")
                out.extend(sub[1:])
            else:
                out.append(f"{pad}- {_inline(item)}")
    else:
        out.append(pad + _scalar(v))


def _inline(v: Any) -> str:
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    return _scalar(v)
