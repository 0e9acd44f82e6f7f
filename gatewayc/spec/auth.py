from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .secrets import SecretRef
from .types import (Duration, FilePath, HeaderName, HttpUrl, JsonValue, Model, QueryName, Status, Text,
                    Token, exactly_one, fail)

HMAC_ALGS = ("HS256", "HS384", "HS512")
KEY_ALGS = ("RS256", "RS384", "RS512", "ES256", "ES384")
_HIDE = ("remove the header, query parameter or cookie carrying the credential before the request goes "
         "upstream (default: forwarded as received)")
JwtAlgorithm = Literal["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384"]


class Jwks(Model):
    file: FilePath | None = None
    url: HttpUrl | None = None

    @field_validator("url")
    @classmethod
    def _https(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("https://"):
            raise fail("GWC106", f"JWKS URL {v!r} must use https",
                       "keys fetched over plain http can be swapped by anyone on the path")
        return v

    @model_validator(mode="after")
    def _one(self) -> "Jwks":
        exactly_one(self, ("file", "url"), "a JWKS source")
        return self


class TokenSource(Model):
    header: HeaderName | None = None
    scheme: Token | None = None
    query: QueryName | None = None
    cookie: Token | None = None

    @model_validator(mode="after")
    def _one(self) -> "TokenSource":
        exactly_one(self, ("header", "query", "cookie"), "a token source")
        if self.scheme is not None and self.header is None:
            raise fail("GWC204", "`scheme` only applies to a token in a header")
        return self


class Jwt(Model):
    algorithms: Annotated[list[JwtAlgorithm], Field(min_length=1)]
    secret: SecretRef | None = None
    jwks: Jwks | None = None
    issuer: Text | None = None
    audiences: list[Text] = Field(default_factory=list)
    required_claims: list[Text] = Field(default_factory=list)
    clock_skew: Duration = 0
    require_exp: bool = Field(True, description="refuse a token without `exp`; an expired token is refused either way")
    forward_claims: dict[Text, HeaderName] = Field(default_factory=dict,
                                                  description="claim name -> request header sent upstream")
    token: TokenSource = Field(default_factory=lambda: TokenSource(header="Authorization", scheme="Bearer"))
    hide_credentials: bool = Field(False, description=_HIDE)
    realm: Text = Field("gatewayc", description="the realm of the Bearer challenge of a 401")

    @field_validator("jwks")
    @classmethod
    def _jwks_with_hmac(cls, v: "Jwks | None", info: ValidationInfo) -> "Jwks | None":
        # here rather than in _keys so that the error points at `jwks:` itself
        hmac = [a for a in info.data.get("algorithms") or () if a in HMAC_ALGS]
        if v is not None and hmac and len(hmac) == len(info.data["algorithms"]):
            raise fail("GWC204", f"`jwks` goes with RS*/ES* algorithms; {hmac[0]} uses `secret`",
                       "remove `jwks`, or switch the algorithms to RS256/ES256 and remove `secret`")
        return v

    @model_validator(mode="after")
    def _keys(self) -> "Jwt":
        hmac = [a for a in self.algorithms if a in HMAC_ALGS]
        keyed = [a for a in self.algorithms if a in KEY_ALGS]
        if hmac and keyed:
            raise fail("GWC204", "one jwt block cannot mix HMAC and public-key algorithms",
                       "accepting both lets a client sign with the public key as HMAC secret; use two blocks under any_of")
        if hmac and self.secret is None:
            raise fail("GWC102", f"{hmac[0]} needs `secret` (a reference such as {{env: JWT_SECRET}})")
        if keyed and self.jwks is None:
            raise fail("GWC102", f"{keyed[0]} needs `jwks` ({{file: path}} or {{url: https://...}})")
        if hmac and self.jwks is not None or keyed and self.secret is not None:
            raise fail("GWC204", "`secret` goes with HS* algorithms, `jwks` with RS*/ES*")
        return self


class ApiKey(Model):
    header: HeaderName | None = None
    query: QueryName | None = None
    keys: SecretRef = Field(description="env: comma-separated keys; file: one key per line")
    hide_credentials: bool = Field(False, description=_HIDE)
    realm: Text = Field("gatewayc", description="the realm of the Key challenge of a 401")

    @model_validator(mode="after")
    def _one(self) -> "ApiKey":
        exactly_one(self, ("header", "query"), "an API key")
        return self


class Basic(Model):
    credentials: SecretRef = Field(description="env: user:password pairs separated by commas; file: htpasswd")
    realm: Text = "gatewayc"  # goes into a response header, as a quoted-string: no control characters
    hide_credentials: bool = Field(False, description=_HIDE)


class Mtls(Model):
    subjects: list[Text] = Field(default_factory=list, description="allowed client certificate subject DNs (empty: any trusted)")


class Failure(Model):
    status: Status = 401
    body: JsonValue = Field(None, description="default: the gateway's answer body for the status (`errors:`)")


class Auth(Model):
    jwt: Jwt | None = None
    api_key: ApiKey | None = None
    basic: Basic | None = None
    mtls: Mtls | None = None
    any_of: Annotated[list["Auth"], Field(min_length=2)] | None = None
    all_of: Annotated[list["Auth"], Field(min_length=2)] | None = None
    anonymous: Literal[True] | None = None
    failure: Failure | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        return {"anonymous": True} if v == "anonymous" else v

    @model_validator(mode="after")
    def _one(self) -> "Auth":
        exactly_one(self, ("jwt", "api_key", "basic", "mtls", "any_of", "all_of", "anonymous"), "auth")
        if self.anonymous and self.failure is not None:
            raise fail("GWC204", "an anonymous route has no auth failure to configure")
        for sub in (self.any_of or []) + (self.all_of or []):
            if sub.failure is not None:
                raise fail("GWC204", "`failure` goes on the outer auth block, not inside any_of/all_of",
                           "one response is sent when auth fails, whichever method failed")
        return self
