"""Request ids, the access log and the metrics endpoint (Envoy's admin interface)."""
from __future__ import annotations

from gatewayc.ir import model as ir

from .context import Ctx, literal, typed

ADMIN_SOCKET = "envoy-admin.sock"


def request_id(gw: ir.Gateway, ctx: Ctx) -> dict:
    o = gw.observability
    if not o.request_id_header or ctx.dropping("observability.request_id"):
        # Envoy makes an x-request-id for every request by default; the spec: only when asked
        return {"generate_request_id": False}
    if o.request_id_header.lower() != "x-request-id":
        ctx.error(f"gateway {gw.name!r}: Envoy's request ids are in x-request-id only, not "
                  f"{o.request_id_header}", o.loc, hint="use `request_id: {header: X-Request-Id}`")
    return {"generate_request_id": o.request_id_generate, "preserve_external_request_id": True,
            "always_set_request_id_in_response": True}


def query_credentials(gw: ir.Gateway) -> bool:
    """Whether some route of the gateway takes a credential from the query string."""
    def walk(m) -> bool:
        if isinstance(m, ir.JwtAuth):
            return m.token.query is not None
        if isinstance(m, ir.ApiKeyAuth):
            return m.query is not None
        if isinstance(m, (ir.AnyOf, ir.AllOf)):
            return any(walk(x) for x in m.methods)
        return False
    return any(r.policies.auth is not None and walk(r.policies.auth.method) for r in gw.routes)


def access_log(gw: ir.Gateway, ctx: Ctx) -> dict | None:
    o = gw.observability
    if not o.access_log or ctx.dropping("observability.access_log"):
        return None
    # credentials in the query are never logged (M5): such a gateway logs paths without the query
    path = "REQ_WITHOUT_QUERY" if query_credentials(gw) else "REQ"
    uri = f"%{path}(X-ENVOY-ORIGINAL-PATH?:PATH)%"
    if o.access_log == "json":
        fields = {"time": "%START_TIME%", "gateway": literal(gw.name),
                  "client": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%", "method": "%REQ(:METHOD)%", "uri": uri,
                  "status": "%RESPONSE_CODE%", "bytes": "%BYTES_SENT%", "duration": "%DURATION%",
                  "upstream": "%UPSTREAM_HOST%", "request_id": "%REQ(X-REQUEST-ID)%",
                  "user_agent": "%REQ(USER-AGENT)%"}
        fmt: dict = {"json_format": fields}
    else:
        fmt = {"text_format_source": {"inline_string": (
            f"%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% - [%START_TIME%] \"%REQ(:METHOD)% {uri} %PROTOCOL%\" "
            f"%RESPONSE_CODE% %BYTES_SENT% %DURATION%\n")}}
    if path == "REQ_WITHOUT_QUERY":  # an extension command: declared with the format
        fmt["formatters"] = [{"name": "envoy.formatter.req_without_query", "typed_config": typed(
            "envoy.extensions.formatter.req_without_query.v3.ReqWithoutQuery")}]
    return {"name": "envoy.access_loggers.file", "typed_config": typed(
        "envoy.extensions.access_loggers.file.v3.FileAccessLog", path="/dev/stdout", log_format=fmt)}


def uses_admin(gateways: tuple[ir.Gateway, ...], ctx: Ctx) -> bool:
    return not ctx.dropping("observability.metrics") and any(g.observability.metrics_path for g in gateways)


def admin() -> dict:
    """Envoy's admin interface on a Unix socket in the working directory: reachable from the
    host only, and only its Prometheus page is routed from the gateway's listeners."""
    return {"address": {"pipe": {"path": ADMIN_SOCKET}}}


def admin_cluster(cname: str) -> dict:
    return {"name": cname, "type": "STATIC", "connect_timeout": "1s", "load_assignment": {
        "cluster_name": cname, "endpoints": [{"lb_endpoints": [{"endpoint": {"address": {
            "pipe": {"path": ADMIN_SOCKET}}}}]}]}}
