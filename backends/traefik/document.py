"""The IR's gateways -> one dynamic configuration (routers, middlewares, services, TLS).

A request meets: the router's middlewares (policies, then the per-match rewrite or
redirect), then the route's service. A rate limit sits on a service, because Traefik builds
a router's middlewares for that router alone while a service (with its middlewares) is built
once however many routers use it: every router of a limit's budget forwards to the same
`limit` service, which holds the rateLimit and forwards to the upstream's load balancer.
With a Redis store the bucket is kept in Redis under the middleware's name, so a budget over
several upstreams is one rateLimit middleware on several limit services."""
from __future__ import annotations

import dataclasses

from gatewayc.ir import model as ir

from . import entrypoints, middlewares, plugin, routers, services
from .context import SEP, Ctx, name


def routed(route: ir.Route, ctx: Ctx) -> bool:
    a = route.action
    if isinstance(a, ir.Forward):
        return True
    if isinstance(a, ir.Redirect):
        return not ctx.dropping("action.redirect")
    if isinstance(a, ir.Respond):
        return not ctx.dropping("action.respond")
    return False  # aggregation is refused by the capability check


class _Builder:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.routers: dict[str, dict] = {}
        self.middlewares: dict[str, dict] = {}
        self.services: dict[str, dict] = {}
        self.transports: dict[str, dict] = {}
        self.budgets: dict[str, dict[str, str]] = {}  # budget -> {upstream service: its limit service}
        self.plugin_budgets: set[str] = set()  # in-memory budgets over several services

    # --- services -------------------------------------------------------------------
    def upstream(self, route: ir.Route | None, svc: ir.Service, mirror: bool = False) -> str:
        ctx = self.ctx
        tr = services.transport_for(route, svc, ctx)
        own = services.transport_for(None, svc, ctx)
        sname = services.service_name(svc, tr, own) + (SEP + "mirror" if mirror else "")
        if sname not in self.services:
            body: dict = {}
            if svc.retry is not None and not ctx.dropping("upstream.retry") and not mirror:
                rname = name("service", svc.name, "retry")
                self.middlewares[rname] = {"retry": services.retry(svc, svc.retry, ctx)}
                tname = name("service", svc.name, "tries")
                self.middlewares[tname] = plugin.tries(svc.retry, ctx)
                body["middlewares"] = [rname, tname]
            body["loadBalancer"] = services.load_balancer(svc, tr, ctx, self.transports, sname)
            self.services[sname] = body
        return sname

    def forward_target(self, route: ir.Route, a: ir.Forward) -> str:
        """The upstream's service, or a mirroring service around it."""
        up = self.upstream(route, a.service)
        m = a.mirror
        if m is None or self.ctx.dropping("mirror"):
            return up
        # the mirror's answers are ignored; one try, with its service's own timeouts
        mirror = self.upstream(None, m.service, mirror=True)
        if m.service.targets[0].base_path.rstrip("/") != a.service.targets[0].base_path.rstrip("/"):
            self.ctx.error(f"route {route.name!r}: the mirror service's base path differs from the route's "
                           f"service's: Traefik sends the mirror the very path the route's service gets", m.loc)
        n = name("mirror", up, m.service.name, str(m.percent))
        self.services[n] = {"mirroring": {"service": up, "mirrors": [{"name": mirror, "percent": m.percent}]}}
        return n

    def limit_of(self, route: ir.Route) -> ir.RateLimit | None:
        rl = route.policies.rate_limit
        if rl is None or self.ctx.dropping(f"rate_limit.{rl.algorithm}"):
            return None
        if rl.store is not None and self.ctx.dropping("rate_limit.shared"):
            rl = dataclasses.replace(rl, store=None)
        return rl

    def plan_budgets(self, gw: ir.Gateway) -> None:
        """In-memory budgets whose routes forward to several Traefik services cannot live on
        one service: gatewayc's plugin counts those (its state is one per Traefik instance)."""
        ups: dict[str, set[str]] = {}
        for r in gw.routes:
            rl = self.limit_of(r) if routed(r, self.ctx) else None
            if rl is not None and rl.store is None:
                a = r.action
                ups.setdefault(rl.budget, set()).add(self.forward_target(r, a) if isinstance(a, ir.Forward)
                                                     else services.NOOP)
        self.plugin_budgets |= {b for b, u in ups.items() if len(u) > 1}

    def plugin_limit(self, route: ir.Route) -> list[tuple[str, dict]]:
        rl = self.limit_of(route)
        if rl is None or rl.budget not in self.plugin_budgets:
            return []
        return [("rate-limit", plugin.limit(rl, middlewares.bucket_size(rl), self.ctx))]

    def route_service(self, gw: ir.Gateway, route: ir.Route) -> str:
        a = route.action
        if not isinstance(a, ir.Forward):
            return services.NOOP  # redirects and fixed responses answer in a middleware
        up = self.forward_target(route, a)
        rl = self.limit_of(route)
        if rl is None or rl.budget in self.plugin_budgets:
            return up
        parts = rl.budget.split("/")  # "<gateway>/route/<route>", ".../service/<service>", ".../gateway"
        mw = name(*parts, "rate-limit")
        if mw not in self.middlewares:
            self.middlewares[mw] = {"rateLimit": middlewares.rate_limit(rl, route, self.ctx)}
        ups = self.budgets.setdefault(rl.budget, {})
        if up in ups:
            return ups[up]
        limit = name(*parts, "limit") + (f"{SEP}{len(ups) + 1}" if ups else "")
        chain = [mw]
        if rl.key.kind in ("consumer", "claim"):
            # counted: the identity header goes no further
            strip = name("gatewayc", "strip-identity")
            self.middlewares[strip] = {"headers": {"customRequestHeaders": {plugin.IDENTITY: ""}}}
            chain.append(strip)
        self.services[limit] = {"middlewares": chain, "weighted": {"services": [{"name": up}]}}
        ups[up] = limit
        return limit

    # --- routers --------------------------------------------------------------------
    def gateway(self, gw: ir.Gateway, tls_names: dict[tuple, str]) -> None:
        ctx = self.ctx
        groups = entrypoints.groups(gw, ctx, tls_names)
        route_mws: dict[str, list[str]] = {}
        route_svc: dict[str, str] = {}
        self.plan_budgets(gw)
        for r in gw.routes:
            if not routed(r, ctx):
                continue
            names = []
            for suffix, mw in middlewares.route_middlewares(gw, r, ctx) + self.plugin_limit(r):
                n = name(gw.name, r.name, suffix)
                self.middlewares[n] = mw
                names.append(n)
            route_mws[r.name] = names
            route_svc[r.name] = self.route_service(gw, r)
        not_found = name(gw.name, "not-found")
        self.middlewares[not_found] = plugin.not_found(gw, ctx)
        # an answer that belongs to no route carries the gateway level's CORS and response headers
        nf_chain = []
        if gw.answers.response_headers and not ctx.dropping("transform.response.headers"):
            h = middlewares.header_map(gw.answers.response_headers, "response",
                                       f"gateway {gw.name!r}", gw.answers.loc, ctx)
            if h:
                nf_chain.append(name(gw.name, "response-headers"))
                self.middlewares[nf_chain[-1]] = {"headers": {"customResponseHeaders": h}}
        if gw.answers.cors is not None and not ctx.dropping("cors"):
            for suffix, mw in middlewares.cors_chain(gw.answers.cors, ctx):
                nf_chain.append(name(gw.name, suffix))
                self.middlewares[nf_chain[-1]] = mw
        for g in groups:
            # below every route (priorities start at 2): what no route takes
            router = {"entryPoints": list(g.entry_points), "middlewares": [*nf_chain, not_found], "priority": 1,
                      "rule": "PathPrefix(`/`)", "service": services.NOOP}
            if g.options:
                router["tls"] = {}
            self.routers[not_found + (SEP + g.suffix if g.suffix else "")] = router
        for p in routers.plan(gw, lambda r: routed(r, ctx)):
            base = name(gw.name, p.route.name, routers.suffix(p))
            mws = list(route_mws[p.route.name]) + self.per_match(gw, p)
            for g in groups:
                router: dict = {"entryPoints": list(g.entry_points)}
                if mws:
                    router["middlewares"] = mws
                router.update({"priority": p.priority, "rule": p.rule, "service": route_svc[p.route.name]})
                if g.options == entrypoints.DEFAULT:
                    router["tls"] = {}
                elif g.options:
                    router["tls"] = {"options": g.options}
                    if not p.hosts:
                        ctx.error(f"route {p.route.name!r} has no hostnames: Traefik gives it the TLS settings "
                                  f"of the first TLS listener of the build, not those of listener "
                                  f"{', '.join(g.entry_points)}", p.route.loc,
                                  hint="give the route hostnames, or the TLS listeners the same min_version "
                                       "and client_ca")
                self.routers[base + (SEP + g.suffix if g.suffix else "")] = router

    def per_match(self, gw: ir.Gateway, p: routers.Planned) -> list[str]:
        a, out, ctx = p.route.action, [], self.ctx
        found: list[dict] = []
        if isinstance(a, ir.Forward):
            rw = routers.rewrite(p.route, p.match, a, ctx)
            found = [rw] if rw else []
            kind = "path"
        elif isinstance(a, ir.Redirect):
            found = [plugin.redirect(p.match, a, ctx)]
            kind = "redirect"
        for i, mw in enumerate(found):
            n = name(gw.name, p.route.name, f"m{p.match_index}", kind + (str(i + 1) if i else ""))
            self.middlewares[n] = mw
            out.append(n)
        # not per match, but after the path: the Host rewrite and a fixed response
        if isinstance(a, ir.Forward) and a.host_rewrite and not ctx.dropping("rewrite.host"):
            n = name(gw.name, p.route.name, "host")
            self.middlewares[n] = plugin.host(a.host_rewrite, ctx)
            out.append(n)
        elif isinstance(a, ir.Respond):
            n = name(gw.name, p.route.name, "respond")
            self.middlewares[n] = plugin.respond(gw, a, ctx)
            out.append(n)
        return out

    def http(self) -> dict:
        out: dict = {}
        for key, objs in (("routers", self.routers), ("middlewares", self.middlewares),
                          ("services", self.services), ("serversTransports", self.transports)):
            if objs:  # an empty map is fatal to Traefik's file provider
                out[key] = {k: objs[k] for k in sorted(objs)}
        return out


def dynamic(gateways: tuple[ir.Gateway, ...], ctx: Ctx) -> dict:
    b = _Builder(ctx)
    tls_names = entrypoints.options_names(gateways, ctx)
    for gw in gateways:
        b.gateway(gw, tls_names)
    doc: dict = {}
    http = b.http()
    if http:
        doc["http"] = http
    tls = entrypoints.tls_section(gateways, ctx)
    if tls:
        doc["tls"] = tls
    return doc
