"""The neutral, immutable intermediate representation every backend compiles from.

Normalised: durations in milliseconds, sizes in bytes, references resolved to objects,
defaults and policy inheritance applied, routes also listed in precedence order. Every
node carries the Location of the spec text it came from, so a backend can point a
capability error at file:line:col. Backends must never look at the YAML or the spec models.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..diagnostics import Location

NOWHERE = Location("<none>", 0, 0)


@dataclass(frozen=True, slots=True)
class SecretRef:
    kind: Literal["env", "file"]
    name: str  # variable name, or a path on the gateway host (emitted as written)


@dataclass(frozen=True, slots=True)
class Target:
    scheme: Literal["http", "https"]
    host: str
    port: int
    weight: int
    base_path: str  # "" when the URL has no path


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect_ms: int | None = None
    read_ms: int | None = None
    send_ms: int | None = None
    request_ms: int | None = None  # the whole request, every try included
    per_try_ms: int | None = None  # each try; never longer than request_ms
    loc: Location = field(default=NOWHERE, compare=False)  # the `timeouts:` key


@dataclass(frozen=True, slots=True)
class Retry:
    attempts: int  # tries in all, the first included
    statuses: tuple[int, ...]
    on_connect_failure: bool
    on_timeout: bool
    non_idempotent: bool
    backoff_base_ms: int | None
    backoff_max_ms: int | None
    loc: Location = field(default=NOWHERE, compare=False)  # the `retries:` key


@dataclass(frozen=True, slots=True)
class HealthCheck:
    path: str
    interval_ms: int
    timeout_ms: int
    healthy_threshold: int
    unhealthy_threshold: int
    statuses: tuple[int, ...]
    loc: Location = field(default=NOWHERE, compare=False)  # the `health_check:` key


@dataclass(frozen=True, slots=True)
class CircuitBreaker:
    consecutive_failures: int | None
    failure_percent: int | None
    min_requests: int
    window_ms: int
    failure_statuses: tuple[int, ...]
    open_ms: int
    half_open_requests: int
    loc: Location = field(default=NOWHERE, compare=False)  # the `circuit_breaker:` key


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    targets: tuple[Target, ...]
    timeouts: Timeouts
    retry: Retry | None
    health_check: HealthCheck | None
    circuit_breaker: CircuitBreaker | None
    loc: Location = NOWHERE


# --- matching -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PathMatch:
    kind: Literal["exact", "prefix", "regex"]
    value: str


@dataclass(frozen=True, slots=True)
class ValueMatch:
    """A header or query parameter match: exact value or full-match regex."""

    name: str
    kind: Literal["exact", "regex"]
    value: str


@dataclass(frozen=True, slots=True)
class Match:
    path: PathMatch
    methods: tuple[str, ...]  # empty: any method
    headers: tuple[ValueMatch, ...]
    query: tuple[ValueMatch, ...]
    loc: Location = NOWHERE


# --- policies -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Failure:
    status: int
    body: Any  # JSON value


@dataclass(frozen=True, slots=True)
class Jwks:
    keys: tuple[dict, ...] | None  # from a file, read and checked at build time
    url: str | None
    source: str  # the file path or URL as written


@dataclass(frozen=True, slots=True)
class TokenSource:
    header: str | None
    scheme: str | None
    query: str | None
    cookie: str | None


@dataclass(frozen=True, slots=True)
class JwtAuth:
    algorithms: tuple[str, ...]
    secret: SecretRef | None
    jwks: Jwks | None
    issuer: str | None
    audiences: tuple[str, ...]
    required_claims: tuple[str, ...]
    clock_skew_ms: int
    forward_claims: tuple[tuple[str, str], ...]  # (claim, header)
    token: TokenSource
    require_exp: bool = True  # False: a token without `exp` passes (an expired one never does)
    hide_credentials: bool = False  # True: the token's header/query parameter/cookie is not forwarded
    loc: Location = NOWHERE  # the `jwt:` block
    realm: str = "gatewayc"  # of the Bearer challenge

    @property
    def family(self) -> Literal["hmac", "public_key"]:
        return "hmac" if self.algorithms[0].startswith("HS") else "public_key"


@dataclass(frozen=True, slots=True)
class ApiKeyAuth:
    header: str | None
    query: str | None
    keys: SecretRef
    hide_credentials: bool = False
    loc: Location = NOWHERE
    realm: str = "gatewayc"  # of the Key challenge


@dataclass(frozen=True, slots=True)
class BasicAuth:
    credentials: SecretRef
    realm: str
    hide_credentials: bool = False  # True: Authorization is not forwarded
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class MtlsAuth:
    subjects: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    methods: tuple["AuthMethod", ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    methods: tuple["AuthMethod", ...]


AuthMethod = JwtAuth | ApiKeyAuth | BasicAuth | MtlsAuth | AnyOf | AllOf


@dataclass(frozen=True, slots=True)
class Auth:
    method: AuthMethod
    failure: Failure
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class LimitKey:
    kind: Literal["client_ip", "header", "consumer", "claim"]
    name: str | None = None  # header or claim name


@dataclass(frozen=True, slots=True)
class RedisStore:
    host: str  # a DNS name or an address, IPv6 without brackets
    port: int
    password: SecretRef | None
    database: int


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Routes whose limits have the same `budget` share one counter per key value; the
    budget is "<gateway>/gateway", "<gateway>/service/<service>" or "<gateway>/route/<route>"
    after the scope (a route without a service to share counts alone under service scope)."""

    requests: int
    period_ms: int
    burst: int  # 0: none above the rate
    key: LimitKey
    algorithm: Literal["token_bucket", "fixed_window", "sliding_window", "leaky_bucket"]
    status: int
    body: Any
    scope: Literal["route", "service", "gateway"]
    budget: str
    store: RedisStore | None = None  # None: each gateway instance counts alone
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class ConcurrencyLimit:
    max: int
    key: LimitKey | None
    status: int
    loc: Location = NOWHERE
    body: Any = None  # the gateway's body for `status` (answers.body_for)


