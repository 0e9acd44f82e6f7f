"""Dynamic configuration -> YAML text that Traefik's file provider reads literally.

The file provider runs every file through Go's text/template (with sprig) before parsing
the YAML, so a user string holding `{{` would run as a template action (`{{ env "HOME" }}`
reads the gateway's environment). Every `{{` in a string becomes "{{`{{`}}", an action that
prints `{{` (a raw string: no quotes or backslashes for the YAML quoting to change). The
backend's own templates (Raw) are swapped in after that, through placeholders that contain
a `{{` no escaped string can."""
from __future__ import annotations

from typing import Any

from gatewayc.output.dump import to_yaml

from .context import Raw

_ESCAPED = "{{`{{`}}"


def escape(s: str) -> str:
    return s.replace("{{", _ESCAPED)


def _walk(v: Any, raws: list[str]) -> Any:
    if isinstance(v, Raw):
        raws.append(v.text)
        return f"{{{{gwc-raw:{len(raws) - 1}}}}}"
    if isinstance(v, str):
        return escape(v)
    if isinstance(v, dict):
        return {escape(k): _walk(x, raws) for k, x in v.items()}
    if isinstance(v, list):
        return [_walk(x, raws) for x in v]
    return v


def template_yaml(doc: dict) -> str:
    raws: list[str] = []
    text = to_yaml(_walk(doc, raws))
    for i, raw in enumerate(raws):
        text = text.replace(f'"{{{{gwc-raw:{i}}}}}"', raw)
    return text
