"""Spoofed forwarding, claim and identity headers on every runnable gateway (nginx, Traefik,
Envoy): what the gateway sets never reaches the service as the client wrote it.

For every route (JWT with forward_claims, API key, open), the service's header lines, read
as a framework reads them (letter case ignored, `_` the same as `-`: CGI, WSGI, PHP and Rails
turn both into `HTTP_X_USER_ID`), must hold:

- the claim headers (`X-User-Id`, `X-Tenant-Id`, M5): on the JWT route exactly one line each,
  the verified claim; on every other route none;
- `X-Forwarded-Proto`: one line, `http`; `X-Forwarded-Host`: one line, the routed host;
- `X-Forwarded-For`: its last address is never one the client wrote (the gateway appends the
  client's; that it is exactly the client's is test_x_forwarded_for_ends_with_the_client);
- the request id header: one line, present even when the client's `Connection` names it
  (not on Traefik, which makes no request ids: GWC300).

Client variants: each of those headers under its own name in several letter cases, with
underscores for some or all dashes, repeated, and named in the client's `Connection` header.
A fixed corpus plus hypothesis-made combinations (30 per gateway in CI, 500 with
HYPOTHESIS_PROFILE=long)."""
from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_http import GATEWAYS, PARSER_REFUSALS, crashes, jwt, send, start
from harness_common import EchoServer

SECRET = "spoof-hs256-secret-of-32-bytes-x"
EXAMPLES = 500 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 30
HOST = "fuzz.test"

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    observability: {request_id: {}}
    routes:
      - name: claims
        match: /claims
        service: echo
        policies:
          auth: {jwt: {algorithms: [HS256], secret: {env: GWC_SP_JWT}, forward_claims: {sub: X-User-Id, tenant: X-Tenant-Id}}}
      - name: key
        match: /key
        service: echo
        policies:
          auth: {api_key: {header: X-Api-Key, keys: {env: GWC_SP_KEYS}}}
      - {name: open, match: /open, service: echo}
"""
CLAIMS = {"x-user-id": "u1", "x-tenant-id": "t1"}
SET_BY_GATEWAY = ["X-User-Id", "X-Tenant-Id", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For",
                  "X-Request-Id"]
CREDENTIALS = {
    "/claims": lambda: [(b"Authorization", b"Bearer " + jwt(
        {"sub": "u1", "tenant": "t1", "exp": int(time.time()) + 600}, SECRET).encode())],
    "/key": lambda: [(b"X-Api-Key", b"key-one")], "/open": lambda: []}
Headers = list[tuple[bytes, bytes]]


def forms(name: str) -> list[str]:
    """`name` as a client may write it to pass for it: letter cases, underscores."""
    parts = name.split("-")
    return sorted({name, name.lower(), name.upper(), name.replace("-", "_"), name.lower().replace("-", "_"),
                   *("-".join(parts[:i]) + "_" + "-".join(parts[i:]) for i in range(1, len(parts)))})


def forged(name: str) -> bytes:
    return {"X-Forwarded-Proto": b"https", "X-Forwarded-For": b"203.0.113.7",
            "X-Forwarded-Host": b"evil.example"}.get(name, b"forged-" + name.lower().encode())


def received(echo: EchoServer, index: int) -> dict[str, list[str]]:
    """The service's header lines of request `index`, by name as a framework reads it."""
    out: dict[str, list[str]] = {}
    for k, v in echo.lines[index]:
        out.setdefault(k.lower().replace("_", "-"), []).append(v)
    return out


def check(gw, echo: EchoServer, path: str, headers: Headers, request_ids: bool) -> None:
    before = len(echo.lines)
    r = send(gw.port, path, CREDENTIALS[path]() + headers)
    what = f"{path} {headers}"
    if r.status in PARSER_REFUSALS:
        assert len(echo.lines) == before, what
        return
    assert r.status == 200 and len(echo.lines) == before + 1, f"{what}: {r.status} {r.body[:200]!r}"
    got = received(echo, before)
    for h, value in CLAIMS.items():
        assert got.get(h) == ([value] if path == "/claims" else None), f"{what}: {h}: {got.get(h)}"
    assert got.get("x-forwarded-proto") == ["http"], f"{what}: {got.get('x-forwarded-proto')}"
    assert got.get("x-forwarded-host") == [HOST], f"{what}: {got.get('x-forwarded-host')}"
    xff = ",".join(got.get("x-forwarded-for", []))
    assert xff and xff.split(",")[-1].strip() != forged("X-Forwarded-For").decode(), f"{what}: x-forwarded-for {xff!r}"
    if request_ids:
        ids = got.get("x-request-id", [])
        assert len(ids) == 1 and ids[0], f"{what}: x-request-id {ids}"


