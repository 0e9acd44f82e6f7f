"""Basic auth on the real Envoy (basic_auth filter, users from an htpasswd file with {SHA}
entries; users from a variable by the route's lua verdict step): accept, refuse with the
spec's answer and challenge (M2), hidden credentials (M5)."""
from __future__ import annotations

import base64
import hashlib

import pytest

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: admin
        match: /admin
        service: echo
        policies:
          auth: {basic: {credentials: {file: users.htpasswd}, realm: Admin}}
      - name: hidden
        match: /hidden
        service: echo
        policies:
          auth:
            basic: {credentials: {file: users.htpasswd}, hide_credentials: true}
            failure: {status: 403, body: {error: nope}}
      - {name: open, match: /open, service: echo}
"""

HTPASSWD = "alice:{SHA}" + base64.b64encode(hashlib.sha1(b"wonderland").digest()).decode() + "\n"


def basic(user: str, pw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()}, files={"users.htpasswd": HTPASSWD})


def test_right_credentials_pass_and_are_forwarded(gw):
    r = gw.request("GET", "/admin/x", basic("alice", "wonderland"))
    assert r.status == 200 and r.json()["headers"]["authorization"].startswith("Basic ")


@pytest.mark.parametrize("headers", [{}, basic("alice", "wrong"), basic("bob", "wonderland"),
                                     {"Authorization": "Bearer x"}])
def test_refusals_have_the_spec_shape_and_challenge(gw, headers):
    r = gw.request("GET", "/admin", headers)
    assert (r.status, r.json()) == (401, {"error": "Unauthorized"})
    assert r.values("www-authenticate") == ['Basic realm="Admin", charset="UTF-8"']


def test_hidden_credentials_and_the_failure_status(gw):
    r = gw.request("GET", "/hidden", basic("alice", "wonderland"))
    assert r.status == 200 and "authorization" not in r.json()["headers"]
    r = gw.request("GET", "/hidden", basic("alice", "no"))
    assert (r.status, r.json()) == (403, {"error": "nope"}) and "www-authenticate" not in r.headers


def test_credentials_from_a_variable(envoy, echo_upstream):
    """`user:password` pairs from a variable: compared by the route's lua verdict step (Envoy's
    basic_auth reads only htpasswd); a password may hold a colon, the pairs a comma never."""
    gw = envoy(SPEC.replace("{file: users.htpasswd}, realm", "{env: GWC_USERS}, realm"),
               {"ECHO": echo_upstream()}, files={"users.htpasswd": HTPASSWD},
               env={"GWC_USERS": "alice:won:der,bob:builder"})
    assert gw.output.env == {"GWC_USERS"}
    for user, pw in (("alice", "won:der"), ("bob", "builder")):
        r = gw.request("GET", "/admin", basic(user, pw))
        assert r.status == 200, (user, r.body)
        assert r.json()["headers"]["authorization"] == basic(user, pw)["Authorization"]  # not hidden here
    for user, pw in (("alice", "won"), ("bob", "builder "), ("", "builder")):
        r = gw.request("GET", "/admin", basic(user, pw))
        assert r.status == 401, (user, pw)
        assert r.values("www-authenticate") == ['Basic realm="Admin", charset="UTF-8"']
    assert gw.request("GET", "/admin", {"Authorization": "Basic !!!"}).status == 401
    assert gw.request("GET", "/admin").status == 401
