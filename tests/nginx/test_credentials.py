"""Credentials on a real nginx (docs/spec.md, "Credentials upstream", "Forwarded claims",
"Credentials in logs"): hide_credentials keeps a route's credential from its service; a
claim header is the gateway's alone on every route; the access log never holds a credential."""
from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

SECRET = "cred-hs-secret-0123456789abcdef012345"
KEY = "k-3f9a1c7e5b"
USERS = "ann:s3cret-pw"

SPEC = """
version: 1
services:
  api: {{url: "__ECHO__"}}
gateways:
  main:
    listeners: [{{port: 8080}}]
    observability: {{access_log: {{format: json}}, request_id: {{}}}}
    routes:
      - name: claims
        match: {{path: /claims}}
        service: api
        policies:
          auth:
            jwt: {{algorithms: [HS256], secret: {{env: GWC_CRED_JWT}}, forward_claims: {{sub: X-User-Id, tenant: X-Tenant}}}}
      - {{name: sibling, match: {{path: /sibling}}, service: api}}
      - name: transformed
        match: {{path: /transformed}}
        service: api
        policies: {{request: {{headers: {{set: {{X-Extra: "1"}}, add: {{X-Tenant: from-gateway}}}}}}}}
      - name: keyed
        match: {{path: /keyed}}
        service: api
        policies: {{auth: {{api_key: {{header: X-Api-Key, keys: {{env: GWC_CRED_KEYS}}}}}}}}
      - name: parts
        match: {{path: /parts}}
        aggregate: {{parts: [{{key: one, service: api, path: /one}}]}}
      - name: jwt-query
        match: {{path: /jq}}
        service: api
        policies:
          auth: {{jwt: {{algorithms: [HS256], secret: {{env: GWC_CRED_JWT}}, token: {{query: access_token}}}}}}
      - name: jwt-query-hidden
        match: {{path: /jqh}}
        service: api
        policies:
          auth:
            jwt: {{algorithms: [HS256], secret: {{env: GWC_CRED_JWT}}, token: {{query: access_token}}, hide_credentials: true}}
          request: {{query: {{set: {{added: "1"}}}}}}
      - name: jwt-header
        match: {{path: /jh}}
        service: api
        policies: {{auth: {{jwt: {{algorithms: [HS256], secret: {{env: GWC_CRED_JWT}}}}}}}}
      - name: jwt-header-hidden
        match: {{path: /jhh}}
        service: api
        policies:
          auth: {{jwt: {{algorithms: [HS256], secret: {{env: GWC_CRED_JWT}}, hide_credentials: true}}}}
      - name: jwt-header-hidden-reset
        match: {{path: /jhr}}
        service: api
        policies:
          auth: {{jwt: {{algorithms: [HS256], secret: {{env: GWC_CRED_JWT}}, hide_credentials: true}}}}
          request: {{headers: {{add: {{Authorization: Bearer upstream-token}}, rename: {{Authorization: X-Was-Auth}}}}}}
      - name: jwt-cookie-hidden
        match: {{path: /jch}}
        service: api
        policies:
          auth: {{jwt: {{algorithms: [HS256], secret: {{env: GWC_CRED_JWT}}, token: {{cookie: session}}, hide_credentials: true}}}}
      - name: key-query-hidden
        match: {{path: /kqh}}
        service: api
        policies: {{auth: {{api_key: {{query: api_key, keys: {{env: GWC_CRED_KEYS}}, hide_credentials: true}}}}}}
      - name: key-header-hidden
        match: {{path: /khh}}
        service: api
        policies: {{auth: {{api_key: {{header: X-Api-Key, keys: {{env: GWC_CRED_KEYS}}, hide_credentials: true}}}}}}
      - name: basic-hidden
        match: {{path: /bh}}
        service: api
        policies: {{auth: {{basic: {{credentials: {{env: GWC_CRED_USERS}}, hide_credentials: true}}}}}}
      - name: basic-native-hidden
        match: {{path: /bnh}}
        service: api
        policies: {{auth: {{basic: {{credentials: {{file: "{dir}/htpasswd"}}, hide_credentials: true}}}}}}
      - name: any-hidden
        match: {{path: /anyh}}
        service: api
        policies:
          auth:
            any_of:
              - jwt: {{algorithms: [HS256], secret: {{env: GWC_CRED_JWT}}, token: {{cookie: session}}, hide_credentials: true}}
              - api_key: {{query: api_key, keys: {{env: GWC_CRED_KEYS}}, hide_credentials: true}}
      - name: parts-hidden
        match: {{path: /partsh}}
        aggregate: {{parts: [{{key: one, service: api, path: /one}}]}}
        policies:
          auth:
            jwt: {{algorithms: [HS256], secret: {{env: GWC_CRED_JWT}}, token: {{cookie: session}}, hide_credentials: true}}
  other:
    listeners: [{{port: 8081}}]
    observability: {{access_log: {{format: text}}}}
    routes:
      - {{name: plain, match: {{path: /plain}}, service: api}}
      - name: keyed
        match: {{path: /keyed}}
        service: api
        policies: {{auth: {{api_key: {{query: key, keys: {{env: GWC_CRED_KEYS}}}}}}}}
"""


