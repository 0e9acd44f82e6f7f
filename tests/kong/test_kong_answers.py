"""The answers Kong makes itself (docs/spec.md, "Answers the gateway makes itself"): what kong.yml
can shape follows the spec and passes Kong's vendored schemas; what it cannot is said by the build."""
from __future__ import annotations

import json

import kong_harness as harness
import kongcheck

SPEC = """\
version: 1
services:
  svc: {url: http://svc.internal:8080}
gateways:
  gw:
    listeners: [{port: 8080}]
    observability: {request_id: {}}
GATEWAY
    routes:
      - name: api
        match: {path: /api}
        service: svc
ROUTE
      - name: gone
        match: {path: /gone}
        respond: {status: 410}
      - name: hello
        match: {path: /hello}
        respond: {status: 200, body: hello}
"""


def build(tmp_path, gateway: str = "", route: str = "", accepted: tuple[str, ...] = ()):
    text = SPEC.replace("GATEWAY\n", gateway).replace("ROUTE\n", route)
    built = harness.build_text(tmp_path, text, accepted)
    return built


def ok(built) -> dict:
    assert not built.errors, [d.message for d in built.errors]
    assert kongcheck.check_all(built.files["kong.yml"]) == []
    return built.doc()


def plugins(doc: dict, service: str) -> dict[str, dict]:
    s = next(s for s in doc["services"] if s["name"] == service)
    return {p["name"]: p["config"] for p in s.get("plugins", [])}


def approximations(built, severity: str = "WARNING") -> list[str]:
    # an approximation the spec chose is a GWC311 warning; one of a default answer's shape a GWC301 info
    return [d.message for d in built.diagnostics
            if d.code in ("GWC301", "GWC311") and d.effective_severity.name == severity]


def test_no_route_answer_carries_the_gateway_levels_cors_and_headers(tmp_path):
    doc = ok(build(tmp_path, gateway="""\
    policies:
      cors: {origins: ["https://app.example.com"], credentials: true}
      response: {headers: {set: {X-Frame-Options: DENY}}}
    errors:
      404: {body: {error: No such endpoint}}
"""))
    nf = plugins(doc, "gatewayc~not-found")
    assert nf["request-termination"]["status_code"] == 404
    assert json.loads(nf["request-termination"]["body"]) == {"error": "No such endpoint"}
    assert nf["request-termination"]["content_type"] == "application/json"
    assert nf["cors"]["origins"] == ["https://app.example.com"] and nf["cors"]["credentials"] is True
    assert sorted(nf["response-transformer"]["add"]["headers"]) == ["Cache-Control:no-store", "X-Frame-Options:DENY"]
    assert sorted(nf["response-transformer"]["replace"]["headers"]) == ["Cache-Control:no-store",
                                                                       "X-Frame-Options:DENY"]
    # the request id of every answer: correlation-id is global
    assert [p["name"] for p in doc["plugins"]] == ["correlation-id"]


def test_fixed_responses_are_json(tmp_path):
    doc = ok(build(tmp_path))
    gone = plugins(doc, "gone")["request-termination"]
    assert (gone["status_code"], json.loads(gone["body"]), gone["content_type"]) == \
        (410, {"error": "Gone"}, "application/json")
    hello = plugins(doc, "hello")["request-termination"]  # a JSON string is JSON too, not text/plain
    assert (hello["body"], hello["content_type"]) == ('"hello"', "application/json")


def test_auth_plugins_send_the_spec_realm(tmp_path):
    doc = ok(build(tmp_path, route="""\
        policies:
          auth:
            any_of:
              - {jwt: {algorithms: [HS256], secret: {env: JWT}, issuer: me, realm: api}}
              - {api_key: {header: X-Key, keys: {env: KEY}, realm: 'partners "eu"'}}
              - {basic: {credentials: {env: BASIC}, realm: Admin}}
"""))
    p = plugins(doc, "api")
    assert p["jwt"]["realm"] == "api"
    assert p["key-auth"]["realm"] == 'partners \\"eu\\"'  # Kong writes it between quotes as it is
    assert p["basic-auth"]["realm"] == "Admin"


def test_ip_filter_message_is_the_gateways_403(tmp_path):
    doc = ok(build(tmp_path, gateway="    errors:\n      403: {body: {error: Not from here}}\n",
                   route="        policies: {ip: {deny: [10.0.0.0/8]}}\n", accepted=("answers.errors",)))
    assert plugins(doc, "api")["ip-restriction"] == {"deny": ["10.0.0.0/8"], "message": "Not from here",
                                                      "status": 403}


def test_errors_kong_cannot_carry_are_refused_or_accepted(tmp_path):
    built = build(tmp_path, gateway="    errors:\n      502: {body: {error: down}}\n")
    assert [(d.code, "(answers.errors)" in d.message) for d in built.errors] == [("GWC300", True)]
    accepted = build(tmp_path, gateway="    errors:\n      502: {body: {error: down}}\n", accepted=("answers.errors",))
    ok(accepted)
    assert [d.code for d in accepted.diagnostics if "answers.errors" in d.message] == ["GWC302"]
    # the not_found status's entry is the no-route answer's body: Kong carries it
    ok(build(tmp_path, gateway="    errors:\n      404: {body: {error: none}}\n"))


def test_what_kong_answers_itself_is_said(tmp_path):
    built = build(tmp_path, route="""\
        policies:
          auth: {api_key: {header: X-Key, keys: {env: KEY}}}
          rate_limit: {requests: 3, per: 1m, body: {error: slow down}}
""")
    ok(built)
    # the shape of answers the spec leaves at their defaults: an info
    info = approximations(built, "INFO")
    assert any("failed authentication" in n and "Cache-Control: no-store" in n for n in info), info
    assert any("upstream failures (502, 503, 504)" in n and "(413)" in n for n in info), info
    # a body the spec wrote and Kong does not send: a warning
    # (the other warning: the harness's rate limit has a burst, which Kong cannot express)
    burst, warned = approximations(built)
    assert burst == "kong: rate limit burst 2 is not expressible in Kong"
    assert '{"message": "slow down"}' in warned \
        and 'the spec: {"error": "slow down"}' in warned and "(the spec: 20)" in warned, warned


def test_an_auth_failure_kong_ignores_is_a_warning(tmp_path):
    built = build(tmp_path, route="""\
        policies:
          auth: {api_key: {header: X-Key, keys: {env: KEY}}, failure: {status: 403}}
          rate_limit: {requests: 3, per: 1m}
""")
    ok(built)
    assert [n for n in approximations(built) if "failed authentication" in n]
    assert any("rate-limited" in n for n in approximations(built, "INFO"))
