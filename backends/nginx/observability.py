"""JSON access log and request-id propagation."""
from __future__ import annotations

import json

from gatewayc.ir import model as ir

from . import credentials
from .context import Context, d, header_var

REQUEST_ID = "$gwc_request_id"
# $request_uri with the value of each credential query parameter masked (a js_set of
# njs_policies.py, gwc_creds.js): $request_uri, $request and $args would log them verbatim
LOGGED_URI = "$gwc_log_uri"
_FIELDS = (("time", "$time_iso8601"), ("gateway", "$gwc_gateway"), ("client", "$remote_addr"),
           ("method", "$request_method"), ("uri", LOGGED_URI), ("status", "$status"),
           ("bytes", "$body_bytes_sent"), ("duration", "$request_time"),
           ("upstream", "$upstream_addr"), ("upstream_status", "$upstream_status"),
           ("upstream_duration", "$upstream_response_time"), ("request_id", REQUEST_ID),
           ("user_agent", "$http_user_agent"))


def _request_id_map(o: ir.Observability, gw: ir.Gateway, ctx: Context) -> str | None:
    if not o.request_id_header or ctx.dropping("observability.request_id"):
        return None
    return header_var(o.request_id_header)


def _logs(gw: ir.Gateway, ctx: Context) -> bool:
    return bool(gw.observability.access_log) and not ctx.dropping("observability.access_log")


def redacted(gateways: tuple[ir.Gateway, ...], ctx: Context) -> dict[str, list[str]]:
    """Gateway name -> the query parameters its access log masks (gateways that log and
    have credentials in the query only)."""
    out = {gw.name: credentials.query_names(gw) for gw in gateways if _logs(gw, ctx)}
    return {k: v for k, v in out.items() if v}


def http_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    out = []
    # without credentials in any query, nginx's own variable (no njs needed for the log)
    uri = LOGGED_URI if redacted(gateways, ctx) else "$request_uri"
    if any(g.observability.access_log == "json" for g in gateways):
        # the format string is generator text: $variables are meant to expand here
        fmt = "{" + ",".join(f"{json.dumps(k)}:\"{uri if v == LOGGED_URI else v}\"" for k, v in _FIELDS) + "}"
        out.append(d("log_format", "gwc_json", "escape=json", fmt))
    if any(g.observability.access_log == "text" for g in gateways):
        # $request is the raw request line, query string included
        request = '"$request"' if uri == "$request_uri" else f'"$request_method {uri} $server_protocol"'
        out.append(d("log_format", "gwc_text", f'$remote_addr - [$time_local] {request} $status '
                     '$body_bytes_sent $request_time $upstream_addr ' + REQUEST_ID))
    return out


def server_directives(gw: ir.Gateway, ctx: Context) -> list[dict]:
    o = gw.observability
    logs = _logs(gw, ctx)
    if not logs and not o.request_id_header:
        # every `set` runs on every request of the server, and nothing would read these
        return []
    out = [d("set", "$gwc_gateway", gw.name)] if logs else []
    src = _request_id_map(o, gw, ctx)
    if src and o.request_id_generate:
        # nginx's own $request_id is a fresh random id per request: the fallback
        out.append(d("set", REQUEST_ID, src))
        out.append(d("if", f"({REQUEST_ID}", "~", "^$)", block=[d("set", REQUEST_ID, "$request_id")]))
    elif src:
        out.append(d("set", REQUEST_ID, src))
    else:
        out.append(d("set", REQUEST_ID, ""))
    if logs:
        fmt = "gwc_json" if o.access_log == "json" else "gwc_text"
        out.append(d("access_log", ctx.runtime_path("access.log"), fmt))
    return out


def proxy_headers(gw: ir.Gateway) -> list[tuple[str, str]]:
    o = gw.observability
    return [(o.request_id_header, REQUEST_ID)] if o.request_id_header else []


def response_headers(gw: ir.Gateway) -> list[dict]:
    o = gw.observability
    return [d("add_header", o.request_id_header, REQUEST_ID, "always")] if o.request_id_header else []
