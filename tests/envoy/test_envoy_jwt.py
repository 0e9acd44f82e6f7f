"""JWT on the real Envoy (jwt_authn): the same meaning as on NGINX and Traefik (HS/RS/ES keys,
exp (M3), nbf, clock skew, iss, aud, claims forwarded as headers and never taken from the
client (M5), hidden credentials, the 401 shape and challenge (M2)). The HS secret reaches
Envoy as its `oct` JWKS in NAME_JWKS (docs/targets/envoy.md)."""
from __future__ import annotations

import base64
import json
import time

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

SECRET = "an-hs256-secret-of-32-bytes-long!"


def jwk(pub, kid: str) -> dict:
    def b64(n: int, size: int | None = None) -> str:
        raw = n.to_bytes(size or (n.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    nums = pub.public_numbers()
    if isinstance(pub, rsa.RSAPublicKey):
        return {"kty": "RSA", "kid": kid, "n": b64(nums.n), "e": b64(nums.e), "alg": "RS256"}
    return {"kty": "EC", "kid": kid, "crv": "P-256", "x": b64(nums.x, 32), "y": b64(nums.y, 32), "alg": "ES256"}


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
JWKS = json.dumps({"keys": [jwk(RSA_KEY.public_key(), "r1"), jwk(EC_KEY.public_key(), "e1")]})

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    observability: {access_log: {}}
    routes:
      - name: hs
        match: /hs
        service: echo
        policies:
          auth:
            jwt:
              algorithms: [HS256]
              secret: {env: GWC_JWT_SECRET}
              issuer: https://id.example.com/
              audiences: [api]
              clock_skew: 30s
              forward_claims: {sub: X-User-Id, roles: X-Roles}
              realm: shop
      - name: pk
        match: /pk
        service: echo
        policies:
          auth:
            jwt:
              algorithms: [RS256, ES256]
              jwks: {file: jwks.json}
              require_exp: false
              token: {query: access_token}
              hide_credentials: true
      - name: cookie
        match: /cookie
        service: echo
        policies:
          auth: {jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}, token: {cookie: session}}}
      - name: cookie-hidden
        match: /cookie-hidden
        service: echo
        policies:
          auth:
            jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}, token: {cookie: session}, hide_credentials: true}
      - {name: open, match: /open, service: echo}
