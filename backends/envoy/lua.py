"""A route's one lua script. Envoy runs one LuaPerRoute source per route, and a route may need
several of gatewayc's scripts (API keys, `body_limit: 0`, a redirect): each becomes a local step
of one script, run in that order until a step answers. The steps see the request handle
through a proxy that only notes `respond`, so a step keeps its plain `h:method()` calls."""
from __future__ import annotations

from .context import typed

LUA = "envoy.filters.http.lua"
_ENTRY = "function envoy_on_request(h)"

# percent-decoding ('+' is a space), for the steps that read query parameter names
UNESCAPE = """\
local function unescape(s)
  s = s:gsub("+", " ")
  return (s:gsub("%%(%x%x)", function(x) return string.char(tonumber(x, 16)) end))
end
"""

_DRIVER = """\
function envoy_on_request(h)
  local answered = false
  local p = setmetatable({}, {__index = function(_, k)
    if k == "respond" then
      return function(_, ...) answered = true; return h:respond(...) end
    end
    local f = h[k]
    return function(_, ...) return f(h, ...) end
  end})
%s
end
"""


def per_route(*sources: str) -> dict:
    """The LuaPerRoute config running `sources` (each defines envoy_on_request) in order."""
    if len(sources) == 1:
        src = sources[0]
    else:
        steps, calls = [], []
        for i, s in enumerate(sources):
            assert s.count(_ENTRY) == 1
            steps.append(s.replace(_ENTRY, f"local function gwc_step{i}(h)"))
            calls.append(f"  gwc_step{i}(p)\n  if answered then return end")
        src = "".join(steps) + _DRIVER % "\n".join(calls)
    return {LUA: typed("envoy.extensions.filters.http.lua.v3.LuaPerRoute", source_code={"inline_string": src})}


def source(per_filter: dict) -> list[str]:
    """The script sources a route's typed_per_filter_config already runs (none, or one)."""
    cfg = per_filter.get(LUA)
    return [cfg["source_code"]["inline_string"]] if cfg else []
