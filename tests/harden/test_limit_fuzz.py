"""Live rate-limit fuzzing on every runnable gateway (nginx, Traefik, Envoy): however a request
is dressed, the requests that reach the service never exceed the budget of the key they
really belong to (M1: one budget per key value; M4: identity keys count verified identities
only).

What a request "really" belongs to is worked out here from what was sent, by the spec's
meaning, and the service's hits are counted per budget:

- `client_ip`: the address of the TCP peer (requests come from 127.0.0.1, .2 and .3). The spec
  has no trusted-proxy setting, so `X-Forwarded-For`, `X-Real-IP`, `Forwarded`,
  `True-Client-IP`... sent by the client never change the address a limit counts.
- `header: X-Tenant`: the field's value as HTTP defines it: any letter case of the name,
  whitespace around the value not part of it, repeated lines one comma-joined value, absent
  the same as empty (M1). `X_Tenant` is another header (HTTP); see test_spoofed_headers.py for
  what an upstream framework makes of it.
- `consumer` (API key): the one valid key the request carries; a request with both valid keys
  may spend either's budget (the two together never more than both budgets).
- `claim: tenant` under `any_of: [jwt, api_key]`: the claim of a VERIFIED token; when the API
  key method is the one that succeeded, the client address (M4), whatever forged token rides
  along; a request that fails auth never reaches the service.

The classes are never coarser than the spec's meaning, so a correct gateway can only count
more strictly than the ledger, never less: a ledger over its budget is a bypass.
Budgets are 3 per 3 minutes, the slowest rate nginx takes (1r/m): a budget may have had one
more request for each whole minute since its first request was sent, and no more. The gateway must still serve afterwards, with no crash in its log.

Requests: a fixed corpus (each budget spent, then the spoofed and varied forms tried against
it) and hypothesis-made requests: 60 per gateway in the `ci` profile, 1,000 with
HYPOTHESIS_PROFILE=long."""
from __future__ import annotations

import collections
import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_http import GATEWAYS, PARSER_REFUSALS, b64, crashes, jwt, send, start
from harness_common import EchoServer

SECRET = "limit-fuzz-hs256-secret-32-bytes"
KEYS = (b"key-one", b"key-two")
ISSUER = "https://id.example.com/"
BUDGET = 3
REFILL_S = 60  # 3 per 3 minutes: nginx's slowest rate (1r/m); one token back a minute
EXAMPLES = 1000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 60
SOURCES = ("127.0.0.1", "127.0.0.2", "127.0.0.3")

_LIMIT = f"rate_limit: {{requests: {BUDGET}, per: 3m"
SPEC = f"""
version: 1
services:
  echo: {{url: "__ECHO__"}}
  shared: {{url: "__ECHO__", policies: {{{_LIMIT}}}}}}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes:
      - {{name: ip, match: /ip, service: echo, policies: {{{_LIMIT}, key: client_ip}}}}}}
      - {{name: svc-a, match: /svc-a, service: shared}}
      - {{name: svc-b, match: /svc-b, service: shared}}
      - {{name: hdr, match: /hdr, service: echo, policies: {{{_LIMIT}, key: {{header: X-Tenant}}}}}}}}
      - name: consumer
        match: /consumer
        service: echo
        policies:
          auth: {{api_key: {{header: X-Api-Key, keys: {{env: GWC_LF_KEYS}}}}}}
          {_LIMIT}, key: consumer}}
      - name: claim
        match: /claim
        service: echo
        policies:
          auth: __CLAIM_AUTH__
          {_LIMIT}, key: {{claim: tenant}}}}
"""
_JWT = f'{{jwt: {{algorithms: [HS256], secret: {{env: GWC_LF_JWT}}, issuer: "{ISSUER}"}}}}'
# Traefik cannot try one auth method after another (GWC300 for any_of): its /claim takes JWTs only
CLAIM_AUTH = {"traefik": _JWT, "nginx": f"{{any_of: [{_JWT}, {{api_key: {{header: X-Api-Key, keys: {{env: GWC_LF_KEYS}}}}}}]}}"}