"""


def oct_jwks(secret: str, algs=("HS256",)) -> str:
    k = base64.urlsafe_b64encode(secret.encode()).rstrip(b"=").decode()
    return json.dumps({"keys": [{"kty": "oct", "k": k, "alg": a} for a in algs]})


def hs(claims: dict, secret: str = SECRET, alg: str = "HS256") -> str:
    return pyjwt.encode(claims, secret, algorithm=alg)


def good(**extra) -> dict:
    now = int(time.time())
    return {"iss": "https://id.example.com/", "aud": "api", "sub": "u1", "exp": now + 60, **extra}


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()}, files={"jwks.json": JWKS},
                        env={"GWC_JWT_SECRET_JWKS": oct_jwks(SECRET)})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_valid_hs256_token_and_forwarded_claims(gw):
    r = gw.request("GET", "/hs", {**bearer(hs(good(roles=["a", "b"]))), "X-User-Id": "forged"})
    assert r.status == 200, r.body
    seen = r.json()["headers"]
    # Envoy forwards a claim that is not a string, number or boolean as base64 of its JSON
    assert seen["x-user-id"] == "u1" and base64.b64decode(seen["x-roles"]) == b'["a","b"]'
    assert seen["authorization"].startswith("Bearer ")  # hide_credentials is off


NOW = object()  # stands for the time the test runs (parameters are made at collection)


@pytest.mark.parametrize("claims,why", [
    ({"exp": (NOW, -60)}, "expired beyond the skew"),
    ({"exp": None}, "no exp (require_exp defaults to true)"),
    ({"nbf": (NOW, 120)}, "not yet valid"),
    ({"iss": "https://evil.example.com/"}, "wrong issuer"),
    ({"aud": ["other"]}, "wrong audience"),
])
def test_invalid_hs256_tokens(gw, claims, why):
    now = int(time.time())
    claims = {k: now + v[1] if isinstance(v, tuple) and v[0] is NOW else v for k, v in claims.items()}
    c = {k: v for k, v in {**good(), **claims}.items() if v is not None}
    r = gw.request("GET", "/hs", bearer(hs(c)))
    assert r.status == 401, why
    assert r.json() == {"error": "Unauthorized"} and r.headers["content-type"] == "application/json"
    assert r.headers["www-authenticate"] == 'Bearer realm="shop", error="invalid_token"'


def test_required_claims_are_refused(tmp_path):
    from gatewayc.build import build
    spec = tmp_path / "gateway.yml"
    (tmp_path / "jwks.json").write_text(JWKS)
    spec.write_text(SPEC.replace("clock_skew: 30s", "clock_skew: 30s\n              required_claims: [sub]")
                    .replace("__ECHO__", "http://127.0.0.1:9"))
    r = build(str(spec), ["envoy"], source="gateway.yml")
    assert not r.ok and any(d.code == "GWC310" and "require claims" in d.message for d in r.diagnostics)


def test_clock_skew_accepts_a_just_expired_token(gw):
    assert gw.request("GET", "/hs", bearer(hs(good(exp=int(time.time()) - 5)))).status == 200


def test_wrong_key_alg_none_and_no_token(gw):
    assert gw.request("GET", "/hs", bearer(hs(good(), "another-secret-of-at-least-32-bytes"))).status == 401
    unsigned = pyjwt.encode(good(), None, algorithm="none")
    assert gw.request("GET", "/hs", bearer(unsigned)).status == 401
    assert gw.request("GET", "/hs", bearer(hs(good(), SECRET, "HS512"))).status == 401  # not an allowed alg
    r = gw.request("GET", "/hs")
    assert r.status == 401 and r.headers["www-authenticate"] == 'Bearer realm="shop"'


def test_rs256_and_es256_from_the_jwks_file_in_a_query_parameter(gw):
    for key, alg, kid in ((RSA_KEY, "RS256", "r1"), (EC_KEY, "ES256", "e1")):
        token = pyjwt.encode({"sub": "k"}, key, algorithm=alg, headers={"kid": kid})  # no exp: allowed here
        r = gw.request("GET", f"/pk?access_token={token}&x=1")
        assert r.status == 200, (alg, r.body)
        assert r.json()["query"] == "x=1"  # hide_credentials
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = pyjwt.encode({"sub": "k"}, other, algorithm="RS256", headers={"kid": "r1"})
    assert gw.request("GET", f"/pk?access_token={token}").status == 401
    expired = pyjwt.encode({"exp": int(time.time()) - 10}, RSA_KEY, algorithm="RS256", headers={"kid": "r1"})
    assert gw.request("GET", f"/pk?access_token={expired}").status == 401  # require_exp: false, still checked


def test_cookie_token(gw):
    token = hs({"exp": int(time.time()) + 60})
    assert gw.request("GET", "/cookie", {"Cookie": f"a=1; session={token}"}).status == 200
    assert gw.request("GET", "/cookie", {"Cookie": "session=x.y.z"}).status == 401


def test_a_hidden_cookie_token_goes_and_the_other_cookies_stay(gw):
    token = hs({"exp": int(time.time()) + 60})
    r = gw.request("GET", "/cookie-hidden", {"Cookie": f"a=1; session={token}; b=2"})
    assert r.status == 200, r.body
    assert r.json()["headers"]["cookie"] == "a=1; b=2"
    r = gw.request("GET", "/cookie-hidden", {"Cookie": f"session={token}"})
    assert r.status == 200 and "cookie" not in r.json()["headers"]
    r = gw.request("GET", "/cookie-hidden", {"Cookie": "a=1; session=x.y.z"})
    assert (r.status, r.headers["www-authenticate"]) == (401, 'Bearer realm="gatewayc", error="invalid_token"')


def test_claim_headers_never_come_from_the_client_on_any_route(gw):
    seen = gw.request("GET", "/open", {"X-User-Id": "forged", "X-Roles": "admin"}).json()["headers"]
    assert "x-user-id" not in seen and "x-roles" not in seen


def test_the_build_names_the_jwks_variable_and_no_secret(gw):
    assert gw.output.env == {"GWC_JWT_SECRET_JWKS"}
    assert SECRET.encode() not in gw.output.files["envoy.yaml"]


def test_cors_and_request_shape_on_the_401(gw):
    r = gw.request("GET", "/hs", {"Authorization": "Basic eDp5"})  # a header, but not a bearer token
    assert r.status == 401 and r.headers["cache-control"] == "no-store"


def test_a_token_in_the_query_is_never_logged(gw):
    token = pyjwt.encode({"sub": "k"}, RSA_KEY, algorithm="RS256", headers={"kid": "r1"})
    assert gw.request("GET", f"/pk/logged?access_token={token}", {"User-Agent": "log-probe"}).status == 200
    deadline = time.monotonic() + 15  # Envoy writes its access log out every 10 s at least
    while "log-probe" not in gw.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    lines = [json.loads(x) for x in gw.log().splitlines() if "log-probe" in x]
    assert lines and lines[-1]["uri"] == "/pk/logged"  # M5: without the query string
    assert token not in gw.log()