@dataclass(frozen=True, slots=True)
class Cache:
    ttl_ms: int
    methods: tuple[str, ...]
    statuses: tuple[int, ...]
    vary_headers: tuple[str, ...]
    vary_query: tuple[str, ...]
    bypass_headers: tuple[str, ...]
    bypass_query: tuple[str, ...]
    loc: Location = NOWHERE
    key: tuple[str, ...] = ("method", "host", "path", "query")


@dataclass(frozen=True, slots=True)
class Cors:
    origins: tuple[str, ...]
    methods: tuple[str, ...]  # ("*",): any method
    headers: tuple[str, ...]  # ("*",): any request header; (): only the CORS-safelisted ones
    expose_headers: tuple[str, ...]  # ("*",): every response header
    credentials: bool  # never with a "*" above
    max_age_ms: int | None
    loc: Location = NOWHERE

    @property
    def any_method(self) -> bool:
        return self.methods == ("*",)

    @property
    def any_header(self) -> bool:
        return self.headers == ("*",)


@dataclass(frozen=True, slots=True)
class IpFilter:
    allow: tuple[str, ...]
    deny: tuple[str, ...]
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class HeaderOps:
    set: tuple[tuple[str, str], ...] = ()
    add: tuple[tuple[str, str], ...] = ()
    remove: tuple[str, ...] = ()
    rename: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.set or self.add or self.remove or self.rename)


@dataclass(frozen=True, slots=True)
class BodyMap:
    rename: tuple[tuple[str, str], ...]
    set: tuple[tuple[str, Any], ...]
    cast: tuple[tuple[str, str], ...]
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class Transforms:
    request_headers: HeaderOps = HeaderOps()
    request_query: HeaderOps = HeaderOps()
    request_body: BodyMap | None = None
    response_headers: HeaderOps = HeaderOps()
    loc: Location = NOWHERE

    def __bool__(self) -> bool:
        return bool(self.request_headers or self.request_query or self.request_body or self.response_headers)


@dataclass(frozen=True, slots=True)
class Validation:
    body_schema: dict | None
    required_headers: tuple[str, ...]
    required_query: tuple[str, ...]
    status: int
    loc: Location = NOWHERE
    body: Any = None  # the gateway's body for `status` (answers.body_for)


@dataclass(frozen=True, slots=True)
class Policies:
    """The effective policies of one route after inheritance."""

    auth: Auth | None = None  # None: anonymous (explicitly, or nothing configured)
    rate_limit: RateLimit | None = None
    concurrency_limit: ConcurrencyLimit | None = None
    cache: Cache | None = None
    cors: Cors | None = None
    ip: IpFilter | None = None
    body_limit: int | None = None
    transforms: Transforms = Transforms()
    validation: Validation | None = None
    timeouts: Timeouts = Timeouts()


# --- actions --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PathRewrite:
    kind: Literal["full", "replace_prefix", "strip_prefix"]
    value: str  # "" for strip_prefix


