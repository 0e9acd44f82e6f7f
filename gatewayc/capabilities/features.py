"""The feature vocabulary of the capability model, and how to find features in an IR.

A feature id is stable: users name it in `--accept-degraded` and `accept_degraded:`.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Location
from ..ir import model as ir

FEATURES: dict[str, str] = {
    "routing.path.exact": "Exact path match",
    "routing.path.prefix": "Segment-wise path prefix match",
    "routing.path.regex": "Regular-expression path match (full match)",
    "routing.method": "Method match",
    "routing.header": "Header match (exact or regex)",
    "routing.query": "Query parameter match (exact or regex)",
    "routing.hostname": "Exact hostname match",
    "routing.hostname.wildcard": "Wildcard hostname match (*.example.com)",
    "action.redirect": "Redirect response",
    "action.respond": "Fixed response",
    "rewrite.path": "Path rewrite (full path or prefix replacement)",
    "rewrite.strip_prefix": "Strip the matched prefix",
    "rewrite.host": "Host header rewrite",
    "mirror": "Request mirroring to a second service",
    "listener.tls": "HTTPS listener",
    "listener.mtls": "Client certificate verification on a listener",
    "upstream.weighted": "Several weighted targets",
    "upstream.timeouts": "Connect/read/send timeouts",
    "upstream.request_timeout": "Whole-request timeout",
    "upstream.per_try_timeout": "Per-try timeout (each try to the service)",
    "upstream.retry": "Retries on statuses and connection errors",
    "upstream.retry.backoff": "Retry backoff",
    "upstream.health_check": "Active health checks",
    "upstream.circuit_breaker": "Circuit breaker (outlier ejection)",
    "upstream.websocket": "WebSocket upgrades forwarded (`websocket: true`)",
    "auth.jwt.hmac": "JWT with HS256/384/512",
    "auth.jwt.public_key": "JWT with RS*/ES* and a JWKS file",
    "auth.jwt.jwks_url": "JWT with keys fetched from a JWKS URL",
    "auth.jwt.forward_claims": "JWT claims forwarded as headers",
    "auth.api_key": "API keys",
    "auth.basic": "HTTP basic auth",
    "auth.mtls": "Client certificate auth",
    "auth.any_of": "Any of several auth methods",
    "auth.all_of": "All of several auth methods",
    "rate_limit.token_bucket": "Rate limit, token bucket",
    "rate_limit.fixed_window": "Rate limit, fixed window",
    "rate_limit.sliding_window": "Rate limit, sliding window",
    "rate_limit.leaky_bucket": "Rate limit, leaky bucket",
    "rate_limit.key.header": "Rate limit keyed by a header",
    "rate_limit.key.consumer": "Rate limit keyed by the authenticated consumer",
    "rate_limit.key.claim": "Rate limit keyed by a JWT claim",
    "rate_limit.shared": "Rate limit shared across gateway instances (`store`)",
    "concurrency_limit": "Concurrent request limit",
    "cache": "Response caching",
    "cors": "CORS",
    "ip_filter": "IP allow/deny",
    "body_limit": "Request body size limit",
    "transform.request.headers": "Request header transforms",
    "transform.request.query": "Query parameter transforms",
    "transform.request.body": "JSON body field mapping",
    "transform.request.body.rename": "JSON body field renames (a mapping that only renames)",
    "transform.response.headers": "Response header transforms",
    "validation.body_schema": "JSON Schema validation of request bodies",
    "validation.required": "Required headers and query parameters",
    "aggregation": "Response aggregation from several services",
    "observability.metrics": "Prometheus metrics endpoint",
    "observability.access_log": "JSON access log",
    "observability.request_id": "Request id propagation",
    "observability.trace_context": "Trace context (W3C/B3) carried to upstreams",
    "observability.tracing": "OpenTelemetry span export (OTLP)",
    "answers.errors": "Bodies of the gateway's own error answers, per status (`errors`)",
}


def is_auth(feature: str) -> bool:
    return feature.startswith("auth.")


Use = tuple[str, Location, str]  # feature, where, what (for messages)


def uses(spec: ir.IR, gateways: tuple[ir.Gateway, ...] | None = None) -> Iterator[Use]:
    """Every use of a feature in the selected gateways, in a stable order."""
    for gw in gateways if gateways is not None else spec.gateways:
        yield from _gateway(gw)


def _gateway(gw: ir.Gateway) -> Iterator[Use]:
    what = f"gateway {gw.name!r}"
    for lst in gw.listeners:
        if lst.tls:
            yield "listener.tls", lst.loc, what
            if lst.tls.client_ca:
                yield "listener.mtls", lst.loc, what
    o = gw.observability
    if o.metrics_path:
        yield "observability.metrics", o.where("metrics"), what
    if o.access_log:
        yield "observability.access_log", o.where("access_log"), what
    if o.request_id_header:
        yield "observability.request_id", o.where("request_id"), what
    if o.tracing_propagation:
        yield "observability.trace_context", o.where("tracing"), what
    if o.otlp_endpoint:
        yield "observability.tracing", o.where("tracing"), what
    # the not_found status's entry is fully carried by the not_found answer (resolved in the IR)
    if any(status != gw.not_found.status for status, _ in gw.answers.bodies):
        yield "answers.errors", gw.answers.loc, what
    for svc in gw.services:
        yield from _service(svc, f"service {svc.name!r}")
    for r in gw.routes:
        yield from _route(r, f"route {r.name!r} of gateway {gw.name!r}")


def _service(s: ir.Service, what: str) -> Iterator[Use]:
    if len(s.targets) > 1:
        yield "upstream.weighted", s.loc, what
    t = s.timeouts
    if t.connect_ms or t.read_ms or t.send_ms:
        yield "upstream.timeouts", _at(t.loc, s.loc), what
    if t.request_ms:
        yield "upstream.request_timeout", _at(t.loc, s.loc), what
    if t.per_try_ms:
        yield "upstream.per_try_timeout", _at(t.loc, s.loc), what
    if s.retry:
        yield "upstream.retry", _at(s.retry.loc, s.loc), what
        if s.retry.backoff_base_ms is not None:
            yield "upstream.retry.backoff", _at(s.retry.loc, s.loc), what
    if s.health_check:
        yield "upstream.health_check", _at(s.health_check.loc, s.loc), what
    if s.circuit_breaker:
        yield "upstream.circuit_breaker", _at(s.circuit_breaker.loc, s.loc), what


def _at(loc: Location, fallback: Location) -> Location:
    """The key the feature is written at (an IR made by hand may not know it)."""
    return fallback if loc == ir.NOWHERE else loc


def _route(r: ir.Route, what: str) -> Iterator[Use]:
    for h in r.hostnames:
        yield ("routing.hostname.wildcard" if h.startswith("*.") else "routing.hostname"), r.loc, what
    for m in r.matches:
        yield f"routing.path.{m.path.kind}", m.loc, what
        if m.methods:
            yield "routing.method", m.loc, what
        if m.headers:
            yield "routing.header", m.loc, what
        if m.query:
            yield "routing.query", m.loc, what
    a = r.action
    if isinstance(a, ir.Redirect):
        yield "action.redirect", r.loc, what
    elif isinstance(a, ir.Respond):
        yield "action.respond", r.loc, what
    elif isinstance(a, ir.Aggregate):
        yield "aggregation", r.loc, what
    elif isinstance(a, ir.Forward):
        if a.path_rewrite:
            yield ("rewrite.strip_prefix" if a.path_rewrite.kind == "strip_prefix" else "rewrite.path"), r.loc, what
        if a.host_rewrite:
            yield "rewrite.host", r.loc, what
        if a.mirror:
            yield "mirror", a.mirror.loc, what
        if a.websocket:
            yield "upstream.websocket", r.loc, what
    p = r.policies
    if p.auth:
        yield from _auth(p.auth.method, p.auth.loc, what)
    if p.rate_limit:
        rl = p.rate_limit
        yield f"rate_limit.{rl.algorithm}", rl.loc, what
        if rl.key.kind != "client_ip":
            yield f"rate_limit.key.{rl.key.kind}", rl.loc, what
        if rl.store is not None:
            yield "rate_limit.shared", rl.loc, what
    if p.concurrency_limit:
        yield "concurrency_limit", p.concurrency_limit.loc, what
    if p.cache:
        yield "cache", p.cache.loc, what
    if p.cors:
        yield "cors", p.cors.loc, what
    if p.ip:
        yield "ip_filter", p.ip.loc, what
    if p.body_limit is not None:
        yield "body_limit", r.loc, what
    tr = p.transforms
    if tr.request_headers:
        yield "transform.request.headers", tr.loc, what
    if tr.request_query:
        yield "transform.request.query", tr.loc, what
    if tr.request_body:
        bm = tr.request_body
        yield ("transform.request.body" if bm.set or bm.cast else "transform.request.body.rename"), bm.loc, what
    if tr.response_headers:
        yield "transform.response.headers", tr.loc, what
    if p.validation:
        if p.validation.body_schema is not None:
            yield "validation.body_schema", p.validation.loc, what
        if p.validation.required_headers or p.validation.required_query:
            yield "validation.required", p.validation.loc, what
    t = p.timeouts
    if t.connect_ms or t.read_ms or t.send_ms:
        yield "upstream.timeouts", _at(t.loc, r.loc), what
    if t.request_ms:
        yield "upstream.request_timeout", _at(t.loc, r.loc), what
    if t.per_try_ms:
        yield "upstream.per_try_timeout", _at(t.loc, r.loc), what


def _auth(m: ir.AuthMethod, loc: Location, what: str) -> Iterator[Use]:
    if isinstance(m, ir.JwtAuth):
        if m.family == "hmac":
            yield "auth.jwt.hmac", loc, what
        elif m.jwks and m.jwks.url:
            yield "auth.jwt.jwks_url", loc, what
        else:
            yield "auth.jwt.public_key", loc, what
        if m.forward_claims:
            yield "auth.jwt.forward_claims", loc, what
    elif isinstance(m, ir.ApiKeyAuth):
        yield "auth.api_key", loc, what
    elif isinstance(m, ir.BasicAuth):
        yield "auth.basic", loc, what
    elif isinstance(m, ir.MtlsAuth):
        yield "auth.mtls", loc, what
    elif isinstance(m, (ir.AnyOf, ir.AllOf)):
        yield ("auth.any_of" if isinstance(m, ir.AnyOf) else "auth.all_of"), loc, what
        for sub in m.methods:
            yield from _auth(sub, loc, what)
