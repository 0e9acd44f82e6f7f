"""Redirects as a lua script per route. Envoy's own route `redirect` takes scheme, host and
port from the Host header as the client wrote it: a Host without a port loses the port the
request came in on, and a new scheme keeps the old port. The spec (docs/spec.md, redirect):
what the redirect does not set comes from the request, its scheme, host (without port) and
the port it came in on (the Host header's, else the listener's); no port when `scheme` is set
or when it is the scheme's default; the query string always kept. The script builds that
Location and answers with the spec's status; every spec value goes in as a Lua string
literal (apikey.lua_string)."""
from __future__ import annotations

from gatewayc.ir import model as ir

from .apikey import lua_string

_SCRIPT = """\
function envoy_on_request(h)
  local hd = h:headers()
  local authority = hd:get(":authority") or ""
  local host, port = authority:match("^(.-):(%%d+)$")
  if host == nil then
    host = authority
    port = h:streamInfo():downstreamLocalAddress():match(":(%%d+)$")
  end
  local scheme = hd:get(":scheme") or "http"
  local new_scheme, new_host, new_port = %(scheme)s, %(host)s, %(port)s
  if new_scheme then scheme = new_scheme; port = nil end
  if new_host then host = new_host end
  if new_port then port = new_port end
  if (scheme == "http" and port == "80") or (scheme == "https" and port == "443") then port = nil end
  local path, query = (hd:get(":path") or "/"):match("^([^?]*)(.*)$")
  local kind, value, prefix = %(kind)s, %(value)s, %(prefix)s
  if kind == "full" then
    path = value
  elseif kind == "prefix" then
    if prefix == "" then
      path = value .. path
    elseif path == prefix then
      path = (value ~= "" and value) or "/"
    elseif path:sub(1, #prefix + 1) == prefix .. "/" then
      path = value .. path:sub(#prefix + 1)
    end
  end
  local location = scheme .. "://" .. host .. (port and (":" .. port) or "") .. path .. query
  h:respond({[":status"] = %(status)s, ["location"] = location}, "")
end
"""


def script(a: ir.Redirect, m: ir.Match) -> str:
    rw = a.path
    kind, value, prefix = "nil", "nil", "nil"
    if rw is not None:
        if rw.kind == "full" or m.path.kind != "prefix":
            kind, value = '"full"', lua_string(rw.value)
        else:
            new = "" if rw.kind == "strip_prefix" else rw.value.rstrip("/")
            kind, value, prefix = '"prefix"', lua_string(new), lua_string(m.path.value.rstrip("/"))
    src = _SCRIPT % {"scheme": lua_string(a.scheme) if a.scheme else "nil",
                     "host": lua_string(a.hostname) if a.hostname else "nil",
                     "port": lua_string(str(a.port)) if a.port else "nil",
                     "kind": kind, "value": value, "prefix": prefix, "status": lua_string(str(a.status))}
    return src
