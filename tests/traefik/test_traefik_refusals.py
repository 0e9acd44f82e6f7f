"""What OSS Traefik cannot do is refused by `gatewayc build --target traefik`: every reason in
one run, each with a code and the position of what asks for it, and nothing written."""
from __future__ import annotations

from gatewayc.build import build

SPEC = """\
version: 1
services:
  a: {url: "http://127.0.0.1:3001"}
  b: {url: "http://127.0.0.1:3002"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: cached
        match: /cached
        service: a
        policies:
          cache: {ttl: 1m}
      - name: dashboard
        match: /dashboard
        aggregate:
          parts:
            - {key: x, service: a, path: /x}
            - {key: y, service: b, path: /y}
      - name: nothing
        match: /nothing
        service: a
        policies: {request: {headers: {add: {X-A: "1"}}}}
      - name: shared
        match: /shared
        service: b
        policies:
          rate_limit: {requests: 5, per: 1m, store: {redis: {address: "r:6379", password: {file: /etc/redis.pw}}}}
"""


def test_cache_aggregation_and_what_only_the_backend_sees_are_refused_in_one_run(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text(SPEC)
    r = build(str(spec), ["traefik"], source="gateway.yml")
    assert not r.ok and not r.files
    errors = {(d.code, d.location.line): d.message for d in r.diagnostics if d.is_error}
    assert set(errors) == {("GWC300", 13), ("GWC300", 14), ("GWC310", 23), ("GWC310", 24)}, errors
    assert "(cache)" in errors["GWC300", 13] and "Hub" in errors["GWC300", 13]
    assert "(aggregation)" in errors["GWC300", 14]
    assert "`add`" in errors["GWC310", 23]
    assert "Redis password" in errors["GWC310", 24]  # Traefik takes it from its configuration
