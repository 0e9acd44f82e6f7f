"""The lua filter's place in the chain and its small fixed scripts. API keys are checked by a
route's verdict step (verdict.py). Spec names go into scripts as Lua string literals with
every other byte escaped (lua_string)."""
from __future__ import annotations

from .context import typed
from .lua import LUA

_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.-/")


def lua_string(s: str) -> str:
    return '"' + "".join(chr(b) if b in _SAFE else f"\\{b:03d}" for b in s.encode("utf-8")) + '"'


def chain_filter() -> dict:
    # nothing by default; a route brings its own script
    return {"name": LUA, "typed_config": typed("envoy.extensions.filters.http.lua.v3.Lua", default_source_code={
        "inline_string": "function envoy_on_request(h) end\n"})}


# `body_limit: 0`: Envoy's buffer filter needs a limit of at least one byte
NO_BODY = """\
function envoy_on_request(h)
  local hd = h:headers()
  local length = hd:get("content-length")
  if (length ~= nil and length:match("[1-9]")) or hd:get("transfer-encoding") ~= nil then
    h:respond({[":status"] = "413"}, "")
  end
end
"""

