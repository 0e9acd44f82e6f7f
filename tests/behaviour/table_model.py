"""The vocabulary of the behavioural table (tests/behaviour/table_*.py).

A `Group` is one spec that one gateway start serves: services and gateway-level policies it
shares, plus the spec fragment (routes, and services of their own) of each `Case`. A case
names the capability features it needs (gatewayc's feature ids) and lists its steps: the
requests to send and what must come back, and changes to the echo upstreams between them.

Text in a step may hold `{port}`: the port the gateway listens on. Every upstream is an
echo server named after its key in `Group.upstreams`; the name comes back in its answer,
so `upstream="a"` says which service answered.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ANY = object()  # a header that must be there, whatever its value
UNSET = object()


@dataclass(frozen=True)
class Part:
    """One key of an aggregation's merged body: `upstream` the echo server whose answer is
    there (None: the key is null); `path` and `headers` what that server saw (as `seen_*`)."""

    key: str
    upstream: str | None
    path: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Send:
    """One request and what must come back.

    `status`: the status, or the statuses any of which may come (where the spec leaves it open).
    `upstream`: the echo server that must have answered; `None`: the gateway made the answer
    itself (and no upstream saw the request, unless `hits` says otherwise: a timeout). `seen_*`: what that upstream received. Header
    expectations map a name to a value, `None` (absent), `ANY` or a compiled regex (full
    match). `hits`: requests each named upstream got during this step. `elapsed`: (min, max)
    seconds the answer took. `parts`: the answer is an aggregation's merged JSON object with
    exactly these keys, in this order."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    body: str | bytes | None = None
    chunked: bool = False  # send the body with Transfer-Encoding: chunked (no Content-Length)
    host: str | None = None
    status: int | tuple[int, ...] = 200
    upstream: str | None | object = UNSET
    seen_path: str | None = None
    seen_query: str | None = None
    seen_headers: dict[str, Any] = field(default_factory=dict)
    seen_body: str | None = None
    reply_headers: dict[str, Any] = field(default_factory=dict)
    reply_all: dict[str, tuple[str, ...]] = field(default_factory=dict)  # every value of a header, in order
    json: Any = UNSET
    hits: dict[str, int] = field(default_factory=dict)
    elapsed: tuple[float, float] | None = None
    parts: tuple[Part, ...] | None = None


@dataclass(frozen=True)
class Upstream:
    """Changes an echo server: `status` answers every request with it, `script` the next
    requests with these statuses one each, `delay` holds every answer back (seconds)."""

    name: str
    status: int | None | object = UNSET
    script: tuple[int, ...] | None = None
    delay: float | None = None


@dataclass(frozen=True)
class Wait:
    seconds: float


@dataclass(frozen=True)
class Mark:
    """Starts the clock that `Until.after` is measured from."""


@dataclass(frozen=True)
class Until:
    """Repeats `send` (every 0.1 s) until it passes, within `within` seconds of the last
    `Mark`; and not before `after` seconds from it."""

    send: Send
    within: float
    after: float = 0.0


@dataclass(frozen=True)
class Spread:
    """`n` requests to `path`, all 200; each upstream's share of them within `shares`
    (name -> (low, high) fractions)."""

    path: str
    n: int
    shares: dict[str, tuple[float, float]]


@dataclass(frozen=True)
class Arrived:
    """Within `within` seconds, upstream `name` has got `count` requests since the case began,
    the last of them for `path` (with the query, if given): what a background copy shows."""

    name: str
    count: int
    within: float = 3.0
    path: str | None = None


@dataclass(frozen=True)
class Upgrading:
    """A raw `Upgrade: <protocol>` request (with the WebSocket handshake headers); `switched`:
    whether the answer must be `101 Switching Protocols` (the service, an upgrading upstream,
    switches whenever the upgrade reaches it)."""

    path: str
    protocol: str
    switched: bool


Step = Send | Upstream | Wait | Mark | Until | Spread | Arrived | Upgrading


@dataclass(frozen=True)
class Case:
    name: str
    features: tuple[str, ...]  # the capability features the case needs
    routes: str  # YAML: the case's route list items (indented as if at column 0)
    steps: tuple[Step, ...]
    services: str = ""  # YAML: services only this case uses
    policies: str = ""  # YAML: named policy sets only this case uses (top-level `policies:`)
    # gateway -> the known bug that makes the case fail there (xfail, strict: a fix must say so)
    xfail: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    name: str
    upstreams: tuple[str, ...]
    services: str  # YAML: the services the cases share
    cases: tuple[Case, ...]
    gateway: str = ""  # YAML: gateway-level fields (policies, errors, observability...)
    features: tuple[str, ...] = ()  # what the gateway-level part needs
    upgraders: tuple[str, ...] = ()  # upstreams that switch protocols on any Upgrade (`__NAME__` too)
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str | bytes] = field(default_factory=dict)  # written next to the spec

    def case(self, name: str) -> Case:
        return next(c for c in self.cases if c.name == name)


def pattern(regex: str) -> re.Pattern:
    return re.compile(regex)
