from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from .matching import Match, Redirect, Rewrite
from .policies import Policies
from .secrets import FileRef, SecretRef
from .services import Service
from .types import (INTEGRAL, Duration, ErrorStatus, FilePath, HeaderName, HttpUrl, IpAddress, Hostname, JsonValue,
                    MethodName, Model, Name, Path, RequestIdHeader, Text, exactly_one, fail)


class AggregatePart(Model):
    key: Text = Field(min_length=1, description="where the part's JSON goes in the merged body")
    service: Name
    path: Path
    method: MethodName = "GET"
    timeout: Duration = 2_000


class Aggregate(Model):
    parts: Annotated[list[AggregatePart], Field(min_length=1)]
    on_failure: Literal["null", "omit", "fail"] = Field(
        "null", description="a failing part becomes null, is left out, or fails the whole request with 502")

    @model_validator(mode="after")
    def _keys(self) -> "Aggregate":
        seen = set()
        for p in self.parts:
            if p.key in seen:
                raise fail("GWC201", f"aggregate key {p.key!r} is used twice")
            seen.add(p.key)
        return self


class DirectResponse(Model):
    status: Annotated[int, Field(ge=200, le=599), INTEGRAL] = 200
    body: JsonValue = Field(None, description="none: no body below 400; from 400 on, the gateway's answer body "
                                              "for the status (`errors:`)")


class Mirror(Model):
    """Gateway API RequestMirror: a copy of each request goes to `service` too; its answer is ignored."""

    service: Name
    percent: Annotated[int, Field(ge=1, le=100, description="share of the route's requests mirrored"), INTEGRAL] = 100


class Route(Model):
    name: Name
    match: Annotated[list[Match], Field(min_length=1)] = Field(default_factory=lambda: [Match()])
    hostnames: list[Hostname] | None = None
    service: Name | None = None
    redirect: Redirect | None = None
    aggregate: Aggregate | None = None
    respond: DirectResponse | None = None
    rewrite: Rewrite | None = None
    mirror: Mirror | None = None
    websocket: bool = Field(False, description="forward WebSocket upgrades (`Upgrade: websocket`) to the service; "
                            "every other upgrade is never forwarded")
    policies: Policies | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, dict) and isinstance(v.get("match"), (dict, str)):
            v = dict(v)
            m = v["match"]
            v["match"] = [{"path": m} if isinstance(m, str) else m]
        return v

    @model_validator(mode="after")
    def _action(self) -> "Route":
        exactly_one(self, ("service", "redirect", "aggregate", "respond"), "a route")
        if self.rewrite is not None and self.service is None:
            raise fail("GWC204", "`rewrite` applies to routes that forward to a `service`")
        if self.mirror is not None and self.service is None:
            raise fail("GWC204", "`mirror` applies to routes that forward to a `service`")
        return self


class Tls(Model):
    certificate: FileRef
    key: SecretRef
    client_ca: FileRef | None = Field(None, description="CA bundle for client certificates (mTLS)")
    min_version: Literal["1.2", "1.3"] = "1.2"


class Listener(Model):
    port: Annotated[int, Field(ge=1, le=65535), INTEGRAL]
    address: IpAddress = "0.0.0.0"
    tls: Tls | None = None


class Metrics(Model):
    path: Path = "/metrics"


class AccessLog(Model):
    format: Literal["json", "text"] = "json"


class RequestId(Model):
    header: RequestIdHeader = "X-Request-Id"
    generate: bool = True


class Otlp(Model):
    endpoint: HttpUrl
    sample_percent: Annotated[float, Field(ge=0, le=100)] = 100


class Tracing(Model):
    propagation: list[Literal["w3c", "b3"]] = Field(default_factory=lambda: ["w3c"])
    otlp: Otlp | None = None
    service_name: Text = "gatewayc"


class Observability(Model):
    metrics: Metrics | None = None
    access_log: AccessLog | None = None
    request_id: RequestId | None = None
    tracing: Tracing | None = None


class NotFound(Model):
    status: Annotated[int, Field(ge=400, le=599), INTEGRAL] = 404
    body: JsonValue = Field(None, description="default: the gateway's answer body for the status (`errors:`)")


class ErrorAnswer(Model):
    """How the gateway answers one status it makes itself (docs/spec.md, "Answers the gateway makes itself")."""

    body: JsonValue = Field(description="the JSON body")


class Gateway(Model):
    listeners: Annotated[list[Listener], Field(min_length=1)]
    hostnames: list[Hostname] = Field(default_factory=list)
    policies: Policies | None = None
    observability: Observability | None = None
    not_found: NotFound = Field(default_factory=NotFound)
    errors: dict[ErrorStatus, ErrorAnswer] = Field(
        default_factory=dict, description="status -> the body of the answers the gateway makes itself with that "
                                          "status; others: {\"error\": \"<reason phrase>\"}")
    routes: list[Route] = Field(default_factory=list)


class Spec(Model):
    """A gatewayc spec, version 1."""

    version: Literal[1]
    include: list[FilePath] = Field(default_factory=list, description="more spec files, relative to this one")
    services: dict[Name, Service] = Field(default_factory=dict)
    policies: dict[Name, Policies] = Field(default_factory=dict, description="named policy sets for `use:`")
    gateways: dict[Name, Gateway] = Field(default_factory=dict)
    accept_degraded: dict[str, list[str]] = Field(
        default_factory=dict,
        description="target -> feature ids whose loss on that target is accepted (never auth)")


# resolve the forward reference Service -> Policies
Service.model_rebuild(_types_namespace={"Policies": Policies})
Spec.model_rebuild()
