"""`validation.required_headers` / `required_query` as a lua step (the lua filter comes after
authentication: nginx checks them before it, in its rewrite phase, so there a request that
fails both gets the validation status, here the auth refusal): a missing or empty header or
query parameter gets
the policy's status, bare, which the route's answer mapper shapes (the gateway's body for the
status, M2). The names are data in the route's metadata (`gatewayc_required`), not script
text; query parameter names are compared after percent-decoding, case-sensitively."""
from __future__ import annotations

from gatewayc.ir import model as ir

from .answers import Special
from .lua import UNESCAPE

KEY = "gatewayc_required"

SCRIPT = UNESCAPE + """\
function envoy_on_request(h)
  local cfg = h:metadata():get("gatewayc_required")
  if cfg == nil then return end
  local hd = h:headers()
  for _, name in ipairs(cfg.headers or {}) do
    local v = hd:get(name)
    if v == nil or v == "" then
      h:respond({[":status"] = cfg.status}, "")
      return
    end
  end
  local wanted = cfg.query or {}
  if #wanted == 0 then return end
  local first = {}
  local query = (hd:get(":path") or ""):match("%?(.*)$") or ""
  for pair in query:gmatch("[^&]+") do
    local name, value = pair:match("^([^=]*)=?(.*)$")
    name = unescape(name)
    if first[name] == nil then first[name] = value end
  end
  for _, name in ipairs(wanted) do
    if first[name] == nil or first[name] == "" then
      h:respond({[":status"] = cfg.status}, "")
      return
    end
  end
end
"""


def metadata(v: ir.Validation) -> dict:
    return {KEY: {"headers": [h.lower() for h in v.required_headers], "query": list(v.required_query),
                  "status": str(v.status)}}


def specials(routes: list[ir.Route]) -> list[Special]:
    """The answer of each route's failed check: its status with the gateway's body for it."""
    out = []
    for r in routes:
        v = r.policies.validation
        assert v is not None
        if v.status >= 400:
            out.append(Special([r], f"response.code == {v.status}", v.status, v.body, []))
    return out
