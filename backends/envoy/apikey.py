"""API keys: Envoy's lua filter, with a script per route (LuaPerRoute). Envoy has no filter that
reads keys from a file or a variable at run time (api_key_auth wants them in the
configuration, where no secret may be), so the script reads them itself, once per worker on
its first request: the variable as comma-separated keys, the file one key per line. A
missing or unknown key gets a bare 401, which the route's answer mapper shapes (M2). The
script is gatewayc's own text; the spec's names (header, parameter, variable, path) go in
as Lua string literals with every other byte escaped."""
from __future__ import annotations

from gatewayc.ir import model as ir

from . import lua
from .context import typed
from .lua import LUA

_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.-/")

_SCRIPT = """\
local keys = nil
local function load()
  keys = {}
  local kind, where = %(kind)s, %(where)s
  if kind == "env" then
    for k in string.gmatch(os.getenv(where) or "", "[^,]+") do
      k = k:match("^%%s*(.-)%%s*$")
      if k ~= "" then keys[k] = true end
    end
  else
    local f = io.open(where, "r")
    if f then
      for line in f:lines() do
        local k = line:match("^%%s*(.-)%%s*$")
        if k ~= "" then keys[k] = true end
      end
      f:close()
    end
  end
end
local function unescape(s)
  s = s:gsub("+", " ")
  return (s:gsub("%%%%(%%x%%x)", function(x) return string.char(tonumber(x, 16)) end))
end
function envoy_on_request(h)
  if keys == nil then load() end
  local headers = h:headers()
  local key = nil
  local header, param, hide = %(header)s, %(param)s, %(hide)s
  if header then
    key = headers:get(header)
  else
    local path = headers:get(":path") or ""
    local base, query = path:match("^([^?]*)%%?(.*)$")
    if query then
      local kept = {}
      for pair in string.gmatch(query, "[^&]+") do
        local name, value = pair:match("^([^=]*)=?(.*)$")
        if unescape(name) == param then
          if key == nil then key = unescape(value) end
        else
          kept[#kept + 1] = pair
        end
      end
      if key ~= nil and hide then
        headers:replace(":path", #kept > 0 and (base .. "?" .. table.concat(kept, "&")) or base)
      end
    end
  end
  if key == nil or key == "" or not keys[key] then
    h:respond({[":status"] = "401"}, "")
    return
  end
  if header and hide then headers:remove(header) end
end
"""


def lua_string(s: str) -> str:
    return '"' + "".join(chr(b) if b in _SAFE else f"\\{b:03d}" for b in s.encode("utf-8")) + '"'


def script(m: ir.ApiKeyAuth) -> str:
    return _SCRIPT % {
        "kind": lua_string(m.keys.kind), "where": lua_string(m.keys.name),
        "header": lua_string(m.header.lower()) if m.header else "nil",
        "param": lua_string(m.query) if m.query else "nil",
        "hide": "true" if m.hide_credentials else "false",
    }


def per_route(m: ir.ApiKeyAuth) -> dict:
    return lua.per_route(script(m))


def chain_filter(filter_name: str = LUA) -> dict:
    # nothing by default; a route with API keys (or another step) brings its own script
    return {"name": filter_name, "typed_config": typed("envoy.extensions.filters.http.lua.v3.Lua", default_source_code={
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

