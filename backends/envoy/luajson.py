"""A small JSON library for gatewayc's lua steps (Envoy's lua has none): parse() keeps an
object's key order (a repeated key: the last value, at the first key's place) and the text of
numbers; text_of() writes a parsed value back. Lua text for the start of a script: the steps
that use it (bodymap.py, aggregate.py) put their own code after it."""
from __future__ import annotations

LIB = r"""
local function skip(s, i)
  return (s:find("[^ \t\r\n]", i)) or (#s + 1)
end

local function utf8(cp)
  if cp < 0x80 then return string.char(cp) end
  if cp < 0x800 then return string.char(0xC0 + math.floor(cp / 64), 0x80 + cp % 64) end
  if cp < 0x10000 then
    return string.char(0xE0 + math.floor(cp / 4096), 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
  end
  return string.char(0xF0 + math.floor(cp / 262144), 0x80 + math.floor(cp / 4096) % 64,
    0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
end

local ESC = {['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t"}

local function parse_string(s, i)
  -- s:sub(i, i) == '"'; returns the decoded text and the index after the closing quote
  local out, j = {}, i + 1
  while true do
    local k = s:find('["\\%c]', j)
    if k == nil then error("unterminated string") end
    out[#out + 1] = s:sub(j, k - 1)
    local c = s:sub(k, k)
    if c == '"' then return table.concat(out), k + 1 end
    if c ~= "\\" then error("control character in string") end
    local e = s:sub(k + 1, k + 1)
    if ESC[e] then
      out[#out + 1] = ESC[e]
      j = k + 2
    elseif e == "u" then
      local hex = s:sub(k + 2, k + 5)
      if not hex:match("^%x%x%x%x$") then error("bad escape") end
      local cp = tonumber(hex, 16)
      j = k + 6
      if cp >= 0xD800 and cp <= 0xDBFF and s:sub(j, j + 1) == "\\u" then
        local lo = tonumber(s:sub(j + 2, j + 5), 16)
        if lo and lo >= 0xDC00 and lo <= 0xDFFF then
          cp = 0x10000 + (cp - 0xD800) * 1024 + (lo - 0xDC00)
          j = j + 6
        end
      end
      out[#out + 1] = utf8(cp)
    else
      error("bad escape")
    end
  end
end

local parse_value

local function parse_object(s, i)
  local node = {t = "o", keys = {}, vals = {}}
  i = skip(s, i + 1)
  if s:sub(i, i) == "}" then return node, i + 1 end
  while true do
    if s:sub(i, i) ~= '"' then error("expected a key") end
    local key
    key, i = parse_string(s, i)
    i = skip(s, i)
    if s:sub(i, i) ~= ":" then error("expected ':'") end
    local v
    v, i = parse_value(s, skip(s, i + 1))
    if node.vals[key] == nil then node.keys[#node.keys + 1] = key end
    node.vals[key] = v
    i = skip(s, i)
    local c = s:sub(i, i)
    if c == "}" then return node, i + 1 end
    if c ~= "," then error("expected ',' or '}'") end
    i = skip(s, i + 1)
  end
end

local function parse_array(s, i)
  local node = {t = "a", items = {}}
  i = skip(s, i + 1)
  if s:sub(i, i) == "]" then return node, i + 1 end
  while true do
    local v
    v, i = parse_value(s, i)
    node.items[#node.items + 1] = v
    i = skip(s, i)
    local c = s:sub(i, i)
    if c == "]" then return node, i + 1 end
    if c ~= "," then error("expected ',' or ']'") end
    i = skip(s, i + 1)
  end
end

parse_value = function(s, i)
  local c = s:sub(i, i)
  if c == "{" then return parse_object(s, i) end
  if c == "[" then return parse_array(s, i) end
  if c == '"' then
    local v, j = parse_string(s, i)
    return {t = "s", v = v}, j
  end
  for _, word in ipairs({"true", "false", "null"}) do
    if s:sub(i, i + #word - 1) == word then return {t = word}, i + #word end
  end
  local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  if num == nil or num == "" or not num:match("^-?%d+$") and not num:match("^-?%d+%.%d+$") and
      not num:match("^-?%d+%.?%d*[eE][-+]?%d+$") then
    error("unexpected text")
  end
  if num:match("^-?0%d") then error("leading zero") end
  return {t = "n", raw = num}, i + #num
end

local function parse(s)
  local v, i = parse_value(s, skip(s, 1))
  if skip(s, i) <= #s then error("text after the value") end
  return v
end

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = {['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n",
                   ["\r"] = "\\r", ["\t"] = "\\t"}
    return named[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function number_text(n)
  if n ~= n or n == math.huge or n == -math.huge then return "null" end
  if n == math.floor(n) and math.abs(n) < 1e21 then return string.format("%.0f", n) end
  for p = 15, 17 do
    local t = string.format("%." .. p .. "g", n)
    if tonumber(t) == n then return t end
  end
  return string.format("%.17g", n)
end

local function encode(node, out)
  local t = node.t
  if t == "o" then
    out[#out + 1] = "{"
    for k, key in ipairs(node.keys) do
      if k > 1 then out[#out + 1] = "," end
      out[#out + 1] = quote(key)
      out[#out + 1] = ":"
      encode(node.vals[key], out)
    end
    out[#out + 1] = "}"
  elseif t == "a" then
    out[#out + 1] = "["
    for k, item in ipairs(node.items) do
      if k > 1 then out[#out + 1] = "," end
      encode(item, out)
    end
    out[#out + 1] = "]"
  elseif t == "s" then
    out[#out + 1] = quote(node.v)
  elseif t == "n" then
    out[#out + 1] = node.raw
  else
    out[#out + 1] = t
  end
  return out
end

local function text_of(node)
  return table.concat(encode(node, {}))
end
"""
