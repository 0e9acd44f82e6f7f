"""The auth verdict of a route that Envoy's own filters cannot decide alone: API keys, mTLS
subjects, `any_of` / `all_of`, and every route whose limit counts by identity (M4). A lua
filter of its own (FILTER, before the identity rate limits and the lua filter of redirects and
`body_limit: 0`) with a script per route (LuaPerRoute), after jwt_authn and basic_auth:

- `jwt`: jwt_authn checked the token without refusing it (`allow_missing_or_failed`) and put a
  verified token's payload in the dynamic metadata under the provider's name; the token
  passed when that payload is there and its header (beside it) has no `crit` (RFC 7515
  4.1.11: no extension is understood; jwt_authn ignores the member).
- `basic`: users from a variable (`user:password` pairs) are compared by the script; an
  htpasswd file (only under `all_of`) is Envoy's basic_auth filter's, which refused a wrong
  password already.
- `api_key`: the keys are read by the script, once per Envoy worker on its first request: the
  variable as comma-separated keys, the file one key per line (a changed file needs a restart).
- `mtls`: the connection's client certificate was validated by the listener (its client_ca),
  and its subject (RFC 2253 form, as NGINX's $ssl_client_s_dn) is one of `subjects`.

A refused request gets a bare 401, which the route's answer mapper shapes (M2). A request
that passes has every credential of a hide_credentials method removed (M5), and, on a route
whose limit counts by identity, the verified identity in the dynamic metadata
(gatewayc.identity) for the rate-limit filter after this one: the method that succeeded names
it (the first one that names one under all_of); none named: the client address.

The script is gatewayc's own text; the spec's names (headers, parameters, variables, paths,
subjects) go in as Lua string literals with every other byte escaped."""
from __future__ import annotations

from gatewayc.ir import model as ir

from .apikey import lua_string
from .context import typed

FILTER = "gatewayc.auth_verdict"
JWT_META = "envoy.filters.http.jwt_authn"
IDENTITY_NS = "gatewayc"
IDENTITY_KEY = "identity"