@dataclass(frozen=True, slots=True)
class Mirror:
    """A copy of the request the route's service receives goes to `service` as well, for
    `percent` of the requests; its answer is ignored and never reaches the client."""

    service: Service
    percent: int  # 1-100
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class Forward:
    service: Service
    path_rewrite: PathRewrite | None = None
    host_rewrite: str | None = None
    mirror: Mirror | None = None
    websocket: bool = False  # forward `Upgrade: websocket` (and only that upgrade)


@dataclass(frozen=True, slots=True)
class Redirect:
    scheme: str | None
    hostname: str | None
    port: int | None
    path: PathRewrite | None
    status: int


@dataclass(frozen=True, slots=True)
class AggregatePart:
    key: str
    service: Service
    path: str
    method: str
    timeout_ms: int


@dataclass(frozen=True, slots=True)
class Aggregate:
    parts: tuple[AggregatePart, ...]
    on_failure: Literal["null", "omit", "fail"]
    loc: Location = field(default=NOWHERE, compare=False)  # the `aggregate:` key


@dataclass(frozen=True, slots=True)
class Respond:
    status: int
    body: Any  # None: no body (only below 400; a 4xx/5xx without one gets the gateway's)


Action = Forward | Redirect | Aggregate | Respond


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    hostnames: tuple[str, ...]  # empty: any host
    matches: tuple[Match, ...]
    action: Action
    policies: Policies
    index: int  # position in spec order within its gateway
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class Dispatch:
    """One (route, match) pair; a gateway's dispatch table is sorted by Gateway API precedence."""

    route: Route
    match: Match


# --- gateways -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Tls:
    certificate: str
    key: SecretRef
    client_ca: str | None
    min_version: str


@dataclass(frozen=True, slots=True)
class Listener:
    port: int
    address: str
    tls: Tls | None
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class Observability:
    metrics_path: str | None = None
    access_log: str | None = None  # "json" | "text"
    request_id_header: str | None = None
    request_id_generate: bool = False
    tracing_propagation: tuple[str, ...] = ()
    otlp_endpoint: str | None = None
    otlp_sample_percent: float = 100.0
    service_name: str = "gatewayc"
    loc: Location = NOWHERE
    # the key of each part written (metrics, access_log, ...), for messages about that part
    parts: tuple[tuple[str, Location], ...] = field(default=(), compare=False)

    def where(self, part: str) -> Location:
        return dict(self.parts).get(part, self.loc)


@dataclass(frozen=True, slots=True)
class Answers:
    """How a gateway shapes the answers it makes itself (docs/spec.md, "Answers the gateway
    makes itself"); gatewayc.ir.answers derives bodies, challenges and Retry-After from it.
    Policy bodies (auth failure, rate limit, not_found) are already resolved in their nodes."""

    bodies: tuple[tuple[int, Any], ...] = ()  # `errors:` (status, body), by status
    # The gateway level's own CORS and response headers (its `use:` sets and fields): what an
    # answer carries when it belongs to no route (no route matched, or nginx refused early).
    cors: Cors | None = None
    response_headers: HeaderOps = HeaderOps()
    loc: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class Gateway:
    name: str
    listeners: tuple[Listener, ...]
    hostnames: tuple[str, ...]
    routes: tuple[Route, ...]  # spec order
    dispatch: tuple[Dispatch, ...]  # precedence order
    observability: Observability
    not_found: Failure
    loc: Location = NOWHERE
    answers: Answers = Answers()

    @property
    def services(self) -> tuple[Service, ...]:
        """Every service this gateway uses, sorted by name."""
        seen: dict[str, Service] = {}
        for r in self.routes:
            a = r.action
            if isinstance(a, Forward):
                seen[a.service.name] = a.service
                if a.mirror:
                    seen[a.mirror.service.name] = a.mirror.service
            elif isinstance(a, Aggregate):
                for p in a.parts:
                    seen[p.service.name] = p.service
        return tuple(seen[k] for k in sorted(seen))


@dataclass(frozen=True, slots=True)
class IR:
    gateways: tuple[Gateway, ...]  # sorted by name
    services: tuple[Service, ...]  # sorted by name
    source: str  # the main spec file, as given
    accept_degraded: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # text a backend wrote (an nginx argument, say) -> the position of the spec value it
    # came from, or None; searched only when a backend has something to point at
    origin: Callable[[str], Location | None] = field(default=lambda text: None, compare=False, repr=False)

    def gateway(self, name: str) -> Gateway | None:
        return next((g for g in self.gateways if g.name == name), None)