Headers = list[tuple[bytes, bytes]]


# --- what a request really belongs to ---------------------------------------------------------
def _values(headers: Headers, name: bytes) -> list[bytes]:
    return [v.strip(b" \t") for k, v in headers if k.lower() == name.lower()]


def _valid_keys(headers: Headers) -> set[bytes]:
    return {v for v in _values(headers, b"X-Api-Key") if v in KEYS}


def budget_of(path: str, source: str, headers: Headers, verified_tenant: str | None | bool, any_of: bool):
    """The budget a request that reached the service spends, by the spec's meaning; None: it
    must not reach the service at all. `verified_tenant`: False when no valid token was sent,
    else the valid token's tenant claim (None: a valid token without one); `any_of`: /claim
    takes an API key too."""
    if path == "/ip":
        return ("ip", source)
    if path in ("/svc-a", "/svc-b"):
        return ("svc", source)
    if path == "/hdr":
        return ("hdr", b", ".join(_values(headers, b"X-Tenant")))
    keys = _valid_keys(headers)
    if path == "/consumer":
        return ("consumer", b"|".join(sorted(keys))) if keys else None
    if verified_tenant is not False:  # /claim: the token verified (the sender never adds a valid key then)
        return ("tenant", verified_tenant) if isinstance(verified_tenant, str) else ("claim-addr", source)
    return ("claim-addr", source) if keys and any_of else None


