"""The answers nginx makes itself, live (docs/spec.md, "Answers the gateway makes itself"):
for each status, from a browser origin with CORS on, the JSON body and Content-Type, the CORS
headers, the request id, the gateway's response headers, Cache-Control, Retry-After on 429 and
WWW-Authenticate on 401 per method; an upstream's own error answers pass through untouched."""
from __future__ import annotations

import base64
import http.client
import threading
import time

import jwt as pyjwt
import pytest

from nginx_harness import Reply, free_port

ORIGIN = "https://app.example.com"
SECRET = "answers-test-secret-0123456789abcdef"

SPEC = """
version: 1
services:
  up: {url: __UP__}
  own404: {url: __OWN404__}
  own502: {url: __OWN502__}
  down: {url: "http://127.0.0.1:DOWN_PORT"}
  slow: {url: __SLOW__, timeouts: {read: 300ms}}
  held: {url: __HELD__}
gateways:
  main:
    listeners: [{port: 8080}]
    observability: {request_id: {}}
    policies:
      cors: {origins: ["https://app.example.com"], credentials: true, expose_headers: [X-Request-Id]}
      response: {headers: {set: {X-Frame-Options: DENY}}}
    errors:
      502: {body: {error: upstream down, code: 502}}
    routes:
      - name: jwt
        match: {path: /jwt}
        service: up
        policies:
          auth: {jwt: {algorithms: [HS256], secret: {env: GWC_ANS_JWT}}}
      - name: jwt-cookie
        match: {path: /jwt-cookie}
        service: up
        policies:
          auth: {jwt: {algorithms: [HS256], secret: {env: GWC_ANS_JWT}, token: {cookie: session}, realm: web}}
      - name: basic
        match: {path: /basic}
        service: up
        policies:
          auth: {basic: {credentials: {env: GWC_ANS_BASIC}, realm: Admin}}
      - name: native-basic
        match: {path: /native}
        service: up
        policies:
          auth: {basic: {credentials: {file: HTPASSWD_PATH}, realm: Files}}
      - name: native-all-of
        match: {path: /native-all}
        service: up
        policies:
          auth:
            all_of:
              - {basic: {credentials: {file: HTPASSWD_PATH}, realm: Files}}
              - {api_key: {header: X-Key, keys: {env: GWC_ANS_KEYS}}}
      - name: key
        match: {path: /key}
        service: up
        policies:
          auth: {api_key: {header: X-Key, keys: {env: GWC_ANS_KEYS}, realm: partners}}
      - name: either
        match: {path: /either}
        service: up
        policies:
          auth:
            any_of:
              - {jwt: {algorithms: [HS256], secret: {env: GWC_ANS_JWT}}}
              - {api_key: {query: key, keys: {env: GWC_ANS_KEYS}}}
              - {basic: {credentials: {env: GWC_ANS_BASIC}}}
            failure: {body: {error: sign in}}
      - name: forbidden-auth
        match: {path: /auth403}
        service: up
        policies:
          auth: {api_key: {header: X-Key, keys: {env: GWC_ANS_KEYS}}, failure: {status: 403}}
      - name: broken-auth
        match: {path: /broken}
        service: up
        policies:
          auth: {api_key: {header: X-Key, keys: {env: GWC_ANS_UNSET}}}
      - name: ip
        match: {path: /ip}
        service: up
        policies: {ip: {deny: [127.0.0.0/8]}}
      - name: small
        match: {path: /small}
        service: up
        policies: {body_limit: 10}
      - name: limited
        match: {path: /limited}
        service: up
        policies: {rate_limit: {requests: 1, per: 1m}}
      - name: busy
        match: {path: /busy}
        service: held
        policies: {concurrency_limit: {max: 1, status: 429}}
      - name: checked
        match: {path: /checked}
        service: up
        policies: {validation: {required_headers: [X-Need], status: 422}}
      - name: down
        match: {path: /down}
        service: down
      - name: slow
        match: {path: /slow}
        service: slow
      - name: gone
        match: {path: /gone}
        respond: {status: 410}
      - name: gone-limited
        match: {path: /gone-limited}
        respond: {status: 410, body: {error: no more}}
        policies: {ip: {allow: [127.0.0.0/8]}}
      - name: aggregate
        match: {path: /agg}
        aggregate:
          parts: [{key: d, service: down, path: /x}]
          on_failure: fail
      - name: own404
        match: {path: /own404}
        service: own404
      - name: own502
        match: {path: /own502}
        service: own502
      - name: by-method
        match: {path: /split, methods: [POST]}
        service: up
      - name: by-method-put
        match: {path: /split, methods: [PUT]}
        service: up
"""

