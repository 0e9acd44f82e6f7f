"""API keys on the real Envoy (a lua script per route): keys from a variable or a file, in a
header or a query parameter; the refusal in the spec's shape with its challenge and CORS
(M2); hidden credentials, never logged (M5)."""
from __future__ import annotations

import json
import time

import pytest

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    observability: {access_log: {}}
    policies:
      cors: {origins: ["https://app.example.com"]}
    routes:
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
        policies: {auth: {api_key: {query: key, keys: {file: keys.txt}}}}
      - name: hidden-query
        match: /hidden-query
        service: echo
        policies: {auth: {api_key: {query: key, keys: {file: keys.txt}, hide_credentials: true}}}
      - name: keyed-redirect
        match: /keyed-redirect
        redirect: {hostname: next.example.com, status: 302}
        policies: {auth: {api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}}}
      - name: keyed-no-body
        match: /keyed-no-body
        service: echo
        policies: {auth: {api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}}, body_limit: 0}
      - {name: open, match: /open, service: echo}
"""


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()}, files={"keys.txt": "file-key-1\n file-key-2 \n\n"},
                        env={"GWC_KEYS": "k1, k2"})


def test_key_from_the_variable_in_a_header(gw):
    r = gw.request("GET", "/keyed", {"Origin": "https://app.example.com"})
    assert (r.status, r.json()) == (401, {"error": "Send a valid key"})
    assert r.headers["www-authenticate"] == 'Key realm="gatewayc"'
    assert r.headers["cache-control"] == "no-store" and r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"  # readable by the page
    assert gw.request("GET", "/keyed", {"X-Api-Key": "k3"}).status == 401
    r = gw.request("GET", "/keyed", {"X-Api-Key": "k2"})
    assert r.status == 200 and "x-api-key" not in r.json()["headers"]  # hide_credentials


def test_key_from_the_file_in_the_query(gw):
    r = gw.request("GET", "/keyed-file?key=nope")
    assert (r.status, r.json()) == (401, {"error": "Unauthorized"})
    r = gw.request("GET", "/keyed-file?a=1&key=file-key-2")
    assert r.status == 200 and r.json()["query"] == "a=1&key=file-key-2"  # forwarded as received
    r = gw.request("GET", "/hidden-query?a=1&key=file-key-1&b=2")
    assert r.status == 200 and r.json()["query"] == "a=1&b=2"
    r = gw.request("GET", "/hidden-query?key=file-key-1")
    assert r.status == 200 and (r.json()["path"], r.json()["query"]) == ("/hidden-query", "")


def test_a_key_before_a_redirect_one_script_per_route(gw):
    # Envoy runs one lua script per route: the key check and the redirect are steps of it
    assert gw.request("GET", "/keyed-redirect?a=1").status == 401
    r = gw.request("GET", "/keyed-redirect?a=1", {"X-Api-Key": "k1"})
    assert r.status == 302 and r.headers["location"] == f"http://next.example.com:{gw.port}/keyed-redirect?a=1"


def test_a_key_and_no_body_one_script_per_route(gw):
    assert gw.request("POST", "/keyed-no-body", body="x").status == 401
    assert gw.request("POST", "/keyed-no-body", {"X-Api-Key": "k1"}, body="x").status == 413
    r = gw.request("GET", "/keyed-no-body", {"X-Api-Key": "k1"})
    assert r.status == 200 and r.json()["path"] == "/keyed-no-body"


def test_other_routes_need_no_key(gw):
    assert gw.request("GET", "/open").status == 200


def test_keys_are_never_in_the_output_or_the_log(gw):
    assert b"k1" not in gw.output.files["envoy.yaml"] and b"file-key" not in gw.output.files["envoy.yaml"]
    assert gw.output.env == {"GWC_KEYS"}
    gw.request("GET", "/keyed-file?key=file-key-2", {"User-Agent": "key-probe"})
    deadline = time.monotonic() + 15
    while "key-probe" not in gw.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    lines = [json.loads(x) for x in gw.log().splitlines() if "key-probe" in x]
    assert lines and lines[-1]["uri"] == "/keyed-file" and "file-key-2" not in gw.log()
