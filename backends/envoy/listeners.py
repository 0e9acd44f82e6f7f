"""A gateway's listeners -> Envoy listeners, each with one HTTP connection manager: its
routes (routes.py), its filter chain, the answers it makes itself, request ids, access log.

The plain-HTTP listeners of a gateway are one Envoy listener (the first address plus
`additional_addresses`), so that they share one connection manager and with it one rate-limit
filter: the spec's budgets count across every listener of the gateway. A TLS listener has
its own certificate, so its own Envoy listener; a gateway with rate limits and more than one
Envoy listener would count each listener apart, which is refused."""
from __future__ import annotations

from gatewayc.ir import model as ir

from . import answers, apikey, observability, policies, ratelimit, required
from .context import Ctx, name, typed
from .routes import GatewayRoutes

HCM = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
ROUTER = {"name": "envoy.filters.http.router", "typed_config": typed(
    "envoy.extensions.filters.http.router.v3.Router", suppress_envoy_headers=True)}
TLS_VERSIONS = {"1.0": "TLSv1_0", "1.1": "TLSv1_1", "1.2": "TLSv1_2", "1.3": "TLSv1_3"}


def _address(lst: ir.Listener) -> dict:
    return {"socket_address": {"address": lst.address, "port_value": lst.port}}


def groups(gw: ir.Gateway) -> list[list[ir.Listener]]:
    plain = [x for x in gw.listeners if x.tls is None]
    return ([plain] if plain else []) + [[x] for x in gw.listeners if x.tls is not None]


def data_source(ref: ir.SecretRef, ctx: Ctx) -> dict:
    if ref.kind == "env":
        ctx.env.add(ref.name)
        return {"environment_variable": ref.name}
    return {"filename": ref.name}


def tls_socket(tls: ir.Tls, ctx: Ctx) -> dict:
    common: dict = {"tls_params": {"tls_minimum_protocol_version": TLS_VERSIONS.get(tls.min_version, "TLSv1_2")},
                    "tls_certificates": [{"certificate_chain": {"filename": tls.certificate},
                                          "private_key": data_source(tls.key, ctx)}]}
    ctx_fields: dict = {"common_tls_context": common}
    if tls.client_ca and not ctx.dropping("listener.mtls"):
        common["validation_context"] = {"trusted_ca": {"filename": tls.client_ca}}
        ctx_fields["require_client_certificate"] = True
    return {"name": "envoy.transport_sockets.tls", "typed_config": typed(
        "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext", **ctx_fields)}


def http_filters(gw: ir.Gateway, rb: GatewayRoutes, ctx: Ctx) -> list[dict]:
    """The chain, in order: CORS first (its headers go on every answer made after it), the
    removal of claim headers, the body limit, rate limits, the IP filter, authentication, the
    limits by identity, the lua scripts of redirects and no-body routes, the cache."""
    routes = [r for r in gw.routes if rb.routed(r)]
    out = []
    if (any(r.policies.cors for r in routes) or gw.answers.cors) and not ctx.dropping("cors"):
        out.append({"name": policies.CORS, "typed_config": typed("envoy.extensions.filters.http.cors.v3.Cors")})
    out += rb.auth.claim_filters()
    if any(r.policies.body_limit for r in routes) and not ctx.dropping("body_limit"):
        # off unless a route turns it on (with its own limit)
        out.append({"name": policies.BUFFER, "disabled": True, "typed_config": typed(
            "envoy.extensions.filters.http.buffer.v3.Buffer", max_request_bytes=1)})
    out += ratelimit.filter_config(rb.limits)
    if any(r.policies.ip for r in routes) and not ctx.dropping("ip_filter"):
        # no rules here: a route without an IP filter lets everyone through
        out.append({"name": policies.RBAC, "typed_config": typed("envoy.extensions.filters.http.rbac.v3.RBAC")})
    out += rb.auth.jwt_filters()
    out += ratelimit.identity_filter(rb.limits)  # M4: after the verdict step, which names the identity
    if rb.lua:
        # after authentication: a route's redirect or no-body script answers only clients it admits
        out.append(apikey.chain_filter())
    out += rb.cache.chain()
    out.append(ROUTER)
    return out


