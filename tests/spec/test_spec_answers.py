"""The answers a gateway makes itself: `errors:`, the bodies policies fall back to, and the
challenge / Retry-After values every backend derives from the IR (gatewayc.ir.answers)."""
from __future__ import annotations

import textwrap

import pytest

from gatewayc.compiler import compile_spec
from gatewayc.ir import model as ir
from gatewayc.ir.answers import Challenge, body_for, challenges, reason, retry_after_s


@pytest.fixture
def compile_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def run(text: str):
        (tmp_path / "spec.yml").write_text(textwrap.dedent(text))
        return compile_spec("spec.yml")

    return run


def ok(c) -> ir.IR:
    assert c.ok, [(d.code, d.message, str(d.location)) for d in c.diagnostics]
    return c.ir


def errors(c):
    return [(d.code, d.location.line, d.location.col) for d in c.diagnostics if d.is_error]


def spec(gateway: str = "", policies: str = "", routes: str = "") -> str:
    return textwrap.dedent("""\
        version: 1
        services:
          s: {url: 'http://127.0.0.1:3001'}
        gateways:
          web:
            listeners: [{port: 8080}]
        """) + textwrap.indent(textwrap.dedent(gateway), "    ") + \
        "    policies:\n" + textwrap.indent(textwrap.dedent(policies or "{}\n"), "      ") + \
        "    routes:\n" + textwrap.indent(textwrap.dedent(routes or "- {name: r, service: s}\n"), "      ")


ROUTES = """\
- name: limited
  match: {path: /limited}
  service: s
  policies:
    rate_limit: {requests: 3, per: 1m}
    concurrency_limit: {max: 1}
    validation: {required_headers: [x-a]}
    auth: {api_key: {header: x-key, keys: {env: KEYS}}}
- name: gone
  match: {path: /gone}
  respond: {status: 410}
- name: ok
  match: {path: /ok}
  respond: {status: 200}
"""


def test_defaults_are_the_reason_phrase(compile_text):
    gw = ok(compile_text(spec(routes=ROUTES))).gateways[0]
    r = {x.name: x for x in gw.routes}
    p = r["limited"].policies
    assert gw.not_found == ir.Failure(404, {"error": "Not Found"})
    assert p.auth.failure == ir.Failure(401, {"error": "Unauthorized"})
    assert p.rate_limit.body == {"error": "Too Many Requests"}
    assert p.concurrency_limit.body == {"error": "Service Unavailable"}
    assert p.validation.body == {"error": "Bad Request"}
    assert r["gone"].action == ir.Respond(410, {"error": "Gone"})
    assert r["ok"].action == ir.Respond(200, None)  # below 400: no body unless written


def test_errors_set_the_bodies_policies_fall_back_to(compile_text):
    gw = ok(compile_text(spec(gateway="""\
        errors:
          404: {body: {error: No such endpoint}}
          "429": {body: {error: slow down, retry: true}}
          401: {body: who are you}
          410: {body: null}
          503: {body: {error: busy}}
          400: {body: {error: bad}}
        """, routes=ROUTES))).gateways[0]
    r = {x.name: x for x in gw.routes}
    p = r["limited"].policies
    assert gw.answers.bodies == ((400, {"error": "bad"}), (401, "who are you"), (404, {"error": "No such endpoint"}),
                                 (410, None), (429, {"error": "slow down", "retry": True}), (503, {"error": "busy"}))
    assert gw.not_found.body == {"error": "No such endpoint"}
    assert p.auth.failure.body == "who are you"
    assert p.rate_limit.body == {"error": "slow down", "retry": True}
    assert p.concurrency_limit.body == {"error": "busy"}
    assert p.validation.body == {"error": "bad"}
    assert r["gone"].action == ir.Respond(410, None)  # `body: null` written for 410: JSON null
    assert body_for(gw.answers, 502) == {"error": "Bad Gateway"}


def test_policy_bodies_keep_precedence(compile_text):
    gw = ok(compile_text(spec(gateway="""\
        errors:
          404: {body: {error: errors-404}}
          429: {body: {error: errors-429}}
          401: {body: {error: errors-401}}
        not_found: {body: {error: own-404}}
        """, routes="""\
        - name: limited
          match: {path: /limited}
          service: s
          policies:
            rate_limit: {requests: 3, per: 1m, body: {error: own-429}}
            auth: {api_key: {header: x-key, keys: {env: KEYS}}, failure: {body: null}}
        """))).gateways[0]
    p = gw.routes[0].policies
    assert gw.not_found.body == {"error": "own-404"}
    assert p.rate_limit.body == {"error": "own-429"}
    assert p.auth.failure.body is None  # written as null: the JSON value null


