"""A route's one lua script per lua filter. Envoy runs one LuaPerRoute source per route and
filter, and a route may need several of gatewayc's scripts (required fields, API keys,
`body_limit: 0`, a redirect): each becomes a local step of one script, run in that order until
a step answers. The steps see the request handle through a proxy that only notes `respond`, so
a step keeps its plain `h:method()` calls. The required-field check and the JSON body mapping
read the spec's values as data, from the route's metadata under the filter's name
(`h:metadata()`); the older steps carry them as escaped Lua string literals."""
from __future__ import annotations

from .context import typed

LUA = "envoy.filters.http.lua"
# a second lua filter, after authentication (basic_auth, jwt_authn): steps that must only run
# for requests that passed it (the JSON body mapping reads the whole body)
AFTER_AUTH = "envoy.filters.http.lua~after-auth"
_ENTRY = "function envoy_on_request(h)"

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


def per_route(*sources: str, filter_name: str = LUA) -> dict:
    """The LuaPerRoute config running `sources` (each defines envoy_on_request) in order, for
    the lua filter `filter_name`."""
    if len(sources) == 1:
        src = sources[0]
    else:
        steps, calls = [], []
        for i, s in enumerate(sources):
            assert s.count(_ENTRY) == 1
            steps.append(s.replace(_ENTRY, f"local function gwc_step{i}(h)"))
            calls.append(f"  gwc_step{i}(p)\n  if answered then return end")
        src = "".join(steps) + _DRIVER % "\n".join(calls)
    return {filter_name: typed("envoy.extensions.filters.http.lua.v3.LuaPerRoute",
                               source_code={"inline_string": src})}


def source(per_filter: dict, filter_name: str = LUA) -> list[str]:
    """The script sources a route's typed_per_filter_config already runs (none, or one)."""
    cfg = per_filter.get(filter_name)
    return [cfg["source_code"]["inline_string"]] if cfg else []
