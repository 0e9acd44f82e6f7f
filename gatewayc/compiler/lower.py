"""Lower validated spec models into the IR, checking what the schema cannot: references,
names, combinations that contradict each other, and the files a spec points at."""
from __future__ import annotations

import difflib
import json
import os
from urllib.parse import unquote, urlsplit

from ..diagnostics import Diagnostic, Location
from ..ir import model as ir
from ..ir.answers import body_for
from ..ir.precedence import dispatch_key
from ..loader import locate, outside, outside_diagnostic
from ..loader.locate import node_at, present_below
from ..spec import auth as sa
from ..spec import gateway as sg
from ..spec import matching as sm
from ..spec import policies as sp
from ..spec import services as ss
from ..suggest import did_you_mean
from .conflicts import find_conflicts
from .inherit import Effective, layer
from .origin import origin_finder


class Lowering:
    def __init__(self, spec: sg.Spec, tree, main_file: str, salvaged=None, roots: tuple[str, ...] = ()):
        self.spec = spec
        self.roots = roots
        # entries dropped after schema errors: already reported, so references to them are not
        self.invalid = salvaged.dropped if salvaged else {"services": set(), "policies": set(), "gateways": set()}
        self.pruned_routes = salvaged.pruned_routes if salvaged else set()
        # names referenced only by dropped entries count as used (no GWC206 for them)
        self.referenced = salvaged.referenced if salvaged else {"services": set(), "policies": set()}
        self.tree = tree
        self.main_file = main_file
        self.diags: list[Diagnostic] = []
        self.services: dict[str, ir.Service] = {}
        self.used_services: set[str] = set()
        self.used_sets: set[str] = set()
        # (gateway, service) -> the policies of a route there that sets none of its own
        self.inherited: dict[tuple, ir.Policies] = {}
        self._nodes: dict[tuple, object] = {}  # item_loc(): path -> the node there, or None

    # -- helpers ---------------------------------------------------------------
    def loc(self, *path, key: bool = False) -> Location:
        return locate(self.tree, path, key=key) or Location(self.main_file, 1, 1)

    def item_loc(self, seq: tuple, *rest) -> Location:
        """self.loc(*seq, *rest), with the node at `seq` found once: the lowering asks this for
        every route (below its gateway's routes) and every match, and locate() would walk
        from the top each time. The same Location (tests/spec/test_locate_shortcut.py)."""
        node = self._nodes.get(seq, self)
        if node is self:
            node = self._nodes[seq] = node_at(self.tree, seq)
        return (present_below(node, rest) if node is not None else None) or self.loc(*seq, *rest)

    def error(self, code: str, message: str, path: tuple, hint: str | None = None, key: bool = False) -> None:
        self.diags.append(Diagnostic(code, message, self.loc(*path, key=key), hint=hint))

    def read_json(self, rel: str, path: tuple, what: str):
        where = self.loc(*path)
        full = os.path.join(os.path.dirname(where.file), rel)
        if self.roots and outside(full, self.roots):
            self.diags.append(outside_diagnostic(what, rel, where))
            return None
        try:
            with open(full, "rb") as fh:
                return json.loads(fh.read().decode("utf-8"))
        except OSError as exc:
            self.diags.append(Diagnostic("GWC008", f"cannot read {what} {rel!r}: {exc.strerror}", where,
                                         hint="the path is relative to the spec file that names it"))
        except (ValueError, UnicodeDecodeError) as exc:
            self.diags.append(Diagnostic("GWC103", f"{what} {rel!r} is not valid JSON: {exc}", where))
        return None

    # -- top level --------------------------------------------------------------
    def run(self) -> ir.IR | None:
        spec = self.spec
        for name, block in spec.policies.items():
            if block.use:
                self.error("GWC204", f"policy set {name!r} uses other sets; sets cannot be nested",
                           ("policies", name, "use"), hint="list the sets on the route instead")
                self.used_sets.update(block.use)
        for name in sorted(spec.services):
            self.services[name] = self.service(name, spec.services[name])
        gateways = []
        seen_listeners: dict[tuple[str, int], Location] = {}
        for name in sorted(spec.gateways):
            gateways.append(self.gateway(name, spec.gateways[name], seen_listeners))
        for name in sorted(set(spec.services) - self.used_services - self.invalid["services"]
                           - self.referenced["services"]):
            self.diags.append(Diagnostic("GWC206", f"service {name!r} is not used by any route",
                                         self.loc("services", name, key=True)))
        for name in sorted(set(spec.policies) - self.used_sets - self.referenced["policies"]):
            self.diags.append(Diagnostic("GWC206", f"policy set {name!r} is not used",
                                         self.loc("policies", name, key=True)))
        self.check_accept()
        accept = tuple((t, tuple(sorted(set(f)))) for t, f in sorted(spec.accept_degraded.items()))
        return ir.IR(tuple(gateways), tuple(self.services[k] for k in sorted(self.services)),
                     self.main_file, accept, origin_finder(self.tree))

    def check_accept(self) -> None:
        if not self.spec.accept_degraded:
            return  # the backend registry is imported only when a spec names targets
        from gatewayc import backends

        from ..capabilities import FEATURES, is_auth

        for target, features in self.spec.accept_degraded.items():
            if target not in backends.REGISTRY:
                self.error("GWC304", f"unknown target {target!r}", ("accept_degraded", target), key=True,
                           hint=did_you_mean(target, backends.REGISTRY))
            for i, f in enumerate(features):
                path = ("accept_degraded", target, i)
                if is_auth(f):
                    self.error("GWC303", f"auth feature {f!r} cannot be accepted as a degradation", path)
                elif f not in FEATURES:
                    self.error("GWC307", f"unknown feature {f!r}", path, hint=did_you_mean(f, FEATURES))

    # -- services ---------------------------------------------------------------
    def service(self, name: str, s: ss.Service) -> ir.Service:
        targets = []
        specs = s.targets or [ss.Target(url=s.url)]  # type: ignore[arg-type]
        for t in specs:
            u = urlsplit(t.url)
            port = u.port or (443 if u.scheme == "https" else 80)
            targets.append(ir.Target(u.scheme, u.hostname or "", port, t.weight, u.path.rstrip("/")))
        bases = {t.base_path for t in targets}
        if len(bases) > 1:
            self.error("GWC204", f"targets of service {name!r} have different base paths",
                       ("services", name, "targets"), hint="give all targets the same path")
        schemes = {t.scheme for t in targets}
        if len(schemes) > 1:
            self.error("GWC204", f"targets of service {name!r} mix http and https", ("services", name, "targets"))
        sp_ = ("services", name)
        r = s.retries
        retry = ir.Retry(r.attempts, tuple(sorted(set(r.statuses))), r.on_connect_failure, r.on_timeout,
                         r.non_idempotent, r.backoff.base if r.backoff else None,
                         r.backoff.max if r.backoff else None, self.loc(*sp_, "retries", key=True)) if r else None
        h = s.health_check
        hc = ir.HealthCheck(h.path, h.interval, h.timeout, h.healthy_threshold, h.unhealthy_threshold,
                            tuple(sorted(set(h.statuses))), self.loc(*sp_, "health_check", key=True)) if h else None
        c = s.circuit_breaker
        cb = ir.CircuitBreaker(c.consecutive_failures, c.failure_percent, c.min_requests, c.window,
                               tuple(sorted(set(c.failure_statuses))), c.open_for, c.half_open_requests,
                               self.loc(*sp_, "circuit_breaker", key=True)) if c else None
        return ir.Service(name, tuple(targets), _timeouts(s.timeouts, self.loc(*sp_, "timeouts", key=True)), retry,
                          hc, cb, self.loc(*sp_, key=True))

    def service_ref(self, name: str, path: tuple) -> ir.Service | None:
        svc = self.services.get(name)
        if svc is None and name in self.invalid["services"]:
            return None
        if svc is None:
            self.error("GWC200", f"no service named {name!r}", path,
                       hint=did_you_mean(name, self.services) or "define it under `services:`")
            # the service the typo was meant to name is not also reported as unused
            self.used_services.update(difflib.get_close_matches(name, list(self.services), n=1, cutoff=0.6))
        else:
            self.used_services.add(name)
        return svc

    # -- gateways ---------------------------------------------------------------
    def gateway(self, name: str, g: sg.Gateway, seen: dict) -> ir.Gateway:
        gp = ("gateways", name)
        listeners = []
        for i, lst in enumerate(g.listeners):
            where = self.loc(*gp, "listeners", i)
            key = (lst.address, lst.port)
            if key in seen:
                self.diags.append(Diagnostic("GWC201", f"port {lst.port} on {lst.address} is used by two listeners",
                                             where, related=((seen[key], "first used here"),)))
            seen[key] = where
            tls = None
            if lst.tls:
                t = lst.tls
                tls = ir.Tls(t.certificate.file, _secret(t.key), t.client_ca.file if t.client_ca else None,
                             t.min_version)
            listeners.append(ir.Listener(lst.port, lst.address, tls, where))
        self.validate_use(g.policies, (*gp, "policies"))
        answers = self.answers(g, gp)
        metrics = g.observability.metrics if g.observability else None
        routes: list[ir.Route] = []
        names: dict[str, int] = {}
        has_mtls = any(l.tls and l.tls.client_ca for l in listeners)
        for i, r in enumerate(g.routes):
            rp = (*gp, "routes", i)
            if r.name in names:
                j = names[r.name]
                first = self.loc(*gp, "routes", j, "name")
                self.diags.append(Diagnostic(
                    "GWC201", f"route name {r.name!r} is used twice in gateway {name!r}", self.loc(*rp, "name"),
                    hint=f"the first is route #{j + 1}; route names are unique per gateway",
                    related=((first, "first used here"),)))
            names.setdefault(r.name, i)
            if metrics is not None:
                self.check_metrics_path(r, rp, metrics.path, (*gp, "observability", "metrics", "path"))
            route = self.route(g, r, rp, len(routes), answers, has_mtls=has_mtls)
            if route is not None:
                routes.append(route)
        if not g.routes and name not in self.pruned_routes:
            self.diags.append(Diagnostic("GWC205", f"gateway {name!r} has no routes", self.loc(*gp, key=True)))
        dispatch = sorted((ir.Dispatch(r, m) for r in routes for m in r.matches), key=dispatch_key)
        self.diags.extend(find_conflicts(dispatch))
        obs = self.observability(g.observability, (*gp, "observability"))
        nf = g.not_found
        not_found = ir.Failure(nf.status, _given(nf, "body", lambda: body_for(answers, nf.status)))
        return ir.Gateway(name, tuple(listeners), tuple(g.hostnames), tuple(routes), tuple(dispatch), obs,
                          not_found, self.loc(*gp, key=True), answers)

    def check_metrics_path(self, r: sg.Route, rp: tuple, metrics: str, where: tuple) -> None:
        """The gateway answers its metrics path itself, ahead of every route (as an exact
        route would rank): a route written for exactly that path could never have it."""
        for j, m in enumerate(r.match):
            if m.path.kind != "regex" and unquote(_path_value(m.path)) == unquote(metrics):
                self.diags.append(Diagnostic(
                    "GWC202", f"route {r.name!r} matches {m.path.value!r}, the path the gateway serves its metrics at",
                    self.loc(*rp, "match", j, "path", m.path.kind),
                    related=((self.loc(*where), "metrics served here"),),
                    hint="move the route, or the metrics with `observability.metrics.path`"))

    def answers(self, g: sg.Gateway, gp: tuple) -> ir.Answers:
        """The `errors:` bodies, and the CORS and response headers of the gateway level alone."""
        eff: Effective = {}
        layer(eff, g.policies, (*gp, "policies"), self.spec.policies, "gateway")
        co_v, co_p = _on(eff, "cors")
        rs_v, rs_p = _on(eff, "response")
        return ir.Answers(tuple((status, e.body) for status, e in sorted(g.errors.items())),
                          self.cors(co_v, co_p) if co_v is not None else None,
                          _ops(rs_v.headers if rs_v else None), self.loc(*gp, "errors"))

    def observability(self, o: sg.Observability | None, path: tuple) -> ir.Observability:
        if o is None:
            return ir.Observability()
        t = o.tracing
        return ir.Observability(
            metrics_path=o.metrics.path if o.metrics else None,
            access_log=o.access_log.format if o.access_log else None,
            request_id_header=o.request_id.header if o.request_id else None,
            request_id_generate=bool(o.request_id and o.request_id.generate),
            tracing_propagation=tuple(t.propagation) if t else (),
            otlp_endpoint=t.otlp.endpoint if t and t.otlp else None,
            otlp_sample_percent=t.otlp.sample_percent if t and t.otlp else 100.0,
            service_name=t.service_name if t else "gatewayc",
            loc=self.loc(*path),
            parts=tuple((part, self.loc(*path, part, key=True)) for part in sg.Observability.model_fields
                        if getattr(o, part) is not None),
        )

    def validate_use(self, block: sp.Policies | None, path: tuple) -> None:
        if block is None:
            return
        for i, n in enumerate(block.use):
            if n in self.invalid["policies"]:
                continue
            if n not in self.spec.policies:
                self.error("GWC200", f"no policy set named {n!r}", (*path, "use", i),
                           hint=did_you_mean(n, self.spec.policies) or "define it under `policies:`")
                self.used_sets.update(difflib.get_close_matches(n, list(self.spec.policies), n=1, cutoff=0.6))
            else:
                self.used_sets.add(n)

    # -- routes -----------------------------------------------------------------
    def route(self, g: sg.Gateway, r: sg.Route, rp: tuple, index: int, answers: ir.Answers,
              has_mtls: bool) -> ir.Route | None:
        matches = []
        for j, m in enumerate(r.match):
            if m.path.kind != "regex" and "*" in m.path.value:
                self.literal_glob(m.path, (*rp, "match", j, "path", m.path.kind))
            matches.append(ir.Match(
                ir.PathMatch(m.path.kind, _path_value(m.path)),  # type: ignore[arg-type]
                tuple(dict.fromkeys(m.methods or ())),
                _value_matches(m.headers, str.lower),
                _value_matches(m.query, str),
                self.item_loc(rp[:-1], rp[-1], "match", j),
            ))
        action = self.action(r, rp, matches, answers)
        self.validate_use(r.policies, (*rp, "policies"))
        eff: Effective = {}
        named = self.spec.policies
        layer(eff, g.policies, (*rp[:2], "policies"), named, "gateway")
        if r.service and r.service in self.spec.services:
            svc = self.spec.services[r.service]
            self.validate_use(svc.policies, ("services", r.service, "policies"))
            layer(eff, svc.policies, ("services", r.service, "policies"), named, "service")
        layer(eff, r.policies, (*rp, "policies"), named, "route")
        policies = self.route_policies(eff, r, rp[1], answers, has_mtls)
        if action is None:
            return None
        if isinstance(action, ir.Forward) and eff.get("timeouts"):
            self.check_per_try(policies.timeouts, action.service.timeouts, eff["timeouts"][1])
        return ir.Route(r.name, tuple(r.hostnames if r.hostnames is not None else g.hostnames), tuple(matches),
                        action, policies, index, self.item_loc(rp[:-1], rp[-1]))

    def literal_glob(self, p: sm.PathMatch, path: tuple) -> None:
        head, star, tail = p.value.partition("*")
        if not tail and head.endswith("/") and head != "/":
            hint = f"to match every path under {head.rstrip('/')}, write `prefix: {head.rstrip('/')}`"
        else:
            hint = "to match a pattern, write it as `regex:` (e.g. `.*` for any text)"
        self.diags.append(Diagnostic("GWC115", f"path {p.value!r} contains '*', which gateways match literally, "
                                     "not as a wildcard", self.loc(*path), hint=hint))

    def action(self, r: sg.Route, rp: tuple, matches: list[ir.Match], answers: ir.Answers):
        if r.websocket and r.service is None:
            self.error("GWC204", "`websocket` applies to routes that forward to a `service`", (*rp, "websocket"),
                       hint="a redirect, fixed response or aggregation cannot be upgraded; remove `websocket`")
        if r.service is not None:
            svc = self.service_ref(r.service, (*rp, "service"))
            pr = None
            if r.rewrite and r.rewrite.path:
                pr = self.path_rewrite(r.rewrite.path, matches, (*rp, "rewrite", "path"))
            mirror = None
            if r.mirror is not None:
                target = self.service_ref(r.mirror.service, (*rp, "mirror", "service"))
                if target is None:
                    return None
                mirror = ir.Mirror(target, r.mirror.percent, self.loc(*rp, "mirror"))
            return ir.Forward(svc, pr, r.rewrite.hostname if r.rewrite else None, mirror,
                              websocket=r.websocket) if svc else None
        if r.redirect is not None:
            d = r.redirect
            pr = self.path_rewrite(d.path, matches, (*rp, "redirect", "path")) if d.path else None
            return ir.Redirect(d.scheme, d.hostname, d.port, pr, d.status)
        if r.aggregate is not None:
            parts = []
            for k, p in enumerate(r.aggregate.parts):
                svc = self.service_ref(p.service, (*rp, "aggregate", "parts", k, "service"))
                if svc:
                    parts.append(ir.AggregatePart(p.key, svc, p.path, p.method, p.timeout))
            if len(parts) != len(r.aggregate.parts):
                return None
            return ir.Aggregate(tuple(parts), r.aggregate.on_failure, self.loc(*rp, "aggregate"))
        assert r.respond is not None
        status, body = r.respond.status, r.respond.body
        if body is None and status >= 400:
            body = body_for(answers, status)  # never an empty or gateway-made HTML error page
        return ir.Respond(status, body)

    def path_rewrite(self, p: sm.PathModifier, matches: list[ir.Match], path: tuple) -> ir.PathRewrite:
        if p.full is not None:
            return ir.PathRewrite("full", p.full)
        bad = [m.path for m in matches if m.path.kind != "prefix"]
        if bad:
            kind = "replace_prefix" if p.replace_prefix is not None else "strip_prefix"
            self.error("GWC204", f"`{kind}` needs prefix matches, but this route matches a path by "
                       f"{bad[0].kind} ({bad[0].value!r})", path,
                       hint="use `full:` for a fixed path, or match by prefix")
        if p.replace_prefix is not None:
            return ir.PathRewrite("replace_prefix", p.replace_prefix)
        return ir.PathRewrite("strip_prefix", "")

    # -- policies ---------------------------------------------------------------
    def route_policies(self, eff: Effective, r: sg.Route, gateway: str, answers: ir.Answers,
                       has_mtls: bool) -> ir.Policies:
        """A route's policies. Most routes of a large spec set none of their own: every such
        route of a service in a gateway gets the same IR object, lowered once, unless a rate
        limit counts per route (its budget names the route). The same values either way
        (tests/spec/test_shared_policies.py); one object instead of thousands."""
        if r.policies is not None:
            return self.policies(eff, r, gateway, answers, has_mtls)
        key = (gateway, r.service)  # answers and has_mtls are the gateway's
        got = self.inherited.get(key)
        if got is None:
            got = self.policies(eff, r, gateway, answers, has_mtls)
            if got.rate_limit is None or got.rate_limit.budget != _budget("route", gateway, r):
                self.inherited[key] = got
        return got

    def policies(self, eff: Effective, r: sg.Route, gateway: str, answers: ir.Answers,
                 has_mtls: bool) -> ir.Policies:
        auth_v, auth_p = _on(eff, "auth")
        auth = None
        if auth_v is not None and not auth_v.anonymous:
            method = self.auth_method(auth_v, auth_p, has_mtls)
            f = auth_v.failure or sa.Failure()
            body = _given(f, "body", lambda: body_for(answers, f.status))
            auth = ir.Auth(method, ir.Failure(f.status, body), self.loc(*auth_p)) if method else None
        rl_v, rl_p = _on(eff, "rate_limit")
        rate = None
        if rl_v is not None:
            key = _key(rl_v.key)
            self.check_key(key, auth, rl_p)
            burst = rl_v.burst if rl_v.burst is not None else \
                (rl_v.requests - 1 if rl_v.algorithm == "token_bucket" else 0)
            scope = self.scope(rl_v, rl_p, eff["rate_limit"][2])
            rate = ir.RateLimit(rl_v.requests, rl_v.per, burst, key, rl_v.algorithm, rl_v.status,
                                _given(rl_v, "body", lambda: body_for(answers, rl_v.status)), scope,
                                _budget(scope, gateway, r), _store(rl_v.store),
                                self.loc(*rl_p))
        cl_v, cl_p = _on(eff, "concurrency_limit")
        conc = None
        if cl_v is not None:
            key = _key(cl_v.key) if cl_v.key else None
            if key:
                self.check_key(key, auth, cl_p)
            conc = ir.ConcurrencyLimit(cl_v.max, key, cl_v.status, self.loc(*cl_p), body_for(answers, cl_v.status))
        c_v, c_p = _on(eff, "cache")
        cache = ir.Cache(c_v.ttl, tuple(dict.fromkeys(c_v.methods)), tuple(sorted(set(c_v.statuses))),
                         tuple(h.lower() for h in c_v.vary.headers), tuple(c_v.vary.query),
                         tuple(h.lower() for h in c_v.bypass.headers), tuple(c_v.bypass.query),
                         self.loc(*c_p), tuple(dict.fromkeys(c_v.key))) if c_v is not None else None
        co_v, co_p = _on(eff, "cors")
        cors = self.cors(co_v, co_p) if co_v is not None else None
        ip_v, ip_p = _on(eff, "ip")
        ipf = ir.IpFilter(tuple(ip_v.allow), tuple(ip_v.deny), self.loc(*ip_p)) if ip_v is not None else None
        bl_v, _ = _on(eff, "body_limit")
        rq_v, rq_p = _on(eff, "request")
        rs_v, rs_p = _on(eff, "response")
        transforms = ir.Transforms()
        if rq_v is not None or rs_v is not None:
            body = None
            if rq_v is not None and rq_v.body is not None:
                b = rq_v.body
                body = ir.BodyMap(tuple(b.rename.items()), tuple(b.set.items()), tuple(b.cast.items()),
                                  self.loc(*rq_p, "body"))
            transforms = ir.Transforms(
                _ops(rq_v.headers if rq_v else None), _ops(rq_v.query if rq_v else None), body,
                _ops(rs_v.headers if rs_v else None), self.loc(*(rq_p or rs_p)))
        va_v, va_p = _on(eff, "validation")
        validation = None
        if va_v is not None:
            schema = None
            if va_v.body is not None:
                schema = va_v.body.inline if va_v.body.inline is not None else \
                    self.read_json(va_v.body.file, (*va_p, "body", "file"), "JSON Schema")
                if schema is not None:
                    self.check_schema(schema, (*va_p, "body"))
            validation = ir.Validation(schema, tuple(va_v.required_headers), tuple(va_v.required_query),
                                       va_v.status, self.loc(*va_p), body_for(answers, va_v.status))
        t_v, t_p = _on(eff, "timeouts")
        return ir.Policies(auth, rate, conc, cache, cors, ipf, bl_v, transforms, validation,
                           _timeouts(t_v, self.loc(*t_p, key=True) if t_p else None))

    def scope(self, rl: sp.RateLimit, path: tuple, level: str) -> str:
        """The written scope, or the level the limit is declared at; never wider than that level."""
        if rl.scope is None:
            return level
        if _SCOPES.index(rl.scope) > _SCOPES.index(level):
            self.error("GWC204", f"`scope: {rl.scope}` is wider than the {level} policies this limit is "
                       f"declared in", (*path, "scope"),
                       hint=f"a limit counts across at most the level it is written at: move it to the "
                            f"{rl.scope}'s policies, or narrow the scope")
            return level
        return rl.scope

    def check_per_try(self, policy: ir.Timeouts, service: ir.Timeouts, path: tuple) -> None:
        """A timeouts policy overrides the service's `timeouts` field by field: the pair that
        applies may come from both (each level alone is checked by the model)."""
        problem = ss.per_try_problem(policy.per_try_ms or service.per_try_ms, policy.request_ms or service.request_ms)
        if problem:
            self.error("GWC204", problem[0], path, hint=problem[1])

    def cors(self, c: sp.Cors, path: tuple) -> ir.Cors:
        return ir.Cors(tuple(c.origins), tuple(dict.fromkeys(c.methods)), tuple(c.headers), tuple(c.expose_headers),
                       c.credentials, c.max_age, self.loc(*path))

    def check_key(self, key: ir.LimitKey, auth: ir.Auth | None, path: tuple) -> None:
        if key.kind == "consumer" and auth is None:
            self.error("GWC204", "a limit keyed by consumer needs auth on the route", (*path, "key"))
        if key.kind == "claim" and (auth is None or not _has_jwt(auth.method)):
            self.error("GWC204", f"a limit keyed by claim {key.name!r} needs JWT auth on the route", (*path, "key"))

    def check_schema(self, schema, path: tuple) -> None:
        import jsonschema

        try:
            jsonschema.validators.validator_for(schema).check_schema(schema)
        except jsonschema.SchemaError as exc:
            self.error("GWC103", f"the request body schema is not a valid JSON Schema: {exc.message}", path)

    def auth_method(self, a: sa.Auth, path: tuple, has_mtls: bool):
        if a.jwt is not None:
            j = a.jwt
            jwks = None
            if j.jwks is not None:
                keys = None
                if j.jwks.file is not None:
                    data = self.read_json(j.jwks.file, (*path, "jwt", "jwks", "file"), "JWKS")
                    keys = self.check_jwks(data, (*path, "jwt", "jwks", "file"))
                    if keys is None:
                        return None
                jwks = ir.Jwks(keys, j.jwks.url, j.jwks.file or j.jwks.url or "")
            t = j.token
            return ir.JwtAuth(tuple(dict.fromkeys(j.algorithms)), _secret(j.secret) if j.secret else None, jwks,
                              j.issuer, tuple(j.audiences), tuple(j.required_claims), j.clock_skew,
                              tuple(j.forward_claims.items()), ir.TokenSource(t.header, t.scheme, t.query, t.cookie),
                              j.require_exp, j.hide_credentials, self.loc(*path, "jwt"), j.realm)
        if a.api_key is not None:
            k = a.api_key
            return ir.ApiKeyAuth(k.header, k.query, _secret(k.keys), k.hide_credentials, self.loc(*path, "api_key"),
                                 k.realm)
        if a.basic is not None:
            b = a.basic
            return ir.BasicAuth(_secret(b.credentials), b.realm, b.hide_credentials, self.loc(*path, "basic"))
        if a.mtls is not None:
            if not has_mtls:
                self.error("GWC204", "mTLS auth needs a listener with `tls.client_ca`", (*path, "mtls"))
            return ir.MtlsAuth(tuple(a.mtls.subjects))
        subs = a.any_of if a.any_of is not None else a.all_of
        methods = []
        for i, sub in enumerate(subs or ()):
            sp_ = (*path, "any_of" if a.any_of is not None else "all_of", i)
            if sub.anonymous:
                self.error("GWC204", "`anonymous` inside any_of/all_of makes the auth meaningless", sp_)
                continue
            m = self.auth_method(sub, sp_, has_mtls)
            if m is None:
                return None
            methods.append(m)
        return ir.AnyOf(tuple(methods)) if a.any_of is not None else ir.AllOf(tuple(methods))

    def check_jwks(self, data, path: tuple):
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list) or not data["keys"]:
            self.error("GWC103", "a JWKS file is a JSON object with a non-empty `keys` list", path)
            return None
        for k in data["keys"]:
            if not isinstance(k, dict) or k.get("kty") not in ("RSA", "EC"):
                self.error("GWC103", "JWKS keys must be RSA or EC keys (`kty`)", path)
                return None
            if "d" in k or "p" in k:
                self.error("GWC109", "the JWKS file holds private key material", path,
                           hint="publish only the public keys (no `d`, `p`, `q`) to the gateway")
                return None
        return tuple(data["keys"])


