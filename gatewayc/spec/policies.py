from __future__ import annotations

import difflib
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, field_validator, model_validator

from .auth import Auth
from .secrets import SecretRef
from .services import Timeouts
from .types import (INTEGRAL, Cidr, Duration, FilePath, PositiveDuration, HeaderName, HeaderValue, JsonValue, Method,
                    Model, Name, QueryName, Size, Status, Text, Toggle, exactly_one, fail, parse_hostname, upper)


KEY_WORDS = ("client_ip", "consumer")
KEYS = "a limit key is `client_ip`, `consumer`, `{header: NAME}` or `{claim: NAME}`"
# words for "all clients together": what a key cannot say (scope is about routes, not clients)
_EVERYONE = {"all", "any", "anyone", "everyone", "everybody", "global", "gateway", "none", "shared", "total"}


def key_hint(word: str) -> str:
    w = word.lower().replace("-", "_").replace(" ", "_")
    if w in _EVERYONE:
        return ("`key` is what a limit counts per: `client_ip`, `consumer`, `{header: NAME}` or `{claim: NAME}`; "
                "no key puts every client in one budget (which routes share a budget is `scope: route | service | "
                "gateway`)")
    close = [k for k in KEY_WORDS if w and w in k] or difflib.get_close_matches(w, KEY_WORDS, n=1, cutoff=0.6)
    return (f"did you mean `key: {close[0]}`? " if len(close) == 1 else "") + KEYS


class Key(Model):
    """What a limit counts by."""

    client_ip: Literal[True] | None = None
    header: HeaderName | None = None
    consumer: Literal[True] | None = None
    claim: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, str):
            if v in KEY_WORDS:
                return {v: True}
            raise fail("GWC103", f"{v!r} is not a limit key", key_hint(v))
        return v

    @model_validator(mode="after")
    def _one(self) -> "Key":
        exactly_one(self, ("client_ip", "header", "consumer", "claim"), "a limit key")
        return self


RateAlgorithm = Literal["token_bucket", "fixed_window", "sliding_window", "leaky_bucket"]
Scope = Literal["route", "service", "gateway"]
ADDRESS_HINT = "write host:port, e.g. redis.internal:6379, 10.0.0.5:6379 or [::1]:6379"


def parse_address(v: Any) -> str:
    """host:port with a DNS name, an IPv4 address or a bracketed IPv6 address."""
    import ipaddress

    if not isinstance(v, str):
        raise fail("GWC101", f"an address must be a string, not {type(v).__name__}", ADDRESS_HINT)
    host, sep, port = v.rpartition(":")
    if not sep or not port.isdigit() or not 1 <= int(port) <= 65535 or port != str(int(port)):
        raise fail("GWC103", f"{v!r} is not host:port", ADDRESS_HINT)
    if host.startswith("[") and host.endswith("]"):
        try:
            if "%" in host:  # Python takes any text after it as a scope id
                raise ValueError(host)
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise fail("GWC103", f"{host!r} is not an IPv6 address", ADDRESS_HINT) from None
        return v
    try:
        ipaddress.IPv4Address(host)
        return v
    except ValueError:
        pass
    try:
        parse_hostname(host)
    except ValueError:
        raise fail("GWC103", f"{host!r} is not a host name or address", ADDRESS_HINT) from None
    if host.startswith("*"):
        raise fail("GWC103", f"{host!r} is a wildcard, not a host", ADDRESS_HINT)
    return v


Address = Annotated[str, BeforeValidator(parse_address),
                    WithJsonSchema({"type": "string", "examples": ["redis.internal:6379"]})]


class RedisStore(Model):
    address: Address
    password: SecretRef | None = Field(None, description="by reference only; none: no AUTH")
    # Redis numbers its databases with a C int (SELECT below `databases`, at most 2^31 - 1 of them)
    database: Annotated[int, Field(ge=0, le=2_147_483_646), INTEGRAL] = 0


class Store(Model):
    """Where every gateway instance keeps the counters it shares with the others."""

    redis: RedisStore


_RETIRED_SCOPES = {
    "shared": ("`scope: shared` is retired: `scope` now says which routes share a budget",
               "to share one budget across gateway instances, add `store: {redis: {address: host:port}}`; "
               "scope takes route, service or gateway"),
    "instance": ("`scope: instance` is retired: `scope` now says which routes share a budget",
                 "each gateway instance counting alone is what a limit without `store` does; remove `scope`, "
                 "or write route, service or gateway"),
}