def connection_manager(gw: ir.Gateway, rb: GatewayRoutes, vhosts: list[dict], filters: list[dict],
                       specials: list, ctx: Ctx) -> dict:
    cfg: dict = {"stat_prefix": gw.name, "codec_type": "AUTO",
                 # the client is the connection's peer (rate limits, logs), never X-Forwarded-For
                 "use_remote_address": True,
                 "normalize_path": True, "merge_slashes": False,
                 # the service's Server header passes (a route may remove it); Envoy adds none of its own
                 "server_header_transformation": "PASS_THROUGH",
                 # X_User_Id would reach a service that reads it as X-User-Id (CGI, WSGI, PHP and
                 # Rails turn both into HTTP_X_USER_ID): dropped, as nginx and Traefik drop them
                 "common_http_protocol_options": {"headers_with_underscores_action": "DROP_HEADER"}}
    cfg.update(observability.request_id(gw, ctx))
    log = observability.access_log(gw, ctx)
    if log:
        cfg["access_log"] = [log]
    if any(isinstance(r.action, ir.Forward) and r.action.websocket for r in gw.routes):
        # off here, on for the routes that allow it (M7); other upgrades are never forwarded
        cfg["upgrade_configs"] = [{"upgrade_type": "websocket", "enabled": False}]
    cfg["local_reply_config"] = answers.local_reply_config(gw, specials, ctx)
    cfg["route_config"] = {"name": gw.name, "virtual_hosts": vhosts}
    cfg["http_filters"] = filters
    return {"name": "envoy.filters.network.http_connection_manager", "typed_config": typed(HCM, **cfg)}


def listeners(gw: ir.Gateway, rb: GatewayRoutes, ctx: Ctx) -> list[dict]:
    vhosts = rb.virtual_hosts()
    specials = rb.auth.specials + ratelimit.specials(rb.limited) + required.specials(rb.validated)
    filters = http_filters(gw, rb, ctx)
    gs = groups(gw)
    if len(gs) > 1 and rb.limits:
        ctx.error(f"gateway {gw.name!r}: its rate limits would count each TLS listener apart (Envoy keeps a "
                  f"rate-limit filter per listener, and a TLS listener is a listener of its own)", gw.loc,
                  hint="give the gateway one TLS listener, or only plain listeners")
    out = []
    for g in gs:
        chain: dict = {"filters": [connection_manager(gw, rb, vhosts, filters, specials, ctx)]}
        tls = g[0].tls
        if tls is not None:
            chain["transport_socket"] = tls_socket(tls, ctx)
        lst: dict = {"name": name(gw.name, "tls" + str(g[0].port) if tls else "http"), "address": _address(g[0])}
        if len(g) > 1:
            lst["additional_addresses"] = [{"address": _address(x)} for x in g[1:]]
        lst["filter_chains"] = [chain]
        out.append(lst)
    return out + [internal_listener(gw, n, routes, ctx) for n, routes in sorted(rb.cache.inner.items())]


def internal_listener(gw: ir.Gateway, lname: str, routes: list[dict], ctx: Ctx) -> dict:
    """The internal listener behind a cached route (cache.py): the route as it would be without
    a cache, reached by the gateway's listener, which has done everything else already."""
    cfg: dict = {"stat_prefix": lname, "codec_type": "AUTO",
                 # the request comes as the gateway's listener took it: its client, id and path
                 "skip_xff_append": True, "generate_request_id": False, "preserve_external_request_id": True,
                 "merge_slashes": False, "server_header_transformation": "PASS_THROUGH",
                 "local_reply_config": answers.local_reply_config(gw, [], ctx),
                 "route_config": {"name": lname, "virtual_hosts": [{
                     "name": lname, "domains": ["*"], "routes": routes,
                     "request_headers_to_remove": ["x-envoy-external-address", "x-envoy-internal"]}]},
                 "http_filters": [ROUTER]}
    return {"name": lname, "internal_listener": {}, "filter_chains": [{"filters": [{
        "name": "envoy.filters.network.http_connection_manager", "typed_config": typed(HCM, **cfg)}]}]}
