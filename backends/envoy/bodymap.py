"""JSON request body mapping (docs/spec.md, Transforms: rename, then set, then cast) as a lua
step (the lua filter comes after authentication: a refused request's body is never read), with
the same meaning as the nginx backend's gwc_body.js.

The script is gatewayc's own fixed text: the spec's field names and values never go into
it. They are data, in the route's metadata under the lua filter's name (`gatewayc_body`:
lists of [from, to], [field, JSON text] and [field, type]), which the script reads with
`h:metadata()`. Envoy's lua has no JSON library, so the script carries a small one (luajson.py): it keeps
the body's key order and the text of numbers it does not touch. A body that is not a JSON
object passes unchanged. The step reads the whole body (`h:body()`), which Envoy caps at the
request's buffer limit: a mapping route raises it to the largest Envoy takes (4 GiB - 1), or
the route's own body_limit, so that no default of Envoy's limits the body (the spec's body
limit has no default)."""
from __future__ import annotations

from gatewayc.ir import model as ir

from . import luajson
from .actions import json_text

KEY = "gatewayc_body"
NO_LIMIT = 4294967295  # 4 GiB - 1 (request_body_buffer_limit)

SCRIPT = luajson.LIB + "\n" + r"""local function split(path)
  local parts = {}
  for part in (path .. "."):gmatch("(.-)%.") do parts[#parts + 1] = part end
  return parts
end

local function remove_key(obj, key)
  obj.vals[key] = nil
  for k, name in ipairs(obj.keys) do
    if name == key then table.remove(obj.keys, k) return end
  end
end

local function put(obj, key, v)
  if obj.vals[key] == nil then obj.keys[#obj.keys + 1] = key end
  obj.vals[key] = v
end

local function lookup(obj, path)
  local parts = split(path)
  local cur = obj
  for k = 1, #parts - 1 do
    cur = cur.vals[parts[k]]
    if cur == nil or cur.t ~= "o" then return nil end
  end
  local last = parts[#parts]
  if cur.vals[last] == nil then return nil end
  return cur, last
end

local function assign(obj, path, v)
  local parts = split(path)
  local cur = obj
  for k = 1, #parts - 1 do
    local nxt = cur.vals[parts[k]]
    if nxt == nil or nxt.t ~= "o" then
      nxt = {t = "o", keys = {}, vals = {}}
      put(cur, parts[k], nxt)
    end
    cur = nxt
  end
  put(cur, parts[#parts], v)
end

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function days(y, m, d)
  -- days since 1970-01-01 of a proleptic Gregorian date
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function epoch(node)
  if node.t == "n" then return math.floor(tonumber(node.raw)) end
  if node.t ~= "s" then return nil end
  local s = trim(node.v)
  if s:match("^-?%d+$") or s:match("^-?%d+%.%d+$") then return math.floor(tonumber(s)) end
  local y, mo, d, rest = s:match("^(%d%d%d%d)-(%d%d)-(%d%d)(.*)$")
  if y == nil then return nil end
  local hh, mi, ss, zone = 0, 0, 0, ""
  if rest ~= "" then
    local sep, time = rest:sub(1, 1), rest:sub(2)
    if sep ~= "T" and sep ~= "t" and sep ~= " " then
      zone = rest
    else
      local h2, m2, tail = time:match("^(%d%d):(%d%d)(.*)$")
      if h2 == nil then return nil end
      hh, mi = tonumber(h2), tonumber(m2)
      local s2, tail2 = tail:match("^:(%d%d)(.*)$")
      if s2 then
        ss = tonumber(s2)
        tail = tail2:gsub("^%.%d+", "")
      end
      zone = tail
    end
  end
  local offset = 0
  if zone ~= "" and zone ~= "Z" and zone ~= "z" then
    local sign, zh, zm = zone:match("^([-+])(%d%d):?(%d%d)$")
    if sign == nil then return nil end
    offset = (tonumber(zh) * 60 + tonumber(zm)) * 60 * (sign == "-" and -1 or 1)
  end
  local secs = days(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + hh * 3600 + mi * 60 + ss - offset
  return secs
end

local function cast(node, kind)
  local t = node.t
  if kind == "number" then
    if t == "n" then return node end
    if t == "true" then return {t = "n", raw = "1"} end
    if t == "false" then return {t = "n", raw = "0"} end
    if t == "s" and trim(node.v) ~= "" then
      local n = tonumber(trim(node.v))
      if n and n == n and n ~= math.huge and n ~= -math.huge then return {t = "n", raw = number_text(n)} end
    end
    return nil
  elseif kind == "boolean" then
    if t == "true" or t == "false" then return node end
    if t == "n" then return {t = (tonumber(node.raw) ~= 0) and "true" or "false"} end
    if t == "s" then
      local s = trim(node.v):lower()
      if s == "true" or s == "1" or s == "yes" then return {t = "true"} end
      if s == "false" or s == "0" or s == "no" or s == "" then return {t = "false"} end
    end
    return nil
  elseif kind == "string" then
    if t == "null" then return nil end
    if t == "s" then return node end
    if t == "n" then return {t = "s", v = number_text(tonumber(node.raw))} end
    if t == "true" or t == "false" then return {t = "s", v = t} end
    return {t = "s", v = text_of(node)}
  elseif kind == "timestamp" then
    local e = epoch(node)
    if e == nil then return nil end
    return {t = "n", raw = number_text(e)}
  end
  return nil
end

local function apply(cfg, doc)
  for _, p in ipairs(cfg.rename or {}) do
    local parent, key = lookup(doc, p[1])
    if parent then
      local v = parent.vals[key]
      remove_key(parent, key)
      assign(doc, p[2], v)
    end
  end
  for _, p in ipairs(cfg.set or {}) do
    assign(doc, p[1], parse(p[2]))
  end
  for _, p in ipairs(cfg.cast or {}) do
    local parent, key = lookup(doc, p[1])
    if parent then
      local v = cast(parent.vals[key], p[2])
      if v ~= nil then parent.vals[key] = v end
    end
  end
end

function envoy_on_request(h)
  local cfg = h:metadata():get("gatewayc_body")
  if cfg == nil then return end
  local body = h:body()
  if body == nil or body:length() == 0 then return end
  local ok, doc = pcall(parse, body:getBytes(0, body:length()))
  if not ok or doc.t ~= "o" then return end
  apply(cfg, doc)
  local text = text_of(doc)
  body:setBytes(text)
  local hd = h:headers()
  if hd:get("content-length") ~= nil then hd:replace("content-length", tostring(#text)) end
end
"""


def metadata(bm: ir.BodyMap) -> dict:
    """The mapping as data for the script: the route's metadata under the lua filter."""
    return {KEY: {"rename": [[a, b] for a, b in bm.rename],
                  "set": [[k, json_text(v)] for k, v in bm.set],
                  "cast": [[k, t] for k, t in bm.cast]}}
