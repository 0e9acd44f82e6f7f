"""Redirects and fixed responses must not answer before auth, IP filters or limits:
nginx's `return` runs in the rewrite phase, before every access check."""
from __future__ import annotations

SPEC = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    policies:
      auth: {api_key: {header: X-Key, keys: {env: GWC_TEST_KEYS}}}
    routes:
      - {name: api, match: /api, service: a}
      - name: moved
        match: {path: {exact: /old}}
        redirect: {path: {full: /new}, status: 301}
      - name: moved-prefix
        match: {path: /legacy}
        redirect: {path: {replace_prefix: /v2}, status: 308}
      - name: public-but-not-for-loopback
        match: {path: {exact: /status}}
        respond: {status: 200, body: {ok: true}}
        policies:
          auth: anonymous
          ip: {deny: [127.0.0.0/8]}
      - name: public
        match: {path: {exact: /ping}}
        respond: {status: 200, body: {pong: true}}
        policies: {auth: anonymous}
"""


def test_redirect_behind_auth_needs_credentials(gateway, echo_upstream, monkeypatch):
    monkeypatch.setenv("GWC_TEST_KEYS", "k1,k2")
    gw = gateway(SPEC, upstreams={"A": echo_upstream()})
    assert gw.request("GET", "/old").status == 401
    assert gw.request("GET", "/legacy/x").status == 401
    r = gw.request("GET", "/old", headers={"X-Key": "k2"})
    assert r.status == 301 and r.headers["location"].endswith("/new")
    r = gw.request("GET", "/legacy/x?q=1", headers={"X-Key": "k1"})
    assert r.status == 308 and r.headers["location"].endswith("/v2/x?q=1")


def test_fixed_response_behind_ip_deny_is_refused(gateway, echo_upstream, monkeypatch):
    monkeypatch.setenv("GWC_TEST_KEYS", "k1")
    gw = gateway(SPEC, upstreams={"A": echo_upstream()})
    assert gw.request("GET", "/status").status == 403
    r = gw.request("GET", "/ping")
    assert r.status == 200 and r.json() == {"pong": True}