_SCRIPT = """\
local cfg = %s
local keysets = {}
local function trim(s) return (s:match("^%%s*(.-)%%s*$")) end
local function load_keys(node)
  local keys, n = {}, 0
  local function add(k)
    k = trim(k)
    if k ~= "" and keys[k] == nil then n = n + 1; keys[k] = n end
  end
  if node.kind == "env" then
    for k in string.gmatch(os.getenv(node.where) or "", "[^,]+") do add(k) end
  else
    local f = io.open(node.where, "r")
    if f then
      for line in f:lines() do add(line) end
      f:close()
    end
  end
  return keys
end
-- `user:password` pairs, comma-separated (a password may hold a colon, a user may not)
local function load_users(where)
  local users = {}
  for pair in string.gmatch(os.getenv(where) or "", "[^,]+") do
    if pair:find(":", 2, true) then users[pair] = true end
  end
  return users
end
local function unescape(s)
  s = s:gsub("+", " ")
  return (s:gsub("%%%%(%%x%%x)", function(x) return string.char(tonumber(x, 16)) end))
end
-- the first value of query parameter `name`, and the path without any parameter of that name
local function param(headers, name)
  local path = headers:get(":path") or ""
  local base, query = path:match("^([^?]*)%%?(.*)$")
  if not query then return nil, path end
  local kept, value = {}, nil
  for pair in string.gmatch(query, "[^&]+") do
    local n, v = pair:match("^([^=]*)=?(.*)$")
    if unescape(n) == name then
      if value == nil then value = unescape(v) end
    else
      kept[#kept + 1] = pair
    end
  end
  return value, (#kept > 0 and (base .. "?" .. table.concat(kept, "&")) or base)
end
local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function unbase64(s)
  s = s:gsub("[^%%w+/]", "")
  local bits = s:gsub(".", function(c)
    local v, out = B64:find(c, 1, true) - 1, ""
    for i = 6, 1, -1 do out = out .. (math.floor(v / 2 ^ (i - 1)) %% 2) end
    return out
  end)
  return (bits:gsub("%%d%%d%%d?%%d?%%d?%%d?%%d?%%d?", function(b)
    if #b ~= 8 then return "" end
    return string.char(tonumber(b, 2))
  end))
end
local function scalar(v)
  local t = type(v)
  if t == "string" or t == "number" or t == "boolean" then return tostring(v) end
  return nil
end
local function check(h, node)
  if node.t == "jwt" then
    local meta = h:streamInfo():dynamicMetadata():get(%s)
    local payload = meta and meta[node.meta]
    if payload == nil then return false end
    -- RFC 7515 4.1.11: no `crit` extension is understood here (jwt_authn ignores the member)
    local header = meta[node.header]
    if header == nil or header.crit ~= nil then return false end
    local v = cfg.claim and scalar(payload[cfg.claim])
    if v == nil and cfg.consumer then v = scalar(payload["sub"]) end
    return true, v and ("c:" .. v)
  elseif node.t == "basic" then
    local cred = (h:headers():get("authorization") or ""):match("^[Bb][Aa][Ss][Ii][Cc] +(.*)$")
    local given = cred and unbase64(cred)
    if node.where then
      if keysets[node] == nil then keysets[node] = load_users(node.where) end
      if given == nil or not keysets[node][given] then return false end
    end
    local user = given and given:match("^([^:]*):")
    return true, cfg.consumer and user and ("u:" .. user) or nil
  elseif node.t == "api_key" then
    local key
    if node.header then key = h:headers():get(node.header) else key = param(h:headers(), node.param) end
    if keysets[node] == nil then keysets[node] = load_keys(node) end
    local n = key and keysets[node][key]
    if n == nil then return false end
    return true, cfg.consumer and (node.id .. ":" .. n) or nil
  elseif node.t == "mtls" then
    local ssl = h:streamInfo():downstreamSslConnection()
    if ssl == nil or not ssl:peerCertificateValidated() then return false end
    local dn = ssl:subjectPeerCertificate()
    if node.subjects and not node.subjects[dn] then return false end
    return true, cfg.consumer and ("m:" .. dn) or nil
  end
  local found = nil
  for _, m in ipairs(node.methods) do
    local ok, id = check(h, m)
    if node.t == "any_of" and ok then return true, id end
    if node.t == "all_of" then
      if not ok then return false end
      if found == nil then found = id end
    end
  end
  return node.t == "all_of", found
end
function envoy_on_request(h)
  local ok, id = check(h, cfg.auth)
  if not ok then
    h:respond({[":status"] = "401"}, "")
    return
  end
  local headers = h:headers()
  for _, c in ipairs(cfg.hide) do
    if c.header then
      headers:remove(c.header)
    elseif c.cookie then
      local kept = {}
      for part in string.gmatch(headers:get("cookie") or "", "[^;]+") do
        if part:match("^%%s*([^=]*)") ~= c.cookie then kept[#kept + 1] = trim(part) end
      end
      if #kept > 0 then headers:replace("cookie", table.concat(kept, "; ")) else headers:remove("cookie") end
    else
      local _, rest = param(headers, c.param)
      headers:replace(":path", rest)
    end
  end
  if cfg.identity then
    if id == nil then
      local peer = h:streamInfo():downstreamDirectRemoteAddress() or ""
      id = "ip:" .. (peer:match("^%%[(.*)%%]:%%d+$") or peer:match("^(.*):%%d+$") or peer)
    end
    h:streamInfo():dynamicMetadata():set(%s, %s, id)
  end
end
"""


def lua_value(v) -> str:
    """A Lua literal for plain data (dicts with string keys, lists, strings, ints, bools)."""
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return lua_string(v)
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(lua_value(x) for x in v) + "}"
    return "{" + ", ".join(f"[{lua_string(k)}] = {lua_value(x)}" for k, x in v.items() if x is not None) + "}"


def script(tree: dict, hide: list[dict], key: ir.LimitKey | None) -> str:
    """The verdict step: `tree` as node() makes it, `hide` the credentials to remove, `key`
    the identity limit of the route (None: no identity wanted)."""
    cfg = {"auth": tree, "hide": hide, "identity": key is not None,
           "consumer": key is not None and key.kind == "consumer",
           "claim": key.name if key is not None and key.kind == "claim" else None}
    return _SCRIPT % (lua_value(cfg), lua_string(JWT_META), lua_string(IDENTITY_NS), lua_string(IDENTITY_KEY))


def per_route(tree: dict, hide: list[dict], key: ir.LimitKey | None) -> dict:
    return {FILTER: typed("envoy.extensions.filters.http.lua.v3.LuaPerRoute",
                          source_code={"inline_string": script(tree, hide, key)})}


def chain_filter() -> dict:
    # a lua filter of its own, named FILTER; nothing by default, a route brings its script
    return {"name": FILTER, "typed_config": typed("envoy.extensions.filters.http.lua.v3.Lua", default_source_code={
        "inline_string": "function envoy_on_request(h) end\n"})}