def test_a_policy_status_picks_the_gateway_body_of_that_status(compile_text):
    gw = ok(compile_text(spec(gateway="""\
        errors:
          403: {body: {error: errors-403}}
        not_found: {status: 400}
        """, routes="""\
        - name: a
          match: {path: /a}
          service: s
          policies:
            auth: {api_key: {header: x-key, keys: {env: KEYS}}, failure: {status: 403}}
            rate_limit: {requests: 3, per: 1m, status: 503}
        - name: teapot
          match: {path: /t}
          respond: {status: 499}
        """))).gateways[0]
    p = gw.routes[0].policies
    assert gw.not_found == ir.Failure(400, {"error": "Bad Request"})
    assert p.auth.failure == ir.Failure(403, {"error": "errors-403"})
    assert p.rate_limit.body == {"error": "Service Unavailable"}
    assert gw.routes[1].action == ir.Respond(499, {"error": "Client Error"})


@pytest.mark.parametrize("entry,code,col", [
    ("600: {body: x}", "GWC114", 7),
    ("399: {body: x}", "GWC114", 7),
    ("abc: {body: x}", "GWC114", 7),
    ("502: {}", "GWC102", 12),
    ("502: {body: x, headers: {}}", "GWC100", 22),
])
def test_bad_errors_entries_point_at_the_entry(compile_text, entry, code, col):
    c = compile_text(spec(gateway=f"errors:\n  {entry}\n"))
    assert errors(c) == [(code, 8, col)]


def test_answers_carry_the_gateway_levels_cors_and_response_headers(compile_text):
    text = spec(policies="""\
        use: [browser]
        response: {headers: {set: {X-Frame-Options: DENY}, add: {X-Gw: web}}}
        """, routes="""\
        - name: no-cors
          service: s
          policies: {cors: false, response: false}
        """) + textwrap.dedent("""\
        policies:
          browser:
            cors: {origins: ["https://app.example.com"], credentials: true}
        """)
    a = ok(compile_text(text)).gateways[0].answers
    assert a.cors is not None and a.cors.origins == ("https://app.example.com",) and a.cors.credentials
    assert a.response_headers.set == (("X-Frame-Options", "DENY"),) and a.response_headers.add == (("X-Gw", "web"),)
    # a route that switches them off does not change what a no-route answer carries
    gw = ok(compile_text(spec(routes="- {name: r, service: s, policies: {cors: false}}\n"))).gateways[0]
    assert gw.answers.cors is None and not gw.answers.response_headers


def _auth(text: str, compile_text) -> ir.Auth:
    return ok(compile_text(spec(routes=f"""\
        - name: r
          service: s
          policies:
            auth: {text}
        """))).gateways[0].routes[0].policies.auth


def test_one_challenge_per_method_in_spec_order(compile_text):
    auth = _auth("""{any_of: [
                   {jwt: {algorithms: [HS256], secret: {env: S}, realm: api}},
                   {api_key: {query: key, keys: {env: K}}},
                   {all_of: [{basic: {credentials: {env: B}, realm: 'ad"min'}}, {api_key: {query: key, keys: {env: K}}}]},
                   {api_key: {header: x-k, keys: {env: K}}}]}""", compile_text)
    got = challenges(auth)
    assert [c.scheme for c in got] == ["Bearer", "Key", "Basic"]  # equal challenges are sent once
    assert [c.value() for c in got] == ['Bearer realm="api"', 'Key realm="gatewayc"',
                                         'Basic realm="ad\\"min", charset="UTF-8"']
    assert got[0].value(token_presented=True) == 'Bearer realm="api", error="invalid_token"'
    assert got[0].token == ir.TokenSource("Authorization", "Bearer", None, None)


def test_no_challenge_unless_the_failure_is_401(compile_text):
    assert challenges(_auth("{basic: {credentials: {env: B}}, failure: {status: 403}}", compile_text)) == ()


def test_mtls_has_no_http_challenge():
    auth = ir.Auth(ir.MtlsAuth(()), ir.Failure(401, None))
    assert challenges(auth) == ()
    assert Challenge("Key", "a\nb").value() == 'Key realm="a b"'


@pytest.mark.parametrize("requests,per_ms,seconds", [
    (100, 900_000, 9), (3, 60_000, 20), (10, 1000, 1), (7, 10_000, 2), (1, 86_400_000, 86_400)])
def test_retry_after_is_per_over_requests_rounded_up(requests, per_ms, seconds):
    rl = ir.RateLimit(requests, per_ms, 0, ir.LimitKey("client_ip"), "fixed_window", 429, None, "route", "g/route/r")
    assert retry_after_s(rl) == seconds


def test_reason_phrases():
    assert reason(413) == "Content Too Large" and reason(429) == "Too Many Requests"
    assert reason(499) == "Client Error" and reason(599) == "Server Error"
