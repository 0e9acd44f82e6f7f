"""What the live fuzzing tests (test_auth_fuzz.py, test_limit_fuzz.py, test_spoofed_headers.py)
send: requests written byte for byte on a socket, so that duplicate headers, bare CR, NUL,
obs-fold and non-ASCII bytes reach the gateway as sent, from any loopback source address
(127.0.0.2 is another client than 127.0.0.1); and HMAC-signed JWTs with any header and claims."""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import socket

from harness_common import Reply

PARSER_REFUSALS = {400, 431, 494}  # the HTTP layer's own answers to a malformed request


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict | bytes, secret: str, header: dict | None = None, sign: str | None = "HS256") -> str:
    """A JWS with any header and claims (bytes: sent as they are), HMAC-signed with `sign`
    (None: no signature)."""
    h = b64(json.dumps(header or {"alg": "HS256", "typ": "JWT"}).encode())
    c = b64(claims if isinstance(claims, bytes) else json.dumps(claims).encode())
    if sign is None:
        return f"{h}.{c}."
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[sign]
    return f"{h}.{c}.{b64(hmac.new(secret.encode(), f'{h}.{c}'.encode(), digest).digest())}"


def send(port: int, path: str, headers: list[tuple[bytes, bytes]], source: str = "127.0.0.1") -> Reply:
    """GET `path` with exactly these header lines, from the loopback address `source`."""
    head = b"GET %s HTTP/1.1\r\nHost: fuzz.test\r\nConnection: close\r\n" % path.encode()
    head += b"".join(k + b": " + v + b"\r\n" for k, v in headers) + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=15, source_address=(source, 0)) as s:
        s.sendall(head)
        r = http.client.HTTPResponse(s)
        r.begin()
        body = r.read()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, body, tuple(r.getheaders()))


GATEWAYS = ("nginx", "traefik", "envoy")  # the runnable ones


def start(name: str, work, text: str, upstreams: dict, env: dict[str, str]):
    """The spec `text` running on gateway `name` (one of GATEWAYS) through its own harness."""
    import envoy_harness
    import nginx_harness
    import traefik_harness

    return {"nginx": nginx_harness.start_gateway, "traefik": traefik_harness.start_traefik,
            "envoy": envoy_harness.start_envoy}[name](work, text, upstreams, env=env)


def crashes(name: str, gw) -> list[str]:
    """What the gateway's log says of a crashed worker or an internal failure."""
    if name == "nginx":
        return [ln for ln in gw.log().splitlines() if "exited on signal" in ln or "[alert]" in ln or "[emerg]" in ln]
    if name == "envoy":
        return gw.errors()  # [error] and [critical] lines: a lua script failing on a request is one
    return [str(e) for e in gw.errors() if "panic" in str(e).lower()]
