"""Answers the gateway makes itself, on the real Traefik with gatewayc's plugin: one JSON shape
(settled meaning M2), fixed responses, API keys and the Host rewrite; a service's own error
answers pass unchanged."""
from __future__ import annotations

import base64
import hashlib
import socket

import pytest

from harness_common import free_port

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
  failing: {url: "__FAILING__"}
  down: {url: "http://127.0.0.1:__DEAD__"}
  slow: {url: "__ECHO__", timeouts: {read: 300ms}}
gateways:
  web:
    listeners: [{port: 8080}]
    not_found: {status: 404, body: {error: No such endpoint}}
    errors:
      502: {body: {error: The service is not available, retry: true}}
    policies:
      cors: {origins: ["https://app.example.com"]}
      response: {headers: {set: {X-Served-By: gatewayc}}}
    routes:
      - {name: ping, match: {path: {exact: /ping}}, respond: {status: 200, body: {status: ok, "{{": "}}"}}}
      - {name: gone, match: /gone, respond: {status: 410}}
      - {name: empty, match: /empty, respond: {status: 204}}
      - name: keyed
        match: /keyed
        service: echo
        policies:
          auth:
            api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}, hide_credentials: true}
            failure: {status: 401, body: {error: Send a valid key}}
      - name: keyed-file
        match: /keyed-file
        service: echo
        policies: {auth: {api_key: {query: key, keys: {file: __KEYFILE__}}}}
      - name: basic
        match: /basic
        service: echo
        policies: {auth: {basic: {credentials: {file: __HTPASSWD__}, realm: Ops}}}
      - name: basic-403
        match: /basic-403
        service: echo
        policies:
          auth: {basic: {credentials: {file: __HTPASSWD__}, hide_credentials: true}, failure: {status: 403}}
          response: {headers: {set: {Cache-Control: private}}}
      - {name: denied, match: /denied, service: echo, policies: {ip: {deny: [127.0.0.1]}}}
      - {name: small, match: /small, service: echo, policies: {body_limit: 4}}
      - name: limited
        match: /limited
        service: echo
        policies: {rate_limit: {requests: 1, per: 1m, status: 503, body: {error: Slow down}}}
      - {name: failing, match: /failing, service: failing}
      - {name: down, match: /down, service: down}
      - {name: slow, match: /slow, service: slow}
      - name: hosted
        match: /hosted
        service: echo
        rewrite: {hostname: users.internal}
