"""Aggregation on the real Envoy, beyond the shared table (tests/behaviour/cases_aggregate.py):
the parts are called one after another (the GWC311 warning says so, at the aggregation), the
spec's strings reach the script as route metadata only, a hidden basic credential stays away
from the parts (M5) and the route's response headers are on the merged answer."""
from __future__ import annotations

import base64
import hashlib
import time

import pytest
import yaml

from harness_common import EchoServer

HTPASSWD = "alice:{SHA}" + base64.b64encode(hashlib.sha1(b"wonderland").digest()).decode() + "\n"
ALICE = {"Authorization": "Basic " + base64.b64encode(b"alice:wonderland").decode()}
WEIRD = 'k"]] ..--'

SPEC = """
version: 1
services:
  slow: {url: "__SLOW__", retries: {attempts: 2}}
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: two-slow
        match: /two-slow
        aggregate:
          parts:
            - {key: one, service: slow, path: /one}
            - {key: two, service: slow, path: /two}
      - name: hidden
        match: /hidden
        policies:
          auth: {basic: {credentials: {file: users.htpasswd}, hide_credentials: true}}
          response: {headers: {set: {X-Dashboard: "1"}}}
        aggregate:
          parts:
            - {key: 'k"]] ..--', service: echo, path: '/p]]ath--%22'}
      - name: shown
        match: /shown
        policies:
          auth: {basic: {credentials: {file: users.htpasswd}}}
        aggregate:
          parts:
            - {key: me, service: echo, path: /me}
"""

DELAY = 0.4


@pytest.fixture(scope="module")
def slow():
    srv = EchoServer("slow")
    srv.delay = DELAY
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream, slow):
    return module_envoy(SPEC, {"SLOW": slow, "ECHO": module_echo_upstream()}, files={"users.htpasswd": HTPASSWD})


def test_parts_are_called_one_after_another(gw):
    t0 = time.monotonic()
    r = gw.request("GET", "/two-slow")
    took = time.monotonic() - t0
    assert r.status == 200, r.body
    assert [v["path"] for v in r.json().values()] == ["/one", "/two"]
    # the sum of the parts' times (the warning below), not the longest one as nginx
    assert took >= 2 * DELAY - 0.05, took


def test_the_build_warns_at_the_aggregation(gw):
    notes = [d for d in gw.output.notes if d.code == "GWC311" and "two-slow" in d.message]
    assert any("one after another" in d.message and "4000 ms" in d.message for d in notes), notes
    assert any("retry" in d.message and "'slow'" in d.message for d in notes), notes
    spec_lines = SPEC.splitlines()
    for d in notes:
        # at the route's `aggregate:` block, not at the route's name
        assert spec_lines[d.location.line - 1].strip().startswith(("parts:", "aggregate:")), d


def test_spec_strings_are_metadata_not_script(gw):
    doc = yaml.safe_load((gw.dir / "envoy.yaml").read_text())
    text = (gw.dir / "envoy.yaml").read_text()
    routes = [r for lst in doc["static_resources"]["listeners"] for c in lst["filter_chains"]
              for f in c["filters"] for vh in f["typed_config"]["route_config"]["virtual_hosts"] for r in vh["routes"]]
    hidden = next(r for r in routes if r["name"].startswith("web~hidden~"))
    script = hidden["typed_per_filter_config"]["envoy.filters.http.lua"]["source_code"]["inline_string"]
    assert WEIRD not in script and "p]]ath--" not in script
    meta = hidden["metadata"]["filter_metadata"]["envoy.filters.http.lua"]["gatewayc_aggregate"]
    assert meta["parts"][0]["key"] == WEIRD and meta["parts"][0]["path"] == "/p]]ath--%22"
    assert meta["drop"] == ["authorization"]
    assert "p]]ath--" in text


def test_a_hidden_credential_never_reaches_a_part(gw):
    r = gw.request("GET", "/hidden", ALICE)
    assert r.status == 200, r.body
    part = r.json()[WEIRD]
    assert part["path"] == "/p]]ath--%22"
    assert "authorization" not in part["headers"]
    assert r.headers["x-dashboard"] == "1"
    assert r.headers["content-type"] == "application/json"
    # without hide_credentials a part gets the client's headers as they came (as nginx's subrequests)
    r = gw.request("GET", "/shown", ALICE)
    assert r.json()["me"]["headers"]["authorization"] == ALICE["Authorization"]
    assert gw.request("GET", "/hidden").status == 401