class RateLimit(Model):
    requests: Annotated[int, Field(ge=1), INTEGRAL]
    per: Duration
    burst: Annotated[int, INTEGRAL] | None = Field(
        None, description="requests allowed at once above the steady rate; default for token_bucket: requests - 1, "
        "so a fresh client may spend one period's worth at once")
    key: Key = Field(default_factory=lambda: Key(client_ip=True))
    algorithm: RateAlgorithm = "token_bucket"
    status: Status = 429
    body: JsonValue = Field(None, description="default: the gateway's answer body for the status (`errors:`)")
    scope: Scope | None = Field(None, description="which routes share one budget per key value; default: the "
                                "level the limit is written at (gateway, service or route), and it may only narrow")
    store: Store | None = Field(None, description="absent: each gateway instance counts alone; redis: all "
                                "instances share one budget")

    @field_validator("scope", mode="before")
    @classmethod
    def _retired(cls, v: Any) -> Any:
        if isinstance(v, str) and v in _RETIRED_SCOPES:
            raise fail("GWC103", *_RETIRED_SCOPES[v])
        return v

    @field_validator("burst")
    @classmethod
    def _burst(cls, v: int | None) -> int | None:
        if v is not None and v < 1:
            raise fail("GWC204", f"burst {v} is below 1", "omit `burst` for no burst above the rate")
        return v

    @field_validator("per")
    @classmethod
    def _per(cls, v: int) -> int:
        if v < 1000:
            raise fail("GWC204", "a rate limit period must be at least 1s")
        return v


class ConcurrencyLimit(Model):
    max: Annotated[int, Field(ge=1), INTEGRAL]
    key: Key | None = None
    status: Status = 503


class Vary(Model):
    headers: list[HeaderName] = Field(default_factory=list)
    query: list[QueryName] = Field(default_factory=list)


class Bypass(Model):
    headers: list[HeaderName] = Field(default_factory=list)
    query: list[QueryName] = Field(default_factory=list)


CacheKeyPart = Literal["method", "host", "path", "query"]


class Cache(Model):
    ttl: PositiveDuration
    key: Annotated[list[CacheKeyPart], Field(min_length=1)] = Field(
        default_factory=lambda: ["method", "host", "path", "query"],
        description="request parts the cache key is made of; `vary` adds headers and query parameters")
    methods: list[Literal["GET", "HEAD"]] = Field(default_factory=lambda: ["GET", "HEAD"])
    statuses: list[Status] = Field(default_factory=lambda: [200])
    vary: Vary = Field(default_factory=Vary)
    bypass: Bypass = Field(default_factory=Bypass)


# a CORS method list may be ["*"]: any method
CorsMethod = Annotated[Literal[Method, "*"], BeforeValidator(upper)]


_ORIGIN_RE = re.compile(r"https?://(\*\.)?[a-z0-9.-]+(:\d+)?")


def parse_origin(v: Any) -> str:
    if v != "*" and (not isinstance(v, str) or not _ORIGIN_RE.fullmatch(v)):
        raise fail("GWC103", f"{v!r} is not a CORS origin",
                   "write scheme://host[:port], e.g. https://app.example.com or https://*.example.com")
    return v


CorsOrigin = Annotated[str, BeforeValidator(parse_origin), WithJsonSchema({"type": "string"})]


class Cors(Model):
    origins: Annotated[list[CorsOrigin], Field(min_length=1)]
    methods: list[CorsMethod] = Field(default_factory=lambda: ["GET", "HEAD", "POST"],
                                      description='["*"]: any method (not with credentials)')
    headers: list[HeaderName] = Field(default_factory=list, description='["*"]: any header (not with credentials)')
    expose_headers: list[HeaderName] = Field(default_factory=list,
                                             description='["*"]: every response header (not with credentials)')
    credentials: bool = False
    max_age: Duration | None = None

    @model_validator(mode="after")
    def _origins(self) -> "Cors":
        for field in ("methods", "headers", "expose_headers"):
            values = getattr(self, field)
            if "*" not in values:
                continue
            if len(values) > 1:
                raise fail("GWC204", f"CORS `{field}` lists '*' with other values",
                           "'*' already allows them all: write `" + field + ": ['*']` alone, or list them")
            if self.credentials:
                raise fail("GWC204", f"CORS `{field}: ['*']` cannot be combined with `credentials: true`",
                           "browsers read '*' literally on credentialed requests; list the "
                           + ("methods" if field == "methods" else "headers"))
        if "*" in self.origins and self.credentials:
            raise fail("GWC204", "CORS `origins: ['*']` cannot be combined with `credentials: true`",
                       "browsers refuse that; list the origins")
        return self


