"""Aggregation (docs/spec.md, Aggregation) as the last lua step of the route: after
authentication and every other check, the step calls each part's service cluster with
`httpCall` and answers with the merged JSON object itself; the route's direct response (the
gateway's 502) is reached only if the script fails.

Envoy's lua filter awaits one `httpCall` at a time (the script is a coroutine that the call
suspends until its answer; an `asynchronous` call returns no answer at all), and no built-in
filter fans out and merges: the parts are called one after another, in the spec's order,
each with its own timeout. The answer takes the sum of the parts' times, at most the sum of
their timeouts, instead of the longest one (a warning at the route; docs/targets/envoy.md).
With `on_failure: fail` the first failed part ends the request (502): its answer is decided
then, so the parts after it are not called.

A part succeeds with a 2xx status and a JSON body (as nginx's gwc_aggregate.js); it is then
parsed and written back into the merged body under its key (luajson.py: the part's key order
and number text are kept). A part is the gateway's own GET (or the part's method) without a
body or query, with the client's headers less the hop-by-hop ones, `Accept-Encoding` (the
step parses the JSON), Envoy's own `x-envoy-*` ones and the route's hidden credentials (M5;
claim headers were removed from the client's request before authentication, and a verified
claim jwt_authn forwards is there), with `X-Forwarded-Host` the routed host and `Host` the
service's. The merged answer is the script's own (a local reply, past the router): the route's
response header changes are data for the script too. Envoy's lua calls a cluster without retries: a part's service's `retry` is not
applied (a warning).

The script is gatewayc's own text; keys, paths, hosts and header names are route metadata
(`gatewayc_aggregate`) under the lua filter's name, which the script reads with
`h:metadata()`."""
from __future__ import annotations

from gatewayc.ir import model as ir

from . import luajson
from .context import Ctx

KEY = "gatewayc_aggregate"

SCRIPT = luajson.LIB + "\n" + r"""local NOT_SENT = {["connection"] = true, ["keep-alive"] = true, ["proxy-connection"] = true,
  ["te"] = true, ["trailer"] = true, ["transfer-encoding"] = true, ["upgrade"] = true, ["expect"] = true,
  ["content-length"] = true, ["accept-encoding"] = true, ["host"] = true}

local function client_headers(h, cfg)
  local drop = {}
  for _, name in ipairs(cfg.drop or {}) do drop[name] = true end
  local out = {}
  local hd = h:headers()
  for name, value in pairs(hd) do
    if name:sub(1, 1) ~= ":" and not NOT_SENT[name] and not drop[name] and name:sub(1, 8) ~= "x-envoy-" then
      local seen = out[name]
      if seen == nil then
        out[name] = value
      elseif type(seen) == "table" then
        seen[#seen + 1] = value
      else
        out[name] = {seen, value}
      end
    end
  end
  local authority = hd:get(":authority") or ""
  out["x-forwarded-host"] = string.lower(authority:match("^(.-):%d+$") or authority)
  return out
end

local function call(h, base, p)
  local headers = {}
  for k, v in pairs(base) do headers[k] = v end
  headers[":method"] = p.method
  headers[":path"] = p.path
  headers[":authority"] = p.authority
  local rh, body = h:httpCall(p.cluster, headers, nil, {timeout_ms = p.timeout_ms, send_xff = false})
  local status = tonumber(rh and rh[":status"]) or 0
  if status < 200 or status > 299 or body == nil then return nil end
  local ok, node = pcall(parse, body)
  if ok then return node end
  return nil
end

function envoy_on_request(h)
  local cfg = h:metadata():get("gatewayc_aggregate")
  if cfg == nil then return end
  local base = client_headers(h, cfg)
  local out = {}
  for _, p in ipairs(cfg.parts) do
    local node = call(h, base, p)
    if node ~= nil then
      out[#out + 1] = quote(p.key) .. ":" .. text_of(node)
    elseif cfg.on_failure == "fail" then
      h:logWarn("gatewayc aggregate: part " .. quote(p.key) .. " failed")
      h:respond({[":status"] = "502"}, "")
      return
    elseif cfg.on_failure == "null" then
      out[#out + 1] = quote(p.key) .. ":null"
    end
  end
  local answer = {[":status"] = "200", ["content-type"] = "application/json"}
  local ops = cfg.response or {}
  for _, name in ipairs(ops.remove or {}) do answer[name] = nil end
  for _, kv in ipairs(ops.set or {}) do answer[kv[1]] = kv[2] end
  for _, kv in ipairs(ops.add or {}) do
    local had = answer[kv[1]]
    if had == nil then
      answer[kv[1]] = kv[2]
    elseif type(had) == "table" then
      had[#had + 1] = kv[2]
    else
      answer[kv[1]] = {had, kv[2]}
    end
  end
  h:respond(answer, "{" .. table.concat(out, ",") .. "}")
end
"""


def authority(t: ir.Target) -> str:
    """The part's Host: the service's host, with its port unless the scheme's default."""
    host = f"[{t.host}]" if ":" in t.host else t.host
    return host if t.port == (443 if t.scheme == "https" else 80) else f"{host}:{t.port}"


def metadata(route: ir.Route, a: ir.Aggregate, clusters: list[str], hidden: tuple[str, ...], ctx: Ctx) -> dict:
    """The parts as data for the script (`clusters`: each part's cluster), and the warnings of
    what Envoy does differently."""
    ctx.warn(f"route {route.name!r}: Envoy's lua calls the {len(a.parts)} parts one after another, so the "
             f"answer takes the sum of their times (at most the sum of their timeouts, "
             f"{sum(p.timeout_ms for p in a.parts)} ms), not the longest one", a.loc)
    for svc in dict.fromkeys(p.service.name for p in a.parts if p.service.retry is not None):
        ctx.warn(f"route {route.name!r}: Envoy's lua calls the service {svc!r} once per part: its `retry` does "
                 f"not apply to the aggregation's parts", a.loc)
    parts = [{"key": p.key, "cluster": c, "method": p.method, "path": p.service.targets[0].base_path + p.path,
              "authority": authority(p.service.targets[0]), "timeout_ms": p.timeout_ms}
             for p, c in zip(a.parts, clusters)]
    out: dict = {"on_failure": a.on_failure, "drop": sorted({h.lower() for h in hidden}), "parts": parts}
    ops = route.policies.transforms.response_headers
    if ops and not ctx.dropping("transform.response.headers"):
        # the script answers itself, past the router that applies the route's response headers
        out["response"] = {"remove": [k.lower() for k in ops.remove], "set": [[k.lower(), v] for k, v in ops.set],
                           "add": [[k.lower(), v] for k, v in ops.add]}
    return {KEY: out}