def _on(eff: Effective, kind: str) -> tuple:
    """(value, where) of a policy kind, or (None, None) when it is unset or switched off."""
    v = eff.get(kind)
    return (None, None) if v is None or v[0] is False else v[:2]


def _given(model, field: str, default):
    """A field's value when the spec wrote it (even `null`), else default()."""
    return getattr(model, field) if field in model.model_fields_set else default()


def _path_value(p: sm.PathMatch) -> str:
    """A prefix matches whole segments, so a trailing slash changes nothing (Gateway API:
    "a trailing `/` is ignored"): `/v2/` is `/v2`, also for conflicts and every target."""
    if p.kind == "prefix" and p.value != "/":
        return p.value.rstrip("/")
    return p.value


def _value_matches(ms, name) -> tuple[ir.ValueMatch, ...]:
    """A match's header or query conditions, sorted by their fields (ValueMatch is not orderable)."""
    if not ms:
        return ()
    return tuple(sorted((ir.ValueMatch(name(m.name), "exact" if m.value is not None else "regex",
                                       m.value if m.value is not None else m.regex) for m in ms), key=_vm_key))


def _vm_key(v: ir.ValueMatch) -> tuple:
    return (v.name, v.kind, v.value)


def _has_jwt(m) -> bool:
    if isinstance(m, ir.JwtAuth):
        return True
    if isinstance(m, (ir.AnyOf, ir.AllOf)):
        return any(_has_jwt(s) for s in m.methods)
    return False


