"""The answers a gateway makes itself (docs/spec.md, "Answers the gateway makes itself"):
the default body of each status, the WWW-Authenticate challenges of an auth method and the
Retry-After of a rate limit. Backend-neutral, so every target derives the same values."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from . import model as ir

# RFC 9110 section 15 (429, 431, 511: RFC 6585), the IANA HTTP status code registry's phrases.
# Written out rather than taken from http.HTTPStatus, whose phrases change between Python versions
# (413 is "Request Entity Too Large" before 3.13): the output must not depend on the interpreter.
REASONS: dict[int, str] = {
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required",
    408: "Request Timeout", 409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed",
    413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
    417: "Expectation Failed", 421: "Misdirected Request", 422: "Unprocessable Content", 423: "Locked",
    424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required",
    429: "Too Many Requests", 431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout", 505: "HTTP Version Not Supported", 506: "Variant Also Negotiates",
    507: "Insufficient Storage", 508: "Loop Detected", 510: "Not Extended",
    511: "Network Authentication Required",
}

# Headers of every error answer (status >= 400) the gateway makes itself, before the route's
# response transform: a shared cache must not keep a refusal meant for one request.
NO_STORE = ("Cache-Control", "no-store")


def reason(status: int) -> str:
    """The registered reason phrase; an unregistered status gets its class name."""
    return REASONS.get(status) or ("Client Error" if status < 500 else "Server Error")


def default_body(status: int) -> dict:
    return {"error": reason(status)}


def body_for(answers: ir.Answers, status: int) -> Any:
    """The gateway's body for `status`: its `errors:` entry, else the default."""
    for s, body in answers.bodies:
        if s == status:
            return body
    return default_body(status)


def retry_after_s(rl: ir.RateLimit) -> int:
    """Seconds the limit takes to admit one more request at its steady rate: per / requests,
    rounded up, at least 1. The same for every algorithm, so every target sends the same value."""
    return max(1, -(-rl.period_ms // (1000 * rl.requests)))


# A 429 that is not a rate limit's (a concurrency limit's): its slot frees when a request ends.
OTHER_429_RETRY_AFTER_S = 1


@dataclass(frozen=True, slots=True)
class Challenge:
    """One WWW-Authenticate challenge. `token` is set for Bearer: where a presented token
    is looked for, because then the challenge adds error="invalid_token" (RFC 6750 3.1)."""

    scheme: Literal["Bearer", "Basic", "Key"]
    realm: str
    token: ir.TokenSource | None = None

    def value(self, token_presented: bool = False) -> str:
        out = f'{self.scheme} realm="{quoted(self.realm)}"'
        if self.scheme == "Basic":
            out += ', charset="UTF-8"'  # RFC 7617 2.1: the only value it allows
        if token_presented:
            out += ', error="invalid_token"'
        return out


def quoted(s: str) -> str:
    """`s` as the inside of an HTTP quoted-string; control characters would split the
    header, so they become spaces."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", s).replace("\\", "\\\\").replace('"', '\\"')


def challenges(auth: ir.Auth) -> tuple[Challenge, ...]:
    """The challenges a failed `auth` answers with: one per method, in spec order, and only
    when the failure status is 401 (RFC 9110 11.6.1). mTLS has no HTTP scheme, so none."""
    if auth.failure.status != 401:
        return ()
    out: list[Challenge] = []

    def walk(m: ir.AuthMethod) -> None:
        if isinstance(m, ir.JwtAuth):
            c = Challenge("Bearer", m.realm, m.token)
        elif isinstance(m, ir.ApiKeyAuth):
            c = Challenge("Key", m.realm)
        elif isinstance(m, ir.BasicAuth):
            c = Challenge("Basic", m.realm)
        elif isinstance(m, (ir.AnyOf, ir.AllOf)):
            for x in m.methods:
                walk(x)
            return
        else:
            return
        if c not in out:
            out.append(c)

    walk(auth.method)
    return tuple(out)
