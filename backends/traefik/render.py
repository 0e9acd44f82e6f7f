"""Dynamic configuration -> YAML text that Traefik's file provider reads literally.

The file provider runs every file through Go's text/template (with sprig) before parsing
the YAML, so a user string holding `{{` would run as a template action (`{{ env "HOME" }}`
reads the gateway's environment). Every `{{` in a string becomes "{{`{{`}}", an action that
prints `{{` (a raw string: no quotes or backslashes for the YAML quoting to change). The
backend's own templates (Raw) are written untouched.

The dumper applies the escape to every key and string as written (quoted or plain), once per
distinct text. That is the same as escaping each string before dumping (`walked_yaml`, the
simple path, kept as the reference): YAML's quoting never writes a `{` of its own nor splits
a run of `{`, and an escaped string is plain exactly when the string is. One difference
remains: a key longer than the dumper's implicit-key limit is written as `? key`, and the
length is the written text's before the escape. A text that only the escape takes over the
limit falls back to the simple path, so the output is the same bytes in every case."""
from __future__ import annotations

from typing import Any

from gatewayc.output.dump import to_yaml

from .context import Raw

_ESCAPED = "{{`{{`}}"
# the dumper writes a key of more characters than this as `? key` (gatewayc/output/dump.py)
_IMPLICIT_KEY_MAX = 512


def escape(s: str) -> str:
    return s.replace("{{", _ESCAPED)


class _EscapeCrossesKeyLimit(Exception):
    pass


def _escape_within_key_limit(text: str) -> str:
    if "{{" not in text:  # most texts: nothing to escape, so no length can change
        return text
    out = escape(text)
    if len(text) <= _IMPLICIT_KEY_MAX < len(out):
        raise _EscapeCrossesKeyLimit
    return out


def template_yaml(doc: dict) -> str:
    try:
        return to_yaml(doc, escape=_escape_within_key_limit)
    except _EscapeCrossesKeyLimit:
        return walked_yaml(doc)


def walked_yaml(doc: dict) -> str:
    """The simple path: every string escaped first, Raw nodes swapped in after dumping through
    placeholders that hold a `{{` no escaped string can."""
    raws: list[str] = []
    text = to_yaml(_walk(doc, raws))
    for i, raw in enumerate(raws):
        text = text.replace(f'"{{{{gwc-raw:{i}}}}}"', raw)
    return text


def _walk(v: Any, raws: list[str]) -> Any:
    if isinstance(v, Raw):
        raws.append(str(v))
        return f"{{{{gwc-raw:{len(raws) - 1}}}}}"
    if isinstance(v, str):
        return escape(v)
    if isinstance(v, dict):
        return {escape(k): _walk(x, raws) for k, x in v.items()}
    if isinstance(v, list):
        return [_walk(x, raws) for x in v]
    return v
