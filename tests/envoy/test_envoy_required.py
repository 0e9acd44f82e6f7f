"""Required headers and query parameters (validation.required) on the real Envoy: a lua step
after authentication, the answer in the spec's shape (M2)."""
from __future__ import annotations

import pytest

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    policies:
      cors: {origins: ["https://app.example.com"]}
    routes:
      - name: checked
        match: /checked
        service: echo
        policies:
          validation: {required_headers: [Idempotency-Key], required_query: [page, 'f[a]]-b.c~'], status: 422}
      - name: keyed
        match: /keyed
        service: echo
        policies:
          validation: {required_headers: [X-Trace]}
          auth: {api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}}
      - name: fixed
        match: /fixed
        respond: {status: 200, body: {ok: true}}
        policies:
          validation: {required_query: [id]}
"""

GOOD = "/checked?page=2&f%5Ba%5D%5D-b.c~=1"


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()}, env={"GWC_KEYS": "k1"})


def test_present_and_non_empty_passes(gw):
    r = gw.request("GET", GOOD, {"Idempotency-Key": "abc"})
    assert r.status == 200 and r.json()["query"] == "page=2&f%5Ba%5D%5D-b.c~=1"


@pytest.mark.parametrize("path, headers", [
    (GOOD, {}),  # no header
    (GOOD, {"Idempotency-Key": ""}),  # an empty one counts as missing
    ("/checked?f%5Ba%5D%5D-b.c~=1", {"Idempotency-Key": "abc"}),  # no page
    ("/checked?page=&f%5Ba%5D%5D-b.c~=1", {"Idempotency-Key": "abc"}),  # an empty page
    ("/checked?page=2", {"Idempotency-Key": "abc"}),  # the odd name missing
])
def test_missing_is_refused_in_the_spec_shape(gw, path, headers):
    r = gw.request("GET", path, {"Origin": "https://app.example.com", **headers})
    assert (r.status, r.json()) == (422, {"error": "Unprocessable Content"})
    assert r.headers["content-type"] == "application/json"
    assert r.headers["access-control-allow-origin"] == "https://app.example.com"


def test_checked_after_authentication(gw):
    assert gw.request("GET", "/keyed").status == 401
    assert gw.request("GET", "/keyed", {"X-Trace": "1"}).status == 401
    r = gw.request("GET", "/keyed", {"X-Api-Key": "k1"})
    assert (r.status, r.json()) == (400, {"error": "Bad Request"})
    assert gw.request("GET", "/keyed", {"X-Trace": "1", "X-Api-Key": "k1"}).status == 200


def test_a_route_that_answers_itself_checks_too(gw):
    assert gw.request("GET", "/fixed").status == 400
    r = gw.request("GET", "/fixed?id=1")
    assert (r.status, r.json()) == (200, {"ok": True})


def test_the_names_are_data_not_script_text(gw):
    assert gw.output.files["envoy.yaml"].decode().count("f[a]]-b.c~") == 1
