"""The spec's `cache` policy: Envoy's cache filter with SimpleHttpCache.

Envoy's cache filter sends a request it may store (a GET without a body) to the route's
cluster itself, past the router: what the route would do (rewrites, request and response
header changes, retries, timeouts) would be skipped, and what it stores is the answer as the
cluster gave it. So a cached route forwards to an internal listener of its own (Envoy's
advice for this filter), whose router holds the route as it would be without a cache; the
internal cluster's upstream lua filter gives the answers the spec's ttl (`Cache-Control:
max-age`, replacing the service's) on the listed statuses and `no-store` on the others, and
on answers the service marks private, no-store or no-cache, or that set a cookie (never
stored, as nginx). Everything the gateway checks (CORS, limits, the IP filter, auth, lua
steps) runs before the cache filter, which sits last before the router.

The filter has no per-route settings and cannot be turned on by a route, only off: the one
filter of a gateway is turned off by every route without the policy. The key is the host, the
path and the whole query (Envoy's key settings are not implemented): a policy whose key leaves
the host or query out gets more entries than it asks for (a warning). Envoy
1.36 to 1.40 crash when they store an answer with a Vary the filter allows, so none is
allowed (an answer with a Vary is never stored) and `vary.headers` is refused. A request the
policy keeps away from the cache (a `bypass` header or parameter, a HEAD when only GET is
cached) goes to an Envoy route of its own before the cached one, with the filter off. On a
route with auth the client's credential must be in the key: a query parameter is; a header
or cookie could only be a Vary (refused); Envoy never caches a request with an Authorization
header (a warning: such a route's authenticated requests always reach the service)."""
from __future__ import annotations

import copy

from gatewayc.ir import model as ir

from . import floor
from .apikey import lua_string
from .context import Ctx, name, typed

FILTER = "envoy.filters.http.cache"
LUA = "envoy.filters.http.lua"
INTERNAL_EXTENSION = {"name": "envoy.bootstrap.internal_listener", "typed_config": typed(
    "envoy.extensions.bootstrap.internal_listener.v3.InternalListener")}
# what a cached route's filters read (lua steps and their data): the gateway's listener keeps it
OUTER = ("typed_per_filter_config", "metadata", "request_body_buffer_limit")
# the statuses Envoy's cache stores at all (CacheabilityUtils)
STORABLE = frozenset({200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 451, 501})

_TTL_SCRIPT = """\
function envoy_on_response(h)
  local hd = h:headers()
  local statuses, max_age = {%(statuses)s}, %(max_age)s
  local own = string.lower(hd:get("cache-control") or "")
  local private = own:find("no-store", 1, true) or own:find("no-cache", 1, true) or
    own:find("private", 1, true) or hd:get("set-cookie") ~= nil
  if statuses[hd:get(":status")] and not private then
    hd:replace("cache-control", "max-age=" .. max_age)
  else
    hd:replace("cache-control", "no-store")
  end
end
"""


def _credentials(m: ir.AuthMethod | None) -> tuple[list[str], list[str]]:
    """(headers, query parameters) that carry the route's credential."""
    headers: list[str] = []
    query: list[str] = []
    if isinstance(m, ir.JwtAuth):
        t = m.token
        if t.header:
            headers.append(t.header)
        if t.query:
            query.append(t.query)
        if t.cookie:
            headers.append("Cookie")
    elif isinstance(m, ir.ApiKeyAuth):
        if m.header:
            headers.append(m.header)
        if m.query:
            query.append(m.query)
    elif isinstance(m, ir.BasicAuth):
        headers.append("Authorization")
    elif isinstance(m, (ir.AnyOf, ir.AllOf)):
        for x in m.methods:
            h, q = _credentials(x)
            headers += h
            query += q
    return headers, query


