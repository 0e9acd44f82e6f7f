"""A gateway's routes -> one Envoy virtual host, in Gateway API precedence.

Envoy takes the first route that matches, so the order is everything. As for Traefik's
priorities (precedence.py): each (route, match) gets one Envoy route per host group of its
route (its exact hostnames together, each wildcard alone), matched on `:authority` with the
port the client wrote allowed, and all are sorted by (host group class, dispatch position).
For any request host, the routes that can take it are then in precedence order. The Host
header is not touched (no port stripping), so a redirect keeps the port the client wrote.
The virtual host starts with the metrics path (when on) and ends with a route that answers
what no route takes (the gateway's not_found answer, with the gateway level's CORS and
response headers)."""
from __future__ import annotations

from gatewayc.ir import answers
from gatewayc.ir import model as ir
import re

from gatewayc.ir.precedence import host_group_key, host_groups

from . import (actions, aggregate, apikey, auth, bodymap, cache, clusters, cors, floor, lua, matching, policies, query,
               ratelimit, redirect, required)
from .context import Ctx, name
from .policies import OVERWRITE, header_value

ADMIN_CLUSTER = "gatewayc~admin"


class GatewayRoutes:
    def __init__(self, gw: ir.Gateway, ctx: Ctx, cluster_defs: dict[str, dict]) -> None:
        self.gw, self.ctx, self.cluster_defs = gw, ctx, cluster_defs
        self.limited: list[tuple[ir.Route, ir.RateLimit]] = []
        self.auth = auth.Auth(gw, ctx, cluster_defs)
        self.cache = cache.GatewayCache(gw, ctx)
        self.lua = False  # some route has a lua script of its own (not an auth verdict)
        self.validated: list[ir.Route] = []  # routes with required headers or query parameters

    @property
    def limits(self) -> list[ir.RateLimit]:
        return [rl for _, rl in self.limited]

    # --- clusters -----------------------------------------------------------------------
    def cluster(self, route: ir.Route | None, svc: ir.Service) -> str:
        cname = clusters.cluster_name(route, svc, self.ctx)
        if cname not in self.cluster_defs:
            self.cluster_defs[cname] = clusters.cluster(cname, svc, clusters.connect_ms(route, svc, self.ctx),
                                                        self.ctx)
        return cname

    # --- one (route, match) -------------------------------------------------------------
    def routed(self, route: ir.Route) -> bool:
        a = route.action
        if isinstance(a, ir.Redirect):
            return not self.ctx.dropping("action.redirect")
        if isinstance(a, ir.Respond):
            return not self.ctx.dropping("action.respond")
        if isinstance(a, ir.Aggregate):
            return not self.ctx.dropping("aggregation")
        return True

    def entries(self, d: ir.Dispatch, hosts: tuple[str, ...], g: int) -> list[dict]:
        """The Envoy routes of one (route, match) for one host group (g: its index)."""
        out = self._build(d, g) if self.routed(d.route) else []
        if hosts:
            for e in out:
                e["match"]["headers"] = [authority(hosts)] + e["match"].get("headers", [])
        return out

    def _build(self, d: ir.Dispatch, g: int) -> list[dict]:
        route, m, ctx = d.route, d.match, self.ctx
        j = route.matches.index(m)
        groups = len(host_groups(route.hostnames))
        base_name = name(self.gw.name, route.name, f"m{j}" + (f"h{g}" if groups > 1 else ""))
        a = route.action
        common: dict = {}
        pf = {**policies.per_filter(route, ctx), **self.auth.per_route(route)}
        if route.policies.body_limit == 0 and not ctx.dropping("body_limit"):
            self.lua = True
            pf.update(lua.per_route(*lua.source(pf), apikey.NO_BODY))
        meta = self.lua_steps(route, pf, common, g)
        rl = ratelimit.limit_of(route, ctx)
        if rl is not None:
            floor.needs(ctx, "rate_limit", rl.loc)
            meta.update(ratelimit.route_metadata(rl))  # its budget, for the rate-limit filters
        if pf:
            common["typed_per_filter_config"] = pf
        if meta:
            common["metadata"] = {"filter_metadata": meta}
        common.update(policies.request_headers(route, ctx, self.auth.hidden_headers(route)))
        common.update(policies.response_headers(route.policies.transforms.response_headers, ctx))
        out: list[dict] = self.preflights(route, m, base_name)
        if isinstance(a, ir.Forward):
            cname = self.cluster(route, a.service)
            if a.mirror is not None and not ctx.dropping("mirror"):
                self.cluster(None, a.mirror.service)
            rw = actions.path_rewrite(a, ctx)
            splits = [(None, True)]
            if actions.needs_method_split(a.service, ctx):
                idem, other = matching.split_methods(m)
                splits = ([(idem, True)] if idem else []) + ([(other, False)] if other is not None else [])
            forwards = []
            for k, (path, rewrite) in enumerate(actions.pieces(m, rw, actions.base_path(a.service))):
                for methods, idempotent in splits:
                    action = actions.forward(route, a, cname, idempotent, ctx)
                    action.update(rewrite)
                    suffix = (f"p{k}" if path else "") + ("" if idempotent else "n")
                    forwards.append({"name": name(base_name, suffix) if suffix else base_name,
                                     "match": matching.route_match(m, path, methods or None), "route": action,
                                     **common})
            out += self.cache.wrap(route, forwards, self.auth.method(route), g == 0)
        elif isinstance(a, ir.Redirect):
            # the lua script answers (redirect.py); the direct response is never reached
            self.lua = True
            pfc = common.get("typed_per_filter_config", {})
            pfc = {**pfc, **lua.per_route(*lua.source(pfc), redirect.script(a, m))}
            out.append({"name": base_name, "match": matching.route_match(m),
                        "direct_response": {"status": a.status}, **common, "typed_per_filter_config": pfc})
        elif isinstance(a, ir.Aggregate):
            # the lua step answers (aggregate.py); the gateway's 502 only if the script fails
            direct, ctype = actions.respond(self.gw, ir.Respond(502, None))
            entry = {"name": base_name, "match": matching.route_match(m), **direct, **common}
            entry["response_headers_to_add"] = [ctype, *entry.get("response_headers_to_add", [])]
            out.append(entry)
        elif isinstance(a, ir.Respond):
            direct, ctype = actions.respond(self.gw, a)
            entry = {"name": base_name, "match": matching.route_match(m), **direct, **common}
            if ctype:
                entry["response_headers_to_add"] = [ctype, *entry.get("response_headers_to_add", [])]
            c = route.policies.cors
            out += cors.direct_split(entry, c) if c is not None and not ctx.dropping("cors") else [entry]
        if rl is not None and g == 0:
            self.limited.append((route, rl))
        return out

    def lua_steps(self, route: ir.Route, pf: dict, common: dict, g: int) -> dict:
        """The lua steps of the required fields, query transforms, JSON body mapping and aggregation, after the route's
        other steps (its auth verdict first: the lua filter comes after authentication, so a
        refused request is never read), added to `pf` (per-filter configs) and `common` (route
        fields); their data, as the route's metadata under the lua filter."""
        ctx = self.ctx
        steps: list[str] = []
        meta: dict = {}
        v = route.policies.validation
        if v is not None and (v.required_headers or v.required_query) and not ctx.dropping("validation.required"):
            steps.append(required.SCRIPT)
            meta.update(required.metadata(v))
            if g == 0:
                self.validated.append(route)
        q = route.policies.transforms.request_query
        if q and isinstance(route.action, ir.Forward) and not ctx.dropping("transform.request.query"):
            steps.append(query.SCRIPT)
            meta.update(query.metadata(q))
        bm = self.body_map(route)
        if bm is not None:
            steps.append(bodymap.SCRIPT)
            meta.update(bodymap.metadata(bm))
            if route.policies.body_limit is None or ctx.dropping("body_limit"):
                # the script reads the whole body: no limit of Envoy's own (1 MiB) may apply
                floor.needs(self.ctx, "transform.request.body", bm.loc)
                common["request_body_buffer_limit"] = bodymap.NO_LIMIT
        a = route.action
        if isinstance(a, ir.Aggregate) and not ctx.dropping("aggregation"):
            # last: it answers
            steps.append(aggregate.SCRIPT)
            meta.update(aggregate.metadata(route, a, [self.cluster(None, p.service) for p in a.parts],
                                           self.auth.hidden_headers(route), ctx))
        if steps:
            self.lua = True
            pf.update(lua.per_route(*lua.source(pf), *steps))
        return {lua.LUA: meta} if meta else {}

    def body_map(self, route: ir.Route) -> ir.BodyMap | None:
        bm = route.policies.transforms.request_body
        if bm is None or not isinstance(route.action, ir.Forward):
            return None
        feature = "transform.request.body" if bm.set or bm.cast else "transform.request.body.rename"
        return None if self.ctx.dropping(feature) else bm

    def preflights(self, route: ir.Route, m: ir.Match, base_name: str) -> list[dict]:
        c = route.policies.cors
        if c is None or self.ctx.dropping("cors"):
            return []
        out = []
        for suffix, matchers, headers in (("preflight", cors.preflight_matchers(c), cors.preflight_headers(c)),
                                          ("preflight-other", cors.preflight_matchers(None), [])):
            match = matching.route_match(m, methods=())
            match["headers"] = matchers + match.get("headers", [])
            entry = {"name": name(base_name, suffix), "match": match, "direct_response": {"status": 204}}
            entry["response_headers_to_add"] = headers or [cors.set_header("Vary", "Origin")]
            out.append(entry)
        return out

    # --- virtual hosts ------------------------------------------------------------------
    def metrics(self) -> list[dict]:
        path = self.gw.observability.metrics_path
        if not path or self.ctx.dropping("observability.metrics"):
            return []
        return [{"name": name(self.gw.name, "metrics"), "match": {"path": path},
                 "route": {"cluster": ADMIN_CLUSTER, "regex_rewrite": {"pattern": {"regex": "^.*$"},
                                                                       "substitution": "/stats/prometheus"}}}]

    def not_found(self) -> list[dict]:
        gw, ctx = self.gw, self.ctx
        nf = gw.not_found
        out: dict = {"name": name(gw.name, "not-found"), "match": {"prefix": "/"},
                     "direct_response": {"status": nf.status,
                                         "body": {"inline_string": actions.json_text(nf.body)}}}
        headers = [header_value("content-type", "application/json", OVERWRITE),
                   header_value(*answers.NO_STORE, OVERWRITE)]
        extra = policies.response_headers(gw.answers.response_headers, ctx)
        out["response_headers_to_add"] = headers + extra.get("response_headers_to_add", [])
        if "response_headers_to_remove" in extra:
            out["response_headers_to_remove"] = extra["response_headers_to_remove"]
        c = gw.answers.cors
        return cors.direct_split(out, c) if c is not None and not ctx.dropping("cors") else [out]

    def virtual_hosts(self) -> list[dict]:
        gw = self.gw
        planned = []
        for i, d in enumerate(gw.dispatch):
            for g, hosts in enumerate(host_groups(d.route.hostnames)):
                planned.append(((*host_group_key(hosts), i, g), d, hosts, g))
        planned.sort(key=lambda p: p[0])
        routes = self.metrics()
        for _, d, hosts, g in planned:
            routes += self.entries(d, hosts, g)
        routes += self.not_found()
        routes = self.cache.finish(routes)
        # Envoy's note of the client address (use_remote_address) is not for the service;
        # X-Forwarded-Host is the routed host, never the client's (Envoy passes the client's)
        return [{"name": gw.name, "domains": ["*"], "routes": routes,
                 "request_headers_to_add": [{"header": {"key": "x-forwarded-host", "value": "%REQ(:AUTHORITY)%"},
                                             "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}],
                 "request_headers_to_remove": ["x-envoy-external-address"]}]


def authority(hosts: tuple[str, ...]) -> dict:
    """A `:authority` matcher for one host group: any case, with or without a port. A spec
    wildcard `*.example.com` takes any number of labels in front, never the bare domain."""
    alts = [("[^:/]+" + re.escape(h[1:])) if h.startswith("*.") else re.escape(h) for h in hosts]
    rx = "(?i)(?:" + "|".join(alts) + ")(?::[0-9]+)?"
    return {"name": ":authority", "string_match": {"safe_regex": {"regex": rx}}}
