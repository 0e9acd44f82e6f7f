"""One build run reports every capability problem: the features a target refuses (graded) and
the particular uses only its backend can judge, together, for every target at once."""
from __future__ import annotations

from pathlib import Path

import pytest

from gatewayc.build import build

ROOT = Path(__file__).resolve().parents[2]

# graded refusals for Kong (request timeout, aggregation) next to problems only the Kong backend
# sees (a breaker on a failure rate alone, a JWT without `issuer`)
SPEC = """\
version: 1
services:
  users:
    url: http://127.0.0.1:3001
    timeouts: {request: 3s}
    circuit_breaker: {failure_percent: 50, open_for: 30s}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: users
        match: {path: /users}
        service: users
        policies:
          auth:
            jwt: {algorithms: [HS256], secret: {env: JWT_SECRET}}
      - name: dash
        match: {path: /dash}
        aggregate:
          parts:
            - {key: a, service: users, path: /a}
"""


def _messages(result) -> list[str]:
    return [f"{d.code} {d.message}" for d in result.diagnostics if d.is_error]


def test_graded_and_backend_problems_come_out_together(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text(SPEC)
    r = build(str(spec), ["kong"], source="gateway.yml")
    errors = _messages(r)
    assert not r.ok and r.files == {}
    for part in ("upstream.request_timeout", "aggregation", "failure_percent", "issuer"):
        assert any(part in e for e in errors), (part, errors)


def test_every_target_is_judged_in_the_same_run(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text(SPEC)
    r = build(str(spec), ["kong", "nginx"], source="gateway.yml", subdirs=True)
    assert not r.ok and r.files == {} and r.env == {}
    assert any("issuer" in e for e in _messages(r))


def test_accepting_the_refused_features_shows_nothing_new(tmp_path):
    """The backend-only problems were already in the first run: accepting every graded
    refusal leaves exactly them."""
    spec = tmp_path / "gateway.yml"
    spec.write_text(SPEC)
    first = set(_messages(build(str(spec), ["kong"], source="gateway.yml")))
    second = set(_messages(build(str(spec), ["kong"], source="gateway.yml",
                                 accept=["upstream.request_timeout", "aggregation"])))
    assert second and second < first


@pytest.mark.parametrize("example", sorted(p.parent.name for p in (ROOT / "examples").glob("*/gateway.yml")))
def test_every_example_reports_all_at_once_for_every_target(example):
    """Accepting every feature the first run refused never reveals a new error."""
    from gatewayc import backends

    path = str(ROOT / "examples" / example / "gateway.yml")
    for target in backends.names():
        first = build(path, [target], source="gateway.yml")
        refused = sorted({f for d in first.diagnostics if d.code == "GWC300"
                          for f in _feature_ids(d.message)})
        second = build(path, [target], source="gateway.yml", accept=refused)
        new = set(_messages(second)) - set(_messages(first))
        assert not {e for e in new if not e.startswith("GWC303")}, (target, new)


def _feature_ids(message: str) -> list[str]:
    from gatewayc.capabilities import FEATURES, is_auth

    return [f for f in FEATURES if f"({f})" in message and not is_auth(f)]