"""


@pytest.fixture(scope="module")
def gw(module_traefik, module_echo_upstream, tmp_path_factory):
    secrets = tmp_path_factory.mktemp("secrets")
    (secrets / "keys.txt").write_text("file-key-1\nfile-key-2\n")
    (secrets / "ops.htpasswd").write_text("ops:{SHA}" + base64.b64encode(hashlib.sha1(b"pw").digest()).decode())
    text = (SPEC.replace("__KEYFILE__", str(secrets / "keys.txt")).replace("__HTPASSWD__", str(secrets / "ops.htpasswd"))
            .replace("__DEAD__", str(free_port())))
    return module_traefik(text, {"ECHO": module_echo_upstream(), "FAILING": module_echo_upstream("f", status=503)},
                          env={"GWC_KEYS": "k1,k2"})


def is_json_answer(r, status: int, body: dict) -> bool:
    return r.status == status and r.headers.get("content-type") == "application/json" and r.json() == body


def test_fixed_responses(gw):
    r = gw.request("GET", "/ping")
    assert is_json_answer(r, 200, {"status": "ok", "{{": "}}"})
    assert "cache-control" not in r.headers  # a fixed response is the route's own answer
    # without a body: none below 400, the gateway's from 400 on
    assert is_json_answer(gw.request("GET", "/gone"), 410, {"error": "Gone"})
    r = gw.request("GET", "/empty")
    assert r.status == 204 and r.body == b""


def test_not_found_is_the_spec_answer(gw):
    r = gw.request("GET", "/nowhere", {"Origin": "https://app.example.com"})
    assert is_json_answer(r, 404, {"error": "No such endpoint"})
    assert r.headers["cache-control"] == "no-store"
    # an answer that belongs to no route: the gateway level's CORS
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
    assert is_json_answer(gw.request("GET", "/ping/more"), 404, {"error": "No such endpoint"})


def test_api_key_from_env(gw):
    r = gw.request("GET", "/keyed", {"Origin": "https://app.example.com"})
    assert is_json_answer(r, 401, {"error": "Send a valid key"})
    assert r.headers["www-authenticate"] == 'Key realm="gatewayc"'
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"  # readable by the page
    assert is_json_answer(gw.request("GET", "/keyed", {"X-Api-Key": "k3"}), 401, {"error": "Send a valid key"})
    r = gw.request("GET", "/keyed", {"X-Api-Key": "k2"})
    assert r.status == 200 and "x-api-key" not in r.json()["headers"]  # hide_credentials


def test_api_key_from_file_in_query(gw):
    assert is_json_answer(gw.request("GET", "/keyed-file?key=nope"), 401, {"error": "Unauthorized"})
    assert gw.request("GET", "/keyed-file?key=file-key-2").status == 200


def test_basic_auth_answer_has_the_challenge(gw):
    r = gw.request("GET", "/basic")
    assert is_json_answer(r, 401, {"error": "Unauthorized"})
    assert r.headers["www-authenticate"] == 'Basic realm="Ops", charset="UTF-8"'
    ok = gw.request("GET", "/basic", {"Authorization": "Basic " + base64.b64encode(b"ops:pw").decode()})
    assert ok.status == 200 and "authorization" in ok.json()["headers"]  # forwarded by default


def test_basic_auth_failure_status_and_hidden_credentials(gw):
    r = gw.request("GET", "/basic-403")
    assert is_json_answer(r, 403, {"error": "Forbidden"})
    assert "www-authenticate" not in r.headers  # a challenge only with 401
    assert r.headers["cache-control"] == "private"  # the route's response transform wins
    ok = gw.request("GET", "/basic-403", {"Authorization": "Basic " + base64.b64encode(b"ops:pw").decode()})
    assert ok.status == 200 and "authorization" not in ok.json()["headers"]


def test_ip_deny_and_body_limit_answers(gw):
    assert is_json_answer(gw.request("GET", "/denied"), 403, {"error": "Forbidden"})
    assert is_json_answer(gw.request("POST", "/small", body="12345"), 413, {"error": "Content Too Large"})


def test_rate_limit_answer_with_the_policy_status_and_body(gw):
    assert gw.request("GET", "/limited").status == 200
    r = gw.request("GET", "/limited")
    assert is_json_answer(r, 503, {"error": "Slow down"})
    assert r.headers["retry-after"] == "60"  # per / requests


def test_traefik_made_upstream_errors(gw):
    assert is_json_answer(gw.request("GET", "/down"), 502, {"error": "The service is not available", "retry": True})
    assert is_json_answer(gw.request("GET", "/slow"), 504, {"error": "Gateway Timeout"})


@pytest.mark.parametrize("method,path,headers,status", [
    ("GET", "/nowhere", {}, 404), ("GET", "/keyed", {}, 401), ("GET", "/denied", {}, 403),
    ("POST", "/small", {}, 413), ("GET", "/down", {}, 502), ("GET", "/slow", {}, 504),
])
def test_answers_carry_the_response_headers_and_cors(gw, method, path, headers, status):
    r = gw.request(method, path, {"Origin": "https://app.example.com", **headers},
                   body="12345" if method == "POST" else None)
    assert r.status == status and r.headers["content-type"] == "application/json"
    assert r.headers["x-served-by"] == "gatewayc"
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"
    assert r.headers["cache-control"] == "no-store"


def raw_exchange(gw, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as s:
        s.sendall(data)
        out = b""
        while b"\r\n\r\n" not in out and (chunk := s.recv(65536)):
            out += chunk
    return out  # the status line and headers at least


def test_what_go_answers_before_traefik_keeps_go_shape(gw):
    """docs/targets/traefik.md: Go's HTTP server answers a request it cannot parse itself."""
    bad = raw_exchange(gw, b"GET /ping HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert bad.startswith(b"HTTP/1.1 400 ") and b"text/plain" in bad
    big = raw_exchange(gw, b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"a" * 8192 + b"\r\n\r\n")
    assert big.startswith(b"HTTP/1.1 431 ")


def test_a_service_error_passes_unchanged(gw):
    r = gw.request("GET", "/failing")
    assert r.status == 503 and r.json() == {"server": "f", "error": "failing on purpose"}


def test_host_rewrite(gw):
    seen = gw.request("GET", "/hosted", host="api.test").json()["headers"]
    assert seen["host"] == "users.internal"