@pytest.fixture(scope="module")
def api(module_echo_upstream):
    return module_echo_upstream("api")


@pytest.fixture(scope="module")
def gw(module_gateway, api, tmp_path_factory):
    secrets = tmp_path_factory.mktemp("cred-secrets")
    (secrets / "htpasswd").write_text("ann:{PLAIN}s3cret-pw\n")
    return module_gateway(SPEC.format(dir=secrets), {"ECHO": api},
                          env={"GWC_CRED_JWT": SECRET, "GWC_CRED_KEYS": KEY, "GWC_CRED_USERS": USERS})


def token(**claims) -> str:
    return jwt.encode({"sub": "ann", "exp": int(time.time()) + 60, **claims}, SECRET, algorithm="HS256")


def bearer(t: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {t or token()}"}


def seen(gw, path: str, headers: dict[str, str] | None = None, port: int | None = None) -> dict:
    r = gw.request("GET", path, headers, port=port)
    assert r.status == 200, (path, r.status, r.body[:200], gw.log()[-2000:])
    return r.json()


# --- claim headers are the gateway's on every route --------------------------------------
FORGED = {"X-User-Id": "mallory", "x-tenant": "evil"}


@pytest.mark.parametrize("path,headers", [
    ("/sibling", {}),
    ("/keyed", {"X-Api-Key": KEY}),
    ("/jh", None),  # JWT auth that forwards no claims
    ("/jhh", None),
])
def test_a_client_cannot_send_a_claim_header_on_any_route(gw, path, headers):
    got = seen(gw, path, {**FORGED, **(bearer() if headers is None else headers)})["headers"]
    assert "x-user-id" not in got and "x-tenant" not in got, got


def test_the_claim_route_sends_the_verified_claims_only(gw):
    got = seen(gw, "/claims", {**FORGED, **bearer(token(tenant="acme"))})["headers"]
    assert got["x-user-id"] == "ann" and got["x-tenant"] == "acme"
    # a claim the token lacks: the header is absent, not the client's
    got = seen(gw, "/claims", {**FORGED, **bearer()})["headers"]
    assert got["x-user-id"] == "ann" and "x-tenant" not in got


def test_a_transform_may_still_fill_a_claim_header(gw):
    # `add` appends to the client's value elsewhere; here the client's value is gone first
    got = seen(gw, "/transformed", FORGED)["headers"]
    assert got["x-tenant"] == "from-gateway" and got["x-extra"] == "1"
    assert "x-user-id" not in got


def test_aggregation_parts_drop_claim_headers_too(gw):
    r = gw.request("GET", "/parts", FORGED)
    assert r.status == 200, gw.log()
    got = r.json()["one"]["headers"]
    assert "x-user-id" not in got and "x-tenant" not in got, got


def test_claim_headers_are_per_gateway(gw):
    # gateway `other` forwards no claims: X-User-Id is an ordinary client header there
    assert seen(gw, "/plain", FORGED, port=gw.ports[1])["headers"]["x-user-id"] == "mallory"


# --- hide_credentials ------------------------------------------------------------------------
def test_credentials_are_forwarded_by_default(gw):
    t = token()
    assert seen(gw, "/jh", bearer(t))["headers"]["authorization"] == f"Bearer {t}"
    assert seen(gw, f"/jq?a=1&access_token={t}")["query"] == f"a=1&access_token={t}"
    assert seen(gw, "/keyed", {"X-Api-Key": KEY})["headers"]["x-api-key"] == KEY


def test_a_hidden_query_token_is_removed_and_the_rest_kept(gw):
    t = token()
    # every occurrence goes, also with an encoded name (the auth check decodes names); the
    # rest stays byte for byte, and the route's own query transform still applies
    got = seen(gw, f"/jqh/x?b=%20x&access_token={t}&c=1&access%5Ftoken=junk&access_token")
    assert got["path"] == "/jqh/x"
    assert got["query"] == "b=%20x&c=1&added=1", got["query"]
    got = seen(gw, f"/kqh?api_key={KEY}")
    assert got["query"] == "" and KEY not in json.dumps(got)


def test_hidden_headers_are_removed(gw):
    t = token()
    assert "authorization" not in seen(gw, "/jhh", {**bearer(t), "X-Other": "1"})["headers"]
    assert "x-api-key" not in seen(gw, "/khh", {"X-Api-Key": KEY})["headers"]
    basic = {"Authorization": "Basic " + base64.b64encode(USERS.encode()).decode()}
    assert "authorization" not in seen(gw, "/bh", basic)["headers"]
    assert "authorization" not in seen(gw, "/bnh", basic)["headers"]  # nginx's own auth_basic
    assert gw.request("GET", "/bnh").status == 401


def test_transforms_run_after_the_credential_is_gone(gw):
    got = seen(gw, "/jhr", bearer())["headers"]
    assert got["authorization"] == "Bearer upstream-token"
    assert "x-was-auth" not in got


def test_a_hidden_cookie_goes_alone(gw):
    t = token()
    got = seen(gw, "/jch", {"Cookie": f"a=1; session={t}; b=2"})["headers"]
    assert got["cookie"] == "a=1; b=2"
    got = seen(gw, "/jch", {"Cookie": f"session={t}"})["headers"]
    assert "cookie" not in got


def test_any_of_hides_every_hiding_methods_credential(gw):
    t = token()
    got = seen(gw, f"/anyh?api_key={KEY}&x=1", {"Cookie": f"session={t}; keep=1"})
    assert got["query"] == "x=1" and got["headers"]["cookie"] == "keep=1"
    got = seen(gw, f"/anyh?api_key={KEY}", {"Cookie": "session=not-a-token; keep=1"})
    assert got["query"] == "" and got["headers"]["cookie"] == "keep=1"


def test_aggregation_parts_do_not_get_a_hidden_credential(gw):
    t = token()
    r = gw.request("GET", "/partsh", {"Cookie": f"session={t}; keep=1"})
    assert r.status == 200, gw.log()
    assert r.json()["one"]["headers"]["cookie"] == "keep=1"


# --- the access log --------------------------------------------------------------------------
def _log_lines(gw, marker: str, timeout: float = 5.0) -> list[str]:
    """The access log lines holding `marker`: nginx writes a line once the response is sent."""
    deadline = time.monotonic() + timeout
    while True:
        path = gw.runtime / "access.log"
        lines = [x for x in (path.read_text(errors="replace").splitlines() if path.exists() else []) if marker in x]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_the_json_log_masks_query_credentials_and_keeps_the_rest(gw):
    t, t2 = token(), token(sub="bob")
    path = f"/jq?m=json1&access_token={t}&x=1&access%5Ftoken={t2}"
    assert gw.request("GET", path).status == 200
    gw.request("GET", f"/jq?m=json2&access_token={t}x")  # refused (401): logged all the same
    gw.request("GET", f"/nowhere?m=json3&api_key={KEY}")  # 404 on the gateway: still masked
    gw.request("GET", f"/kqh?m=json4&api_key={KEY}")
    for m, uri in (("json1", "/jq?m=json1&access_token=REDACTED&x=1&access%5Ftoken=REDACTED"),
                   ("json2", "/jq?m=json2&access_token=REDACTED"),
                   ("json3", "/nowhere?m=json3&api_key=REDACTED"),
                   ("json4", "/kqh?m=json4&api_key=REDACTED")):
        [line] = _log_lines(gw, f"m={m}")
        assert json.loads(line)["uri"] == uri
    text = (gw.runtime / "access.log").read_text()
    assert t not in text and t2 not in text and KEY not in text


def test_headers_and_cookies_are_never_logged(gw):
    t = token(sub="header-user")
    assert gw.request("GET", "/jh?m=hdr1", {**bearer(t), "Cookie": f"session={t}", "X-Api-Key": KEY}).status == 200
    assert gw.request("GET", "/keyed?m=hdr2", {"X-Api-Key": KEY, "Authorization": f"Bearer {t}"}).status == 200
    lines = _log_lines(gw, "m=hdr1") + _log_lines(gw, "m=hdr2")
    assert len(lines) == 2
    assert not any(t in x or KEY in x for x in lines), lines


def test_the_text_log_masks_them_too(gw):
    port = gw.ports[1]
    assert gw.request("GET", f"/keyed?m=text1&key={KEY}", port=port).status == 200
    [line] = _log_lines(gw, "m=text1")
    assert '"GET /keyed?m=text1&key=REDACTED HTTP/1.1"' in line, line
    assert KEY not in (gw.runtime / "access.log").read_text()


def test_add_or_rename_of_cookie_beside_a_hidden_cookie_is_refused(build_spec):
    text = """
version: 1
services:
  api: {url: "http://127.0.0.1:9"}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: r
        match: {path: /r}
        service: api
        policies:
          auth: {jwt: {algorithms: [HS256], secret: {env: S}, token: {cookie: session}, hide_credentials: true}}
          request: {headers: {add: {Cookie: "x=1"}}}
"""
    _, out = build_spec(text)
    assert [d.code for d in out.notes if "Cookie" in d.message] == ["GWC310"]