HTPASSWD = "alice:{PLAIN}wonderland\n"


@pytest.fixture(scope="module")
def gw(module_gateway, module_echo_upstream, tmp_path_factory):
    htpasswd = tmp_path_factory.mktemp("answers") / "users.htpasswd"  # nginx reads it from this path
    htpasswd.write_text(HTPASSWD)
    held = module_echo_upstream("held")
    held.delay = 1.5  # every answer late: a request stays in flight
    text = SPEC.replace("DOWN_PORT", str(free_port())).replace("HTPASSWD_PATH", str(htpasswd))
    return module_gateway(text, {"UP": module_echo_upstream("up"), "OWN404": module_echo_upstream("own404", status=404),
                                 "OWN502": module_echo_upstream("own502", status=502),
                                 "SLOW": module_echo_upstream("slow"), "HELD": held},
                          env={"GWC_ANS_JWT": SECRET, "GWC_ANS_BASIC": "bob:builder", "GWC_ANS_KEYS": "k-1"})


def browser(gw, method: str, path: str, headers: dict | None = None, body: bytes | None = None) -> Reply:
    return gw.request(method, path, {"Origin": ORIGIN, "X-Request-Id": "rid-" + path.strip("/")[:20],
                                     **(headers or {})}, body)


def assert_shape(r: Reply, status: int, body: object, rid: str | None = None, cors: bool = True,
                 no_store: bool = True) -> None:
    """What every answer the gateway makes carries (docs/spec.md)."""
    assert r.status == status, (r.status, r.body[:300])
    assert r.headers["content-type"] == "application/json", r.headers
    assert r.json() == body
    if cors:
        assert r.headers.get("access-control-allow-origin") == ORIGIN, r.headers
        assert r.headers.get("access-control-allow-credentials") == "true"
        assert r.headers.get("access-control-expose-headers") == "X-Request-Id"
    if rid is not None:
        assert r.headers.get("x-request-id") == rid, r.headers
    else:
        assert r.headers.get("x-request-id"), r.headers  # generated
    assert r.headers.get("x-frame-options") == "DENY", r.headers
    if no_store:
        assert r.headers.get("cache-control") == "no-store", r.headers
    else:
        assert "cache-control" not in r.headers


def _token(**claims) -> str:
    return pyjwt.encode({"exp": int(time.time()) + 300, **claims}, SECRET, algorithm="HS256")


# --- 401 and its challenges ------------------------------------------------------------------
def test_jwt_401_bearer_challenge(gw):
    r = browser(gw, "GET", "/jwt")
    assert_shape(r, 401, {"error": "Unauthorized"}, "rid-jwt")
    assert r.values("WWW-Authenticate") == ['Bearer realm="gatewayc"']
    bad = browser(gw, "GET", "/jwt", {"Authorization": "Bearer not.a.token"})
    assert_shape(bad, 401, {"error": "Unauthorized"}, "rid-jwt")
    assert bad.values("WWW-Authenticate") == ['Bearer realm="gatewayc", error="invalid_token"']
    # another scheme is not a bearer token
    other = browser(gw, "GET", "/jwt", {"Authorization": "Basic Ym9iOmJ1aWxkZXI="})
    assert other.values("WWW-Authenticate") == ['Bearer realm="gatewayc"']
    assert browser(gw, "GET", "/jwt", {"Authorization": "Bearer " + _token(sub="u")}).status == 200