_SCOPES = ("route", "service", "gateway")  # narrowest first


def _budget(scope: str, gateway: str, r: sg.Route) -> str:
    if scope == "gateway":
        return f"{gateway}/gateway"
    if scope == "service" and r.service is not None:
        return f"{gateway}/service/{r.service}"
    # route scope, or service scope on a route with no service of its own to share with
    return f"{gateway}/route/{r.name}"


def _store(s: sp.Store | None) -> ir.RedisStore | None:
    if s is None:
        return None
    r = s.redis
    host, _, port = r.address.rpartition(":")
    return ir.RedisStore(host.strip("[]"), int(port), _secret(r.password) if r.password else None, r.database)


def _secret(ref) -> ir.SecretRef:
    return ir.SecretRef("env", ref.env) if ref.env is not None else ir.SecretRef("file", ref.file)


def _key(k: sp.Key) -> ir.LimitKey:
    if k.client_ip:
        return ir.LimitKey("client_ip")
    if k.consumer:
        return ir.LimitKey("consumer")
    if k.header is not None:
        return ir.LimitKey("header", k.header.lower())
    return ir.LimitKey("claim", k.claim)


def _ops(o) -> ir.HeaderOps:
    if o is None:
        return ir.HeaderOps()
    return ir.HeaderOps(tuple(o.set.items()), tuple(o.add.items()), tuple(o.remove),
                        tuple(getattr(o, "rename", {}).items()))


def _timeouts(t: ss.Timeouts | None, loc: Location | None = None) -> ir.Timeouts:
    if t is None:
        return ir.Timeouts()
    return ir.Timeouts(t.connect, t.read, t.send, t.request, t.per_try, loc or ir.NOWHERE)
