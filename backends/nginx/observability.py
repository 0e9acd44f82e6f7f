"""JSON access log and request-id propagation."""
from __future__ import annotations

import json

from gatewayc.ir import model as ir

from .context import Context, d, header_var

REQUEST_ID = "$gwc_request_id"
_FIELDS = (("time", "$time_iso8601"), ("gateway", "$gwc_gateway"), ("client", "$remote_addr"),
           ("method", "$request_method"), ("uri", "$request_uri"), ("status", "$status"),
           ("bytes", "$body_bytes_sent"), ("duration", "$request_time"),
           ("upstream", "$upstream_addr"), ("upstream_status", "$upstream_status"),
           ("upstream_duration", "$upstream_response_time"), ("request_id", REQUEST_ID),
           ("user_agent", "$http_user_agent"))


def _request_id_map(o: ir.Observability, gw: ir.Gateway, ctx: Context) -> str | None:
    if not o.request_id_header or ctx.dropping("observability.request_id"):
        return None
    return header_var(o.request_id_header)


def http_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    out = []
    if any(g.observability.access_log == "json" for g in gateways):
        # the format string is generator text: $variables are meant to expand here
        fmt = "{" + ",".join(f"{json.dumps(k)}:\"{v}\"" for k, v in _FIELDS) + "}"
        out.append(d("log_format", "gwc_json", "escape=json", fmt))
    if any(g.observability.access_log == "text" for g in gateways):
        out.append(d("log_format", "gwc_text", '$remote_addr - [$time_local] "$request" $status '
                     '$body_bytes_sent $request_time $upstream_addr ' + REQUEST_ID))
    return out


def server_directives(gw: ir.Gateway, ctx: Context) -> list[dict]:
    o = gw.observability
    logs = bool(o.access_log) and not ctx.dropping("observability.access_log")
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
