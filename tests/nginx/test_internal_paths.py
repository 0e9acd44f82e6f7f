"""The locations nginx needs for itself (auth and aggregation subrequests, the stub_status
behind metrics) live at URIs no client request can name, so they neither collide with a
spec route nor answer a client: every spec path, `/_gwc/...` included, is the user's."""
from __future__ import annotations

import re

SPEC = """
version: 1
services:
  echo: {url: __ECHO__}
gateways:
  main:
    listeners: [{port: 8080}]
    observability: {metrics: {}}
    routes:
      - name: keyed
        match: /keyed
        service: echo
        policies:
          auth: {api_key: {header: X-Key, keys: {env: KEYS}}}
      - name: both
        match: /both
        aggregate:
          parts: [{key: one, service: echo, path: /one}]
      - name: mine
        match: /_gwc
        respond: {body: {route: mine}}
      - name: rest
        match: /
        respond: {body: {route: rest}}
"""


def test_internal_locations_are_out_of_every_client_path(gateway, echo_upstream):
    gw = gateway(SPEC, upstreams={"ECHO": echo_upstream()}, env={"KEYS": "k1"})
    internal = sorted(set(re.findall(r'location "=" "(/+_gwc/[^"]+)"', gw.conf)))
    kinds = {uri.split("/")[3] for uri in internal}
    assert {"auth", "agg", "stub_status", "answer"} <= kinds and all(u.startswith("//") for u in internal), internal
    # the features behind them work
    assert gw.request("GET", "/keyed", {"X-Key": "k1"}).status == 200
    assert gw.request("GET", "/keyed").status == 401
    assert gw.request("GET", "/both").json()["one"]["path"] == "/one"
    metrics = gw.request("GET", "/metrics")
    assert metrics.status == 200 and b"connections" in metrics.body, metrics.body[:200]
    # and a client reaches the spec's route at each of their paths, however it spells them
    for uri in internal:
        tail = uri.lstrip("/")
        for spelled in (f"/{tail}", f"//{tail}", f"/%2F{tail}", f"/x/..//{tail}"):
            r = gw.request("GET", spelled)
            assert (r.status, r.json()) == (200, {"route": "mine"}), (spelled, r.status, r.body[:100])


METRICS = """
version: 1
gateways:
  main:
    listeners: [{port: 8080}]
    observability: {metrics: {path: "/m%65trics"}}
    routes:
      - {name: rx, match: {path: {regex: "/met.*"}}, respond: {body: {route: rx}}}
      - {name: rest, match: /, respond: {body: {route: rest}}}
"""


def test_the_metrics_path_is_taken_before_the_routes_that_cover_it(gateway):
    # the spec's path is percent-encoded; nginx compares the decoded one
    gw = gateway(METRICS)
    metrics = gw.request("GET", "/metrics")
    assert metrics.status == 200 and b"connections" in metrics.body, metrics.body[:200]
    assert gw.request("GET", "/m%65trics").status == 200
    assert gw.request("GET", "/metricsx").json() == {"route": "rx"}
    assert gw.request("GET", "/other").json() == {"route": "rest"}