def corpus() -> list[tuple[str, str, Headers]]:
    out = []
    for path in CREDENTIALS:
        for name in SET_BY_GATEWAY:
            if name == "X-Request-Id":
                continue  # a client's own request id is kept (section 16): only its Connection case below
            for form in forms(name):
                out.append((f"{path}-{form}", path, [(form.encode(), forged(name))]))
            out.append((f"{path}-{name}-twice", path, [(name.encode(), forged(name))] * 2))
        for name in SET_BY_GATEWAY:
            out.append((f"{path}-connection-{name}", path,
                        [(b"Connection", b"keep-alive, " + name.encode())]
                        + ([(name.encode(), forged(name))] if name != "X-Request-Id" else [])))
    return out


@pytest.mark.parametrize("case", range(len(corpus())), ids=[c[0] for c in corpus()])
def test_spoofed_header_never_reaches_the_service(spoofed, case):
    name, gw, echo = spoofed
    _, path, headers = corpus()[case]
    check(gw, echo, path, headers, name != "traefik")


@st.composite
def spoofs(draw):
    path = draw(st.sampled_from(sorted(CREDENTIALS)))
    headers: Headers = []
    connection: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from([n for n in SET_BY_GATEWAY if n != "X-Request-Id"]))
        form = draw(st.sampled_from(forms(name)))
        headers += [(form.encode(), forged(name))] * draw(st.integers(1, 2))
        if draw(st.booleans()):
            connection.append(draw(st.sampled_from([form, name])))
    if connection:
        headers.append((b"Connection", ", ".join(["keep-alive", *connection]).encode()))
    return path, draw(st.permutations(headers))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "long",
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(request=spoofs())
def test_generated_spoofs_never_reach_the_service(spoofed, request):
    name, gw, echo = spoofed
    check(gw, echo, *request, name != "traefik")


def test_x_forwarded_for_ends_with_the_client(spoofed, request):
    name, gw, echo = spoofed
    if name == "envoy":
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "Envoy 1.40 (use_remote_address) appends 192.0.2.2, not the loopback peer 127.0.0.1, although "
            "its limits and RBAC see 127.0.0.1 (measured; not found why, not fixed)")))
    before = len(echo.lines)
    assert send(gw.port, "/open", [(b"X-Forwarded-For", b"203.0.113.7")]).status == 200
    # (Traefik drops the client's own X-Forwarded-For, which the spec keeps: not this test's point)
    xff = received(echo, before)["x-forwarded-for"]
    assert len(xff) == 1 and xff[0].split(",")[-1].strip() == "127.0.0.1", xff


def test_the_gateway_still_serves(spoofed):
    name, gw, echo = spoofed
    for path in CREDENTIALS:
        check(gw, echo, path, [], name != "traefik")
    assert not crashes(name, gw)


@pytest.fixture(scope="module", params=GATEWAYS)
def spoofed(request, tmp_path_factory):
    from fuzz_http import b64

    echo = EchoServer()
    env = {"GWC_SP_JWT": SECRET, "GWC_SP_KEYS": "key-one",
           "GWC_SP_JWT_JWKS": '{"keys": [{"kty": "oct", "k": "%s", "alg": "HS256"}]}' % b64(SECRET.encode())}
    spec = SPEC.replace("    observability: {request_id: {}}\n", "") if request.param == "traefik" else SPEC
    gw = start(request.param, tmp_path_factory.mktemp(f"spoof-{request.param}"), spec, {"ECHO": echo}, env)
    yield request.param, gw, echo
    gw.stop()
    echo.stop()
