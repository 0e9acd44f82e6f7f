from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from .types import (HeaderName, HeaderValue, Hostname, INTEGRAL, MethodName, Model, Path, QueryName, Regex,
                    Status, exactly_one, fail)


class PathMatch(Model):
    exact: Path | None = None
    prefix: Path | None = None
    regex: Regex | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        return {"prefix": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _one(self) -> "PathMatch":
        exactly_one(self, ("exact", "prefix", "regex"), "a path match")
        return self

    @property
    def kind(self) -> str:
        return "exact" if self.exact is not None else "prefix" if self.prefix is not None else "regex"

    @property
    def value(self) -> str:
        return self.exact or self.prefix or self.regex  # type: ignore[return-value]


def _named_list(v: Any) -> Any:
    """`{x-env: prod}` is shorthand for `[{name: x-env, value: prod}]`."""
    if isinstance(v, dict):
        return [{"name": k, "value": val} for k, val in v.items()]
    return v


class HeaderMatch(Model):
    name: HeaderName
    value: HeaderValue | None = None
    regex: Regex | None = None

    @model_validator(mode="after")
    def _one(self) -> "HeaderMatch":
        exactly_one(self, ("value", "regex"), "a header match")
        return self


class QueryMatch(Model):
    name: QueryName
    value: HeaderValue | None = None
    regex: Regex | None = None

    @model_validator(mode="after")
    def _one(self) -> "QueryMatch":
        exactly_one(self, ("value", "regex"), "a query match")
        return self


class Match(Model):
    path: PathMatch = Field(default_factory=lambda: PathMatch(prefix="/"))
    methods: Annotated[list[MethodName], Field(min_length=1)] | None = None
    headers: list[HeaderMatch] = Field(default_factory=list)
    query: list[QueryMatch] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, v: Any) -> Any:
        if isinstance(v, dict) and (isinstance(v.get("headers"), dict) or isinstance(v.get("query"), dict)):
            v = dict(v)
            for k in ("headers", "query"):
                if k in v:
                    v[k] = _named_list(v[k])
        return v


class PathModifier(Model):
    full: Path | None = None
    replace_prefix: Path | None = None
    strip_prefix: Literal[True] | None = None

    @model_validator(mode="after")
    def _one(self) -> "PathModifier":
        exactly_one(self, ("full", "replace_prefix", "strip_prefix"), "a path rewrite")
        return self


class Rewrite(Model):
    path: PathModifier | None = None
    hostname: Hostname | None = None


class Redirect(Model):
    scheme: Literal["http", "https"] | None = None
    hostname: Hostname | None = None
    port: Annotated[int, Field(ge=1, le=65535), INTEGRAL] | None = None
    path: PathModifier | None = None
    status: Status = 302

    @field_validator("status")
    @classmethod
    def _status(cls, v: int) -> int:
        # a field validator (not a model one) so that the error points at `status:` itself
        if v not in (301, 302, 303, 307, 308):
            raise fail("GWC114", f"{v} is not a redirect status", "use 301, 302, 303, 307 or 308")
        return v