class Ledger:
    """The service's hits per budget, and the most each budget may have had: BUDGET, plus one
    for each whole refill interval since the first request that could spend it was sent."""

    def __init__(self, any_of: bool) -> None:
        self.hits: collections.Counter = collections.Counter()
        self.first: dict = {}
        self.any_of = any_of

    def cap(self, *budgets) -> int:
        now = time.monotonic()
        return sum(BUDGET + int((now - self.first[b]) // REFILL_S) for b in budgets if b in self.first)

    def over(self) -> list[str]:
        out = [f"{b}: {n} > {self.cap(b)}" for b, n in self.hits.items()
               if n > self.cap(b) and not (b[0] == "consumer" and b"|" in b[1])]
        consumers = [("consumer", k) for k in KEYS]
        both = sum(n for b, n in self.hits.items() if b[0] == "consumer")  # the two consumers together
        if both > self.cap(*consumers):
            out.append(f"consumers together: {both}")
        return out


def fire(gw, echo: EchoServer, ledger: Ledger, path: str, headers: Headers, source: str = "127.0.0.1",
         tenant: str | None | bool = False) -> int:
    """Send, record where a hit went, and check no budget is over; the status."""
    budget = budget_of(path, source, headers, tenant, ledger.any_of)
    # a request with both keys may spend either consumer's budget: both may start to refill
    for b in [budget] + [("consumer", k) for k in KEYS if budget and budget[0] == "consumer"] if budget else []:
        ledger.first.setdefault(b, time.monotonic())
    before = echo.hits
    r = send(gw.port, path, headers, source)
    what = f"{path} from {source} {[(k, v[:60]) for k, v in headers]}"
    if echo.hits > before:
        assert budget is not None, f"{what}: reached the service without a valid credential ({r.status})"
        ledger.hits[budget] += 1
        assert not ledger.over(), f"{what}: over a budget: {ledger.over()}"
    else:
        assert r.status in (401, 429, *PARSER_REFUSALS), f"{what}: {r.status} {r.body[:200]!r}"
        # a valid credential next to another one (repeated lines), or with whitespace around it,
        # may be refused; a lone one as issued never
        creds = [v for k, v in headers if k.lower() in (b"authorization", b"x-api-key")]
        lone = len(creds) <= 1 and all(v == v.strip(b" \t") for v in creds)
        assert r.status != 401 or budget is None or not lone, f"{what}: a valid credential refused"
    return r.status


# --- the requests -----------------------------------------------------------------------------
def token(tenant: str | None = None, valid: bool = True, **header) -> bytes:
    claims = {"iss": ISSUER, "sub": "u1", "exp": int(time.time()) + 3600}
    if tenant is not None:
        claims["tenant"] = tenant
    return b"Bearer " + jwt(claims, SECRET if valid else "not-the-secret-but-32-bytes-long", header or None).encode()


FORGED = {  # tokens that must never verify, naming a tenant
    "other-secret": lambda t: token(t, valid=False),
    "alg-none": lambda t: b"Bearer " + jwt({"iss": ISSUER, "tenant": t, "exp": int(time.time()) + 60},
                                           SECRET, {"alg": "none"}, sign=None).encode(),
    "expired": lambda t: b"Bearer " + jwt({"iss": ISSUER, "tenant": t, "exp": 1}, SECRET).encode(),
    "wrong-issuer": lambda t: b"Bearer " + jwt({"iss": "https://evil/", "tenant": t,
                                                "exp": int(time.time()) + 60}, SECRET).encode(),
    # well signed, but names an extension no verifier here understands (RFC 7515 4.1.11)
    "crit": lambda t: token(t, alg="HS256", crit=["x-unknown"], **{"x-unknown": 1}),
}
SPOOFS = [  # what a client may claim about its address or identity: none of it counts
    (b"X-Forwarded-For", b"203.0.113.%d"), (b"X-Forwarded-For", b"127.0.0.%d"),
    (b"X-Forwarded-For", b"203.0.113.%d, 127.0.0.2"), (b"x-forwarded-for", b"198.51.100.%d"),
    (b"X-Real-IP", b"203.0.113.%d"), (b"Forwarded", b"for=203.0.113.%d;proto=https"),
    (b"Forwarded", b'for="[2001:db8::%d]"'), (b"True-Client-IP", b"203.0.113.%d"),
    (b"X-Client-IP", b"203.0.113.%d"), (b"CF-Connecting-IP", b"203.0.113.%d"),
    (b"X-Gwc-Identity", b"addr:203.0.113.%d"), (b"X-Gwc-Identity", b"t-%d"), (b"X_Gwc_Identity", b"t-%d"),
    (b"X-Original-Forwarded-For", b"203.0.113.%d"), (b"X-Envoy-External-Address", b"203.0.113.%d"),
]
TENANT_FORMS = [  # (header lines) for tenant "t1", each the same field value by HTTP
    [(b"X-Tenant", b"t1")], [(b"x-tenant", b"t1")], [(b"X-TENANT", b"t1")], [(b"X-Tenant", b" t1")],
    [(b"X-Tenant", b"t1 ")], [(b"X-Tenant", b"\tt1\t")], [(b"X-Tenant", b"  t1  ")],
]
EMPTY_FORMS = [[], [(b"X-Tenant", b"")], [(b"X-Tenant", b"   ")], [(b"x-tenant", b"\t")]]


def spoofs(i: int) -> Headers:
    return [(k, v % (i % 250 + 1) if b"%d" in v else v) for k, v in (SPOOFS[i % len(SPOOFS)],
                                                                      SPOOFS[(i * 7 + 3) % len(SPOOFS)])]


def corpus() -> list[tuple[str, str, Headers, str | None | bool]]:
    """(path, source, headers, verified tenant): each budget spent by plain requests, then
    the spoofed and varied forms, which must find it spent."""
    out = []
    for src in SOURCES[:2]:
        out += [("/ip", src, [], False)] * BUDGET
        out += [("/ip", src, spoofs(i), False) for i in range(len(SPOOFS))]
        out += [(p, src, [], False) for p in ("/svc-a", "/svc-b", "/svc-a")]
        out += [(p, src, spoofs(i), False) for i, p in enumerate(["/svc-b", "/svc-a"] * 4)]
    out += [("/hdr", "127.0.0.1", form, False) for form in TENANT_FORMS]
    out += [("/hdr", src, form + spoofs(i), False) for i, form in enumerate(EMPTY_FORMS * 2) for src in SOURCES[:1]]
    out += [("/hdr", "127.0.0.1", [(b"X-Tenant", b"long" * n)], False) for n in (1500, 1500, 1500, 1500, 17500)]
    for key_, other in zip(KEYS, reversed(KEYS)):
        out += [("/consumer", "127.0.0.1", [(b"X-Api-Key", key_)], False)] * BUDGET
        out += [("/consumer", src, [(b"X-Api-Key", form)] + spoofs(i), False)
                for i, form in enumerate([key_, b" " + key_, key_ + b"\t"]) for src in SOURCES]
        out += [("/consumer", "127.0.0.1", lines, False) for lines in (
            [(b"X-Api-Key", key_), (b"X-Api-Key", b"nope")], [(b"X-Api-Key", b"nope"), (b"X-Api-Key", key_)],
            [(b"x-api-key", key_), (b"X-Gwc-Identity", other)], [(b"X-API-KEY", key_), (b"X-Api-Key", b"")])]
    out += [("/consumer", "127.0.0.1", [(b"X-Api-Key", KEYS[0]), (b"X-Api-Key", KEYS[1])], False)] * 2
    # claim: a verified tenant spends its own budget; forged ones next to a valid key spend the address's
    out += [("/claim", "127.0.0.1", [(b"Authorization", token("t1"))], "t1")] * (BUDGET + 1)
    out += [("/claim", "127.0.0.1", [(b"Authorization", token("t1"))] + spoofs(i), "t1") for i in range(3)]
    out += [("/claim", "127.0.0.1", [(b"Authorization", token("t1")), (b"Authorization", forged("t-forged"))], "t1")
            for forged in FORGED.values()]
    for i, (name, forged) in enumerate(FORGED.items()):
        out += [("/claim", "127.0.0.1", [(b"Authorization", forged("t-forged"))], False)]  # no key: refused
        out += [("/claim", src, [(b"Authorization", forged("t-forged")), (b"X-Api-Key", KEYS[i % 2])] + spoofs(i), False)
                for src in SOURCES[:2] for _ in range(2)]
    out += [("/claim", "127.0.0.1", [(b"Authorization", token())], None)] * 2  # no claim: the address
    return out


def test_the_corpus_stays_within_every_budget(limited):
    name, gw, echo, ledger = limited
    for path, source, headers, tenant in corpus():
        fire(gw, echo, ledger, path, headers, source, tenant)
    # each plain budget was spent in full: the gateway counts, and counts by what it should
    spent = {("ip", "127.0.0.1"), ("ip", "127.0.0.2"), ("svc", "127.0.0.1"), ("svc", "127.0.0.2"),
             ("hdr", b"t1"), ("hdr", b""), ("consumer", KEYS[0]), ("consumer", KEYS[1]), ("tenant", "t1"),
             *([("claim-addr", "127.0.0.1"), ("claim-addr", "127.0.0.2")] if ledger.any_of else [])}
    assert all(BUDGET <= ledger.hits[b] <= ledger.cap(b) for b in spent), {b: ledger.hits[b] for b in spent}


def test_a_failed_authentication_spends_no_budget_and_gets_none(limited):
    """M4: forged tokens naming a fresh tenant are refused before the limit; that tenant's
    valid tokens then get exactly the budget, and forged ones after it still get nothing."""
    name, gw, echo, ledger = limited
    for forged in FORGED.values():
        for _ in range(2):
            assert fire(gw, echo, ledger, "/claim", [(b"Authorization", forged("t-fresh"))], "127.0.0.3") == 401
    passed = [fire(gw, echo, ledger, "/claim", [(b"Authorization", token("t-fresh"))], "127.0.0.3", "t-fresh")
              for _ in range(BUDGET + 2)]
    assert passed == [200] * BUDGET + [429, 429]
    for forged in FORGED.values():
        assert fire(gw, echo, ledger, "/claim", [(b"Authorization", forged("t-fresh"))], "127.0.0.3") == 401


# --- hypothesis ---------------------------------------------------------------------------
_WS = st.sampled_from([b"", b" ", b"\t", b"  "])
_NAME_CASE = st.sampled_from([bytes.lower, bytes.upper, lambda b: b, bytes.title])


@st.composite
def requests_(draw):
    """(path, source, headers, verified tenant) over every route, key form and spoof."""
    path = draw(st.sampled_from(["/ip", "/svc-a", "/svc-b", "/hdr", "/consumer", "/claim"]))
    source = draw(st.sampled_from(SOURCES))
    headers: Headers = []
    for _ in range(draw(st.integers(0, 3))):
        k, v = draw(st.sampled_from(SPOOFS))
        headers.append((k, v % draw(st.integers(1, 254)) if b"%d" in v else v))
    tenant: str | None | bool = False
    if path == "/hdr":
        for _ in range(draw(st.integers(0, 2))):
            value = draw(st.sampled_from([b"t1", b"t2", b"", b"T1", b"t1,t2", b"x" * 3000]))
            headers.append((draw(_NAME_CASE)(b"X-Tenant"), draw(_WS) + value + draw(_WS)))
    elif path in ("/consumer", "/claim"):
        if path == "/claim" and draw(st.booleans()):
            tenant = draw(st.sampled_from(["t1", "t2", None]))
            headers.append((b"Authorization", token(tenant)))
        for _ in range(draw(st.integers(0, 2))):
            if path == "/claim" and tenant is not False:
                value = draw(st.sampled_from([b"nope", b"key-on", b"KEY-ONE"]))  # no second valid credential
            else:
                value = draw(st.sampled_from([*KEYS, b"nope", b"key-one ", b"KEY-ONE", b""]))
            headers.append((draw(_NAME_CASE)(b"X-Api-Key"), draw(_WS) + value + draw(_WS)))
        if path == "/claim":
            for _ in range(draw(st.integers(0, 2))):
                headers.append((b"Authorization", draw(st.sampled_from(list(FORGED.values())))(
                    draw(st.sampled_from(["t1", "t3"])))))
    return path, source, draw(st.permutations(headers)), tenant


@settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "long",
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(request=requests_())
def test_generated_requests_stay_within_every_budget(limited, request):
    name, gw, echo, ledger = limited
    path, source, headers, tenant = request
    fire(gw, echo, ledger, path, headers, source, tenant)


def test_the_gateway_still_serves_after_the_fuzzing(limited):
    """Runs last (file order): a fresh client still gets through, and no worker crashed."""
    name, gw, echo, ledger = limited
    before = echo.hits
    assert send(gw.port, "/ip", [], "127.0.0.250").status == 200 and echo.hits == before + 1
    assert not crashes(name, gw)


@pytest.fixture(scope="module", params=GATEWAYS)
def limited(request, tmp_path_factory):
    """(gateway name, gateway, echo upstream, ledger) for the spec above."""
    echo = EchoServer()
    env = {"GWC_LF_JWT": SECRET, "GWC_LF_KEYS": ", ".join(k.decode() for k in KEYS),
           "GWC_LF_JWT_JWKS": json.dumps({"keys": [{"kty": "oct", "k": b64(SECRET.encode()), "alg": "HS256"}]})}
    auth = CLAIM_AUTH.get(request.param, CLAIM_AUTH["nginx"])
    gw = start(request.param, tmp_path_factory.mktemp(f"limits-{request.param}"), SPEC.replace("__CLAIM_AUTH__", auth),
               {"ECHO": echo}, env)
    yield request.param, gw, echo, Ledger(any_of=auth != _JWT)
    gw.stop()
    echo.stop()