def test_jwt_in_a_cookie_invalid_token(gw):
    assert browser(gw, "GET", "/jwt-cookie").values("WWW-Authenticate") == ['Bearer realm="web"']
    r = browser(gw, "GET", "/jwt-cookie", {"Cookie": "theme=dark; session=forged"})
    assert_shape(r, 401, {"error": "Unauthorized"}, "rid-jwt-cookie")
    assert r.values("WWW-Authenticate") == ['Bearer realm="web", error="invalid_token"']


def test_basic_401_challenge_with_charset(gw):
    for path, realm in (("/basic", "Admin"), ("/native", "Files")):
        for headers in ({}, {"Authorization": "Basic " + base64.b64encode(b"alice:wrong").decode()}):
            r = browser(gw, "GET", path, headers)
            assert_shape(r, 401, {"error": "Unauthorized"}, "rid-" + path[1:])
            # nginx's own auth_basic adds its challenge itself: still exactly one
            assert r.values("WWW-Authenticate") == [f'Basic realm="{realm}", charset="UTF-8"']
    good = base64.b64encode(b"alice:wonderland").decode()
    assert browser(gw, "GET", "/native", {"Authorization": "Basic " + good}).status == 200


def test_all_of_with_nginx_basic_sends_each_challenge_once(gw):
    basic = 'Basic realm="Files", charset="UTF-8"'
    r = browser(gw, "GET", "/native-all")  # nginx's basic refuses first
    assert r.status == 401 and r.values("WWW-Authenticate") == [basic, 'Key realm="gatewayc"']
    good = base64.b64encode(b"alice:wonderland").decode()
    r = browser(gw, "GET", "/native-all", {"Authorization": "Basic " + good})  # the key check refuses
    assert_shape(r, 401, {"error": "Unauthorized"}, "rid-native-all")
    assert r.values("WWW-Authenticate") == [basic, 'Key realm="gatewayc"']


def test_api_key_401_key_challenge(gw):
    r = browser(gw, "GET", "/key", {"X-Key": "wrong"})
    assert_shape(r, 401, {"error": "Unauthorized"}, "rid-key")
    assert r.values("WWW-Authenticate") == ['Key realm="partners"']


def test_any_of_one_challenge_per_method(gw):
    r = browser(gw, "GET", "/either", {"Authorization": "Bearer forged"})
    assert_shape(r, 401, {"error": "sign in"}, "rid-either")
    assert r.values("WWW-Authenticate") == ['Bearer realm="gatewayc", error="invalid_token"',
                                            'Key realm="gatewayc"', 'Basic realm="gatewayc", charset="UTF-8"']
    assert browser(gw, "GET", "/either?key=k-1").status == 200


def test_auth_failure_403_has_no_challenge(gw):
    r = browser(gw, "GET", "/auth403")
    assert_shape(r, 403, {"error": "Forbidden"}, "rid-auth403")
    assert r.values("WWW-Authenticate") == []


def test_auth_that_cannot_run_is_a_json_500(gw):
    r = browser(gw, "GET", "/broken", {"X-Key": "k-1"})
    assert_shape(r, 500, {"error": "Internal Server Error"}, "rid-broken")


# --- the other refusals ---------------------------------------------------------------------
def test_ip_filter_403(gw):
    assert_shape(browser(gw, "GET", "/ip"), 403, {"error": "Forbidden"}, "rid-ip")


def test_body_limit_413(gw):
    r = browser(gw, "POST", "/small", body=b"x" * 11)
    assert_shape(r, 413, {"error": "Content Too Large"}, "rid-small")