class GatewayCache:
    """The cache filters, internal listeners and clusters of one gateway's cached routes."""

    def __init__(self, gw: ir.Gateway, ctx: Ctx) -> None:
        self.gw, self.ctx = gw, ctx
        self.filters: dict[str, dict] = {}  # filter name -> its CacheConfig
        self.inner: dict[str, list[dict]] = {}  # internal listener name -> its routes
        self.ttl_scripts: dict[str, str] = {}  # internal listener name -> its upstream lua
        self.checked: set[str] = set()

    def policy(self, route: ir.Route) -> ir.Cache | None:
        c = route.policies.cache
        if c is None or self.ctx.dropping("cache") or not isinstance(route.action, ir.Forward):
            return None
        return c

    def _check_credentials(self, route: ir.Route, c: ir.Cache, method: ir.AuthMethod | None) -> None:
        """The client's credential must be in the key: a query parameter always is. One in a
        header or cookie could only be told apart by a Vary, which crashes Envoy's cache (1.36
        to 1.40): such a route is refused."""
        headers, query = _credentials(method)
        where = f"route {route.name!r}"
        if getattr(method, "hide_credentials", False) and (headers or query):
            self.ctx.error(f"{where}: with hide_credentials the credential is gone before Envoy's cache sees it, "
                           f"so the cache could not tell clients apart", c.loc,
                           hint="drop hide_credentials or the cache on this route")
        other = [h for h in headers if h.lower() != "authorization"]
        if other:
            self.ctx.error(f"{where}: Envoy's cache cannot tell clients apart by the {other[0]} header (only a Vary "
                           f"could, and Envoy's cache crashes on a stored Vary)", c.loc)
        elif headers:
            self.ctx.warn(f"{where}: Envoy never answers a request with an Authorization header from its cache: "
                          f"this route's authenticated requests always reach the service", c.loc)

    def _check(self, route: ir.Route, c: ir.Cache) -> None:
        ctx, where = self.ctx, f"route {route.name!r}"
        if c.vary_headers:
            ctx.error(f"{where}: Envoy's cache crashes on a stored Vary (1.36 to 1.40), which `vary.headers` "
                      f"would need", c.loc)
        if "path" not in c.key:
            ctx.error(f"{where}: Envoy's cache key always holds the path", c.loc)
        elif {"host", "query"} - set(c.key):
            ctx.warn(f"{where}: Envoy's cache key always holds the host and the whole query: requests the policy's "
                     f"key would share one entry for may each get their own", c.loc)
        if "GET" not in c.methods:
            ctx.error(f"{where}: Envoy's cache stores answers to GET only", c.loc)
        bad = sorted(set(c.statuses) - STORABLE)
        if bad:
            ctx.error(f"{where}: Envoy's cache never stores answers with status {', '.join(map(str, bad))}",
                      c.loc, hint=f"Envoy stores {', '.join(map(str, sorted(STORABLE)))}")
        a = route.action
        assert isinstance(a, ir.Forward)
        if a.mirror is not None and not ctx.dropping("mirror"):
            ctx.error(f"{where}: an answer from Envoy's cache would not be mirrored", c.loc)
        if a.websocket and not ctx.dropping("upstream.websocket"):
            ctx.error(f"{where}: Envoy's cache filter cannot pass a WebSocket upgrade", c.loc)
        if c.ttl_ms % 1000:
            ctx.warn(f"{where}: cache TTLs are whole seconds in Envoy (Cache-Control max-age); {c.ttl_ms}ms "
                     f"becomes {max(1, c.ttl_ms // 1000)}s", c.loc)

    def _filter(self) -> str:
        """The one cache filter of the gateway (its configuration is the same for every route)."""
        if not self.filters:
            self.filters[FILTER] = typed(
                "envoy.extensions.filters.http.cache.v3.CacheConfig",
                typed_config=typed("envoy.extensions.http.cache.simple_http_cache.v3.SimpleHttpCacheConfig"),
                # the policy's bypass decides, not the client's Cache-Control / Pragma
                ignore_request_cache_control_header=True)
        return FILTER

    def wrap(self, route: ir.Route, entries: list[dict], method: ir.AuthMethod | None, first: bool) -> list[dict]:
        """The Envoy routes of a cached (route, match), from the ones it would have without a
        cache; `first`: its first host group (the inner routes are made once)."""
        c = self.policy(route)
        if c is None:
            return entries
        self._check_credentials(route, c, method)
        if route.name not in self.checked:
            self.checked.add(route.name)
            self._check(route, c)
        floor.needs(self.ctx, "cache", c.loc)
        fname = self._filter()
        lname = self.listener(route)
        inner = self.inner.setdefault(lname, [])
        self.ttl_scripts[lname] = _TTL_SCRIPT % {
            "statuses": ", ".join(f"[{lua_string(str(s))}] = true" for s in sorted(c.statuses)),
            "max_age": lua_string(str(max(1, c.ttl_ms // 1000)))}
        out = []
        for e in entries:
            if first:
                inside = {k: copy.deepcopy(v) for k, v in e.items() if k not in OUTER}
                inside["route"].pop("rate_limits", None)
                if inside not in inner:
                    inner.append(inside)
            outer = {"name": e["name"], "match": e["match"], "route": {"cluster": lname, "timeout": "0s"},
                     **{k: e[k] for k in OUTER if k in e and k != "typed_per_filter_config"}}
            if "rate_limits" in e["route"]:
                outer["route"]["rate_limits"] = e["route"]["rate_limits"]
            pf = dict(e.get("typed_per_filter_config", {}))
            for i, extra in enumerate(self._bypasses(c)):
                clone = copy.deepcopy(outer)
                clone["name"] = name(e["name"], f"nocache{i}")
                clone["match"] = {**clone["match"], **{k: clone["match"].get(k, []) + v for k, v in extra.items()}}
                clone["typed_per_filter_config"] = {**pf, **self.off(set())}
                out.append(clone)
            own = self.off({fname})
            if pf or own:
                outer["typed_per_filter_config"] = {**pf, **own}
            outer["gwc_cache"] = fname  # taken out again by GatewayCache.finish
            out.append(outer)
        return out

    @staticmethod
    def _bypasses(c: ir.Cache) -> list[dict]:
        """Matchers (to add to a route's) of the requests the policy keeps away from the cache."""
        out: list[dict] = [{"headers": [{"name": h, "present_match": True}]} for h in c.bypass_headers]
        out += [{"query_parameters": [{"name": q, "present_match": True}]} for q in c.bypass_query]
        if "HEAD" not in c.methods:
            out.append({"headers": [{"name": ":method", "string_match": {"exact": "HEAD"}}]})
        return out

    def listener(self, route: ir.Route) -> str:
        return name(self.gw.name, route.name, "cache")

    def off(self, keep: set[str]) -> dict:
        """typed_per_filter_config turning every cache filter but `keep` off for a route."""
        return {n: typed("envoy.config.route.v3.FilterConfig", disabled=True) for n in self.filters if n not in keep}

    def finish(self, routes: list[dict]) -> list[dict]:
        """Every route turns off the cache filters it does not use (known once all are built)."""
        if not self.filters:
            return routes
        out = []
        for e in routes:
            keep = {e.pop("gwc_cache")} if "gwc_cache" in e else set()
            pf = {**e.get("typed_per_filter_config", {}), **self.off(keep)}
            if pf:
                e["typed_per_filter_config"] = pf
            out.append(e)
        return out

    def chain(self) -> list[dict]:
        """The cache filters, last before the router."""
        return [{"name": n, "typed_config": self.filters[n]} for n in sorted(self.filters)]

    def clusters(self) -> dict[str, dict]:
        """An internal cluster per cached route, whose upstream lua gives answers the ttl."""
        out = {}
        for lname in sorted(self.inner):
            out[lname] = {
                "name": lname, "connect_timeout": "1s",
                "load_assignment": {"cluster_name": lname, "endpoints": [{"lb_endpoints": [{"endpoint": {
                    "address": {"envoy_internal_address": {"server_listener_name": lname}}}}]}]},
                "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": typed(
                    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                    explicit_http_config={"http_protocol_options": {}},
                    http_filters=[
                        {"name": LUA, "typed_config": typed("envoy.extensions.filters.http.lua.v3.Lua",
                                                            default_source_code={
                                                                "inline_string": self.ttl_scripts[lname]})},
                        {"name": "envoy.filters.http.upstream_codec", "typed_config": typed(
                            "envoy.extensions.filters.http.upstream_codec.v3.UpstreamCodec")}])}}
        return out
