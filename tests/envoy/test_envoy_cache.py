"""The spec's `cache` policy on the real Envoy (cache filter + an internal listener per cached
route): what is stored and for how long, what never is, and that the route still does what it
does without a cache (base path, header transforms) on the answers it stores."""
from __future__ import annotations

import time

import pytest

from gatewayc.build import build

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
  based: {url: "__ECHO__/base"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: cached
        match: /cached
        service: based
        policies:
          cache: {ttl: 2s, bypass: {headers: [X-Fresh], query: [fresh]}}
          request: {headers: {set: {X-Source: gateway}}}
          response: {headers: {set: {X-Frame-Options: DENY}}}
      - name: get-only
        match: /get-only
        service: echo
        policies: {cache: {ttl: 30s, methods: [GET]}}
      - name: keyed
        match: /keyed
        service: echo
        policies:
          cache: {ttl: 30s}
          auth: {api_key: {query: key, keys: {env: GWC_KEYS}}}
      - name: checked
        match: /checked
        service: echo
        policies:
          cache: {ttl: 30s}
          validation: {required_headers: [X-Tenant]}
          request: {query: {set: {via: gateway}}}
      - name: plain
        match: /plain
        service: echo
"""


@pytest.fixture(scope="module")
def upstream(module_echo_upstream):
    return module_echo_upstream()


@pytest.fixture(scope="module")
def gw(module_envoy, upstream):
    return module_envoy(SPEC, {"ECHO": upstream}, env={"GWC_KEYS": "key-a,key-b"})


def hits_of(gw, upstream, path, headers=None, method="GET"):
    """(upstream hits the request made, the answer)."""
    before = upstream.hits
    r = gw.request(method, path, headers)
    return upstream.hits - before, r


def until_stored(gw, upstream, path, headers=None, within=3.0):
    """Envoy stores an answer once its body is in: a request shortly after is from the cache."""
    deadline = time.monotonic() + within
    while True:
        n, r = hits_of(gw, upstream, path, headers)
        if n == 0 or time.monotonic() > deadline:
            return n, r
        time.sleep(0.1)


def test_second_request_is_the_stored_answer_of_the_route_as_configured(gw, upstream):
    n, first = hits_of(gw, upstream, "/cached")
    assert (n, first.status) == (1, 200)
    seen = first.json()
    # the route's base path and header transform reach the service
    assert (seen["path"], seen["headers"]["x-source"]) == ("/base/cached", "gateway")
    n, again = until_stored(gw, upstream, "/cached")
    assert n == 0, "never answered from the cache"
    assert again.json() == seen and again.headers["x-frame-options"] == "DENY"
    assert again.headers["cache-control"] == "max-age=2"


def test_the_stored_answer_expires_after_the_ttl(gw, upstream):
    assert hits_of(gw, upstream, "/cached?expiry")[0] == 1
    stored = time.monotonic()
    assert until_stored(gw, upstream, "/cached?expiry")[0] == 0
    # fresh for the ttl (2 s, Age in whole seconds), then fetched again: poll with a bound
    while hits_of(gw, upstream, "/cached?expiry")[0] == 0:
        assert time.monotonic() - stored < 4.5, "the answer outlived its ttl"
        time.sleep(0.1)
    assert time.monotonic() - stored >= 1.0


def test_what_the_policy_keeps_from_the_cache_reaches_the_service(gw, upstream):
    until_stored(gw, upstream, "/cached?bypass")
    assert hits_of(gw, upstream, "/cached?bypass", {"X-Fresh": "1"})[0] == 1
    assert hits_of(gw, upstream, "/cached?bypass&fresh=1")[0] == 1
    for _ in range(2):
        n, r = hits_of(gw, upstream, "/cached?bypass", method="POST")
        assert (n, r.json()["method"]) == (1, "POST")
    # Envoy never stores what a request with Authorization got
    assert hits_of(gw, upstream, "/cached?bypass", {"Authorization": "Bearer x"})[0] == 1
    # only GET here: a HEAD reaches the service as a HEAD, every time
    until_stored(gw, upstream, "/get-only")
    for _ in range(2):
        assert hits_of(gw, upstream, "/get-only", method="HEAD")[0] == 1
        assert upstream.methods[-1] == "HEAD"


def test_only_the_listed_statuses_are_stored(gw, upstream):
    upstream.script = [404]
    n, r = hits_of(gw, upstream, "/cached?status")
    assert (n, r.status) == (1, 404)
    time.sleep(0.3)  # time enough for a store that must not happen
    n, r = hits_of(gw, upstream, "/cached?status")
    assert (n, r.status) == (1, 200)


def test_each_client_key_has_its_own_entries(gw, upstream):
    until_stored(gw, upstream, "/keyed?key=key-a")
    n, r = hits_of(gw, upstream, "/keyed?key=key-b")
    assert (n, r.json()["query"]) == (1, "key=key-b")
    # a refused request never gets a stored answer
    assert gw.request("GET", "/keyed?key=wrong").status == 401
    assert gw.request("GET", "/keyed").status == 401


def test_the_route_lua_steps_run_before_the_cache(gw, upstream):
    assert gw.request("GET", "/checked").status == 400
    n, r = until_stored(gw, upstream, "/checked?a=1", {"X-Tenant": "t"})
    assert (n, r.json()["query"]) == (0, "a=1&via=gateway")
    # a stored answer is never given to a request the checks refuse
    assert gw.request("GET", "/checked?a=1").status == 400


def test_routes_without_the_policy_never_store(gw, upstream):
    for _ in range(3):
        assert hits_of(gw, upstream, "/plain")[0] == 1


REFUSED = """
version: 1
services:
  echo: {url: "http://127.0.0.1:9"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: r
        match: /r
        service: echo
        policies: {POLICIES}
"""


@pytest.mark.parametrize("policies, why", [
    ("{cache: {ttl: 30s, vary: {headers: [Accept-Language]}}}", "Vary"),
    ("{cache: {ttl: 30s}, auth: {api_key: {header: X-Api-Key, keys: {env: K}}}}", "X-Api-Key header"),
    ("{cache: {ttl: 30s}, auth: {api_key: {query: k, keys: {env: K}, hide_credentials: true}}}", "hide_credentials"),
    ("{cache: {ttl: 30s, statuses: [200, 302]}}", "status 302"),
    ("{cache: {ttl: 30s, methods: [HEAD]}}", "GET only"),
    ("{cache: {ttl: 30s, key: [host, query]}}", "the path"),
])
def test_what_envoy_cannot_cache_as_the_spec_says_is_refused(tmp_path, policies, why):
    spec = tmp_path / "gateway.yml"
    spec.write_text(REFUSED.replace("{POLICIES}", policies))
    r = build(str(spec), ["envoy"], source="gateway.yml")
    assert not r.ok and any(d.code == "GWC310" and why in d.message for d in r.diagnostics), \
        [str(d) for d in r.diagnostics]


def test_a_key_without_host_or_query_is_a_warning(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text(REFUSED.replace("{POLICIES}", "{cache: {ttl: 30s, key: [method, path]}}"))
    r = build(str(spec), ["envoy"], source="gateway.yml")
    assert r.ok and any(d.code == "GWC311" and "whole query" in d.message for d in r.diagnostics)