def test_rate_limit_429_with_retry_after(gw):
    first = browser(gw, "GET", "/limited")
    assert first.status == 200 and "retry-after" not in first.headers
    r = browser(gw, "GET", "/limited")
    assert_shape(r, 429, {"error": "Too Many Requests"}, "rid-limited")
    assert r.headers["retry-after"] == "60"  # 1 per 1m: 60 s until the next request is admitted


def test_concurrency_limit_429_says_retry_after_one_second(gw):
    held = []
    t = threading.Thread(target=lambda: held.append(browser(gw, "GET", "/busy")))
    t.start()
    time.sleep(0.5)  # the first request is in flight (its upstream answers after 1.5 s)
    r = browser(gw, "GET", "/busy")
    t.join()
    assert held[0].status == 200
    assert_shape(r, 429, {"error": "Too Many Requests"}, "rid-busy")
    assert r.headers["retry-after"] == "1"


def test_validation_answer(gw):
    assert_shape(browser(gw, "GET", "/checked"), 422, {"error": "Unprocessable Content"}, "rid-checked")
    assert browser(gw, "GET", "/checked", {"X-Need": "1"}).status == 200


def test_upstream_unreachable_502_uses_the_errors_body(gw):
    r = browser(gw, "GET", "/down")
    assert_shape(r, 502, {"error": "upstream down", "code": 502}, "rid-down")
    assert "retry-after" not in r.headers


def test_upstream_timeout_504(gw):
    r = browser(gw, "GET", "/slow")
    assert_shape(r, 504, {"error": "Gateway Timeout"}, "rid-slow")


def test_aggregation_failure_is_the_gateways_502(gw):
    assert_shape(browser(gw, "GET", "/agg"), 502, {"error": "upstream down", "code": 502}, "rid-agg")


def test_fixed_response_carries_the_headers_but_may_be_cached(gw):
    assert_shape(browser(gw, "GET", "/gone"), 410, {"error": "Gone"}, "rid-gone", no_store=False)
    # answered from the named location that waits for the ip check
    assert_shape(browser(gw, "GET", "/gone-limited"), 410, {"error": "no more"}, "rid-gone-limited",
                 no_store=False)


# --- no route, and what nginx refuses before choosing one ----------------------------------
def test_no_route_404_carries_the_gateway_levels_cors(gw):
    assert_shape(browser(gw, "GET", "/nothing/here"), 404, {"error": "Not Found"}, "rid-nothing/here")
    # a location that dispatches by method: no method matched
    assert_shape(browser(gw, "GET", "/split"), 404, {"error": "Not Found"}, "rid-split")


def test_trace_405(gw):
    assert_shape(browser(gw, "TRACE", "/jwt"), 405, {"error": "Method Not Allowed"}, "rid-jwt")


def test_bad_request_400(gw):
    conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=10)
    try:
        conn.putrequest("GET", "/jwt", skip_host=True)  # HTTP/1.1 without Host
        conn.putheader("Origin", ORIGIN)
        conn.putheader("X-Request-Id", "rid-400")
        conn.endheaders()
        resp = conn.getresponse()
        r = Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read(), tuple(resp.getheaders()))
    finally:
        conn.close()
    assert_shape(r, 400, {"error": "Bad Request"}, "rid-400")


def test_uri_too_long_414(gw):
    r = gw.request("GET", "/" + "a" * 9000)  # nginx gives up before it reads any header
    assert_shape(r, 414, {"error": "URI Too Long"}, cors=False)


# --- an upstream's own answers -------------------------------------------------------------
@pytest.mark.parametrize("path,status", [("/own404", 404), ("/own502", 502)])
def test_an_upstreams_own_errors_pass_through(gw, path, status):
    r = browser(gw, "GET", path)
    assert r.status == status
    assert r.json() == {"server": path[1:], "error": "failing on purpose"}
    assert "cache-control" not in r.headers and "retry-after" not in r.headers
