from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, model_validator

from .types import Duration, INTEGRAL, Model, Path, PositiveDuration, Status, UpstreamUrl, exactly_one, fail

if TYPE_CHECKING:
    from .policies import Policies


class Target(Model):
    url: UpstreamUrl
    weight: Annotated[int, Field(ge=0, le=1000), INTEGRAL] = 1


class Timeouts(Model):
    connect: PositiveDuration | None = None
    read: PositiveDuration | None = Field(None, description="between two reads from the upstream")
    send: PositiveDuration | None = Field(None, description="between two writes to the upstream")
    request: PositiveDuration | None = Field(None, description="the whole request, retries included")
    per_try: PositiveDuration | None = Field(None, description="each try to the service (Gateway API "
                                             "backendRequest); at most `request`")

    @model_validator(mode="after")
    def _per_try(self) -> "Timeouts":
        problem = per_try_problem(self.per_try, self.request)
        if problem:
            raise fail("GWC204", *problem)
        return self


def per_try_problem(per_try: int | None, request: int | None) -> tuple[str, str] | None:
    """(message, hint) when one try may take longer than the whole request (GWC204)."""
    if per_try is not None and request is not None and per_try > request:
        return (f"`per_try` ({per_try}ms) is longer than `request` ({request}ms)",
                "`request` bounds the whole request, every try included: shorten `per_try` or lengthen `request`")
    return None


class Backoff(Model):
    base: Duration = 25
    max: Duration = 250


class Retry(Model):
    attempts: Annotated[int, Field(ge=1, le=10, description="tries in all, the first one included"), INTEGRAL]
    statuses: list[Status] = Field(default_factory=lambda: [502, 503, 504])
    on_connect_failure: bool = True
    on_timeout: bool = False
    non_idempotent: bool = Field(False, description="also retry POST/PATCH (off: they may have had effects)")
    backoff: Backoff | None = None


class HealthCheck(Model):
    path: Path = "/"
    interval: PositiveDuration = 10_000
    timeout: PositiveDuration = 2_000
    healthy_threshold: Annotated[int, Field(ge=1, le=100), INTEGRAL] = 2
    unhealthy_threshold: Annotated[int, Field(ge=1, le=100), INTEGRAL] = 3
    statuses: list[Status] = Field(default_factory=lambda: [200])


class CircuitBreaker(Model):
    """Outlier ejection: a target that fails is taken out of rotation for `open_for`."""

    consecutive_failures: Annotated[int, Field(ge=1, le=1000), INTEGRAL] | None = None
    failure_percent: Annotated[int, Field(ge=1, le=100), INTEGRAL] | None = None
    min_requests: Annotated[int, Field(ge=1), INTEGRAL] = 10
    window: PositiveDuration = 10_000
    failure_statuses: list[Status] = Field(default_factory=lambda: [500, 502, 503, 504])
    open_for: PositiveDuration = 30_000
    half_open_requests: Annotated[int, Field(ge=1, le=1000), INTEGRAL] = 1

    @model_validator(mode="after")
    def _trigger(self) -> "CircuitBreaker":
        if self.consecutive_failures is None and self.failure_percent is None:
            raise fail("GWC113", "a circuit breaker needs `consecutive_failures`, `failure_percent` or both")
        return self


class Service(Model):
    url: UpstreamUrl | None = None
    targets: Annotated[list[Target], Field(min_length=1)] | None = None
    timeouts: Timeouts | None = None
    retries: Retry | None = None
    health_check: HealthCheck | None = None
    circuit_breaker: CircuitBreaker | None = None
    policies: "Policies | None" = None

    @model_validator(mode="after")
    def _one(self) -> "Service":
        exactly_one(self, ("url", "targets"), "a service")
        if self.targets and sum(t.weight for t in self.targets) == 0:
            raise fail("GWC204", "all targets have weight 0: the service could never be reached")
        return self