class IpFilter(Model):
    """Deny wins: a client in `deny` is refused even when it is also in `allow`; with any
    `allow` entries, clients in none of them are refused."""

    allow: list[Cidr] = Field(default_factory=list)
    deny: list[Cidr] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> "IpFilter":
        if not self.allow and not self.deny:
            raise fail("GWC113", "an IP filter needs `allow`, `deny` or both")
        return self


class HeaderOps(Model):
    set: dict[HeaderName, HeaderValue] = Field(default_factory=dict)
    add: dict[HeaderName, HeaderValue] = Field(default_factory=dict)
    remove: list[HeaderName] = Field(default_factory=list)
    rename: dict[HeaderName, HeaderName] = Field(default_factory=dict)


class QueryOps(Model):
    set: dict[QueryName, HeaderValue] = Field(default_factory=dict)
    add: dict[QueryName, HeaderValue] = Field(default_factory=dict)
    remove: list[QueryName] = Field(default_factory=list)
    rename: dict[QueryName, QueryName] = Field(default_factory=dict)


class BodyMap(Model):
    """Simple JSON body field mapping on the request, applied in order: rename, set, cast.
    A dotted name (`customer.name`) addresses a field of a nested object."""

    rename: dict[Text, Text] = Field(default_factory=dict)
    set: dict[Text, JsonValue] = Field(default_factory=dict)
    cast: dict[Text, Literal["number", "boolean", "string", "timestamp"]] = Field(default_factory=dict)


class RequestTransform(Model):
    headers: HeaderOps | None = None
    query: QueryOps | None = None
    body: BodyMap | None = None


class ResponseHeaderOps(Model):
    set: dict[HeaderName, HeaderValue] = Field(default_factory=dict)
    add: dict[HeaderName, HeaderValue] = Field(default_factory=dict)
    remove: list[HeaderName] = Field(default_factory=list)


class ResponseTransform(Model):
    headers: ResponseHeaderOps | None = None


class SchemaRef(Model):
    file: FilePath | None = None
    inline: dict[str, JsonValue] | None = None

    @model_validator(mode="after")
    def _one(self) -> "SchemaRef":
        exactly_one(self, ("file", "inline"), "a JSON Schema reference")
        return self


class Validation(Model):
    body: SchemaRef | None = None
    required_headers: list[HeaderName] = Field(default_factory=list)
    required_query: list[QueryName] = Field(default_factory=list)
    status: Status = 400


class Policies(Model):
    """Policies attach to a gateway, a service, a named set, or a route. A more specific
    level replaces each policy kind wholesale; `false` switches an inherited one off."""

    use: list[Name] = Field(default_factory=list, description="named policy sets applied before this block")
    auth: Auth | None = None
    rate_limit: Toggle(RateLimit) | None = None  # type: ignore[valid-type]
    concurrency_limit: Toggle(ConcurrencyLimit) | None = None  # type: ignore[valid-type]
    cache: Toggle(Cache) | None = None  # type: ignore[valid-type]
    cors: Toggle(Cors) | None = None  # type: ignore[valid-type]
    ip: Toggle(IpFilter) | None = None  # type: ignore[valid-type]
    body_limit: Toggle(Size) | None = None  # type: ignore[valid-type]
    request: Toggle(RequestTransform) | None = None  # type: ignore[valid-type]
    response: Toggle(ResponseTransform) | None = None  # type: ignore[valid-type]
    validation: Toggle(Validation) | None = None  # type: ignore[valid-type]
    timeouts: Toggle(Timeouts) | None = None  # type: ignore[valid-type]


POLICY_KINDS = ("auth", "rate_limit", "concurrency_limit", "cache", "cors", "ip", "body_limit",
                "request", "response", "validation", "timeouts")
