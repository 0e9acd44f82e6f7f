"""`name:value` entries of Kong's request- and response-transformer, made so that Kong reads
back exactly the spec's name and value, or refused (GWC310) with the reason.

Both plugins split an entry with the Lua pattern `^([^:]+):*(.-)$`: the name ends at the first
':', every ':' right after it is dropped, and an empty value means "no value" (add does
nothing, replace removes). request-transformer then renders each value (the new name, for
rename) and `replace.uri` as a Penlight template: `$(...)` is Lua, evaluated when kong.conf's
untrusted_lua allows it; when it is `off`, a value matching `%$%(.*%)` fails the request. No
escape is literal in both modes, so such text is refused. response-transformer renders nothing.
(Kong/kong kong/plugins/request-transformer/access.lua param_value and iter,
kong/plugins/response-transformer/header_transformer.lua iter.)
"""
from __future__ import annotations

import re

from gatewayc.diagnostics import Location

from .context import Ctx

TEMPLATE = re.compile(r"\$\(.*\)", re.DOTALL)  # Kong's `%$%(.*%)`


def templated(value: str) -> bool:
    return TEMPLATE.search(value) is not None


def entry(name: str, value: str | None, what: str, loc: Location | None, ctx: Ctx,
          rendered: bool) -> str | None:
    """The entry for `name` (and `value`), or None after an error. `rendered`: the plugin renders
    the value as a template (request-transformer)."""
    why = None
    if ":" in name or not name:
        why = "a name Kong can read must be non-empty and hold no ':'"
    elif value is not None and value == "":
        why = "Kong's transformer plugins read an empty value as no value"
    elif value is not None and value.startswith(":"):
        why = "Kong's transformer plugins drop the ':' characters a value starts with"
    elif value is not None and rendered and templated(value):
        why = ("Kong's request-transformer evaluates `$(...)` in values as a Lua template (or fails the request when "
               "untrusted_lua is off), so this text cannot reach the service as written")
    if why is not None:
        shown = name if value is None else f"{name}: {value}"
        ctx.limitation(f"{what} {shown!r}: {why}", loc)
        return None
    return name if value is None else f"{name}:{value}"
