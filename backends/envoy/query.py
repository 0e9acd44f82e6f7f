"""Query parameter transforms (`request.query`: remove, rename, set, add, in that order) as a
lua step after the auth verdict and the required-field check, which see the query as the
client sent it; the service gets the changed one. Every occurrence
of a name counts (names compared percent-decoded); values stay percent-encoded as the client
sent them, and `set` / `add` values are percent-encoded by gatewayc. The names and values are
data in the route's metadata (`gatewayc_query`), not script text."""
from __future__ import annotations

from urllib.parse import quote

from gatewayc.ir import model as ir

from .lua import UNESCAPE

KEY = "gatewayc_query"

SCRIPT = UNESCAPE + """\
function envoy_on_request(h)
  local cfg = h:metadata():get("gatewayc_query")
  if cfg == nil then return end
  local hd = h:headers()
  local base, query = (hd:get(":path") or "/"):match("^([^?]*)%??(.*)$")
  local params = {}
  for pair in query:gmatch("[^&]+") do
    local name, rest = pair:match("^([^=]*)(.*)$")
    params[#params + 1] = {unescape(name), name, rest}
  end
  local function drop(name)
    local kept = {}
    for _, p in ipairs(params) do
      if p[1] ~= name then kept[#kept + 1] = p end
    end
    params = kept
  end
  for _, name in ipairs(cfg.remove or {}) do drop(name) end
  for _, r in ipairs(cfg.rename or {}) do
    for _, p in ipairs(params) do
      if p[1] == r[1] then p[1], p[2] = r[2], r[2] end
    end
  end
  for _, s in ipairs(cfg.set or {}) do
    drop(s[1])
    params[#params + 1] = {s[1], s[1], "=" .. s[2]}
  end
  for _, a in ipairs(cfg.add or {}) do params[#params + 1] = {a[1], a[1], "=" .. a[2]} end
  local parts = {}
  for _, p in ipairs(params) do parts[#parts + 1] = p[2] .. p[3] end
  hd:replace(":path", #parts > 0 and (base .. "?" .. table.concat(parts, "&")) or base)
end
"""


def metadata(ops: ir.HeaderOps) -> dict:
    return {KEY: {"remove": list(ops.remove), "rename": [[a, b] for a, b in ops.rename],
                  "set": [[k, quote(v, safe="")] for k, v in ops.set],
                  "add": [[k, quote(v, safe="")] for k, v in ops.add]}}
