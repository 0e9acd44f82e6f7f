"""JWT auth through the generated njs module, against a real nginx. Keys are minted here,
per test session: no private key lives in the repository."""
from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from nginx_harness import Reply

SECRET = "hs-secret-for-tests-0123456789abcdef"
FILE_SECRET = "file-secret-for-tests-abcdef0123456789"


def _jwk(key, kid: str, alg: str | None = None) -> dict:
    out = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()) if isinstance(key, rsa.RSAPrivateKey)
                     else jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    out["kid"] = kid
    if alg:
        out["alg"] = alg
    return out


@pytest.fixture(scope="module")
def keys():
    return {"k1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "k2": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "e256": ec.generate_private_key(ec.SECP256R1()),
            "e384": ec.generate_private_key(ec.SECP384R1()),
            "stranger": rsa.generate_private_key(public_exponent=65537, key_size=2048)}


SPEC = """
version: 1
services:
  echo: {{url: "__ECHO__"}}
policies:
  hs:
    auth:
      jwt:
        algorithms: [HS256, HS384]
        secret: {{env: GWC_TEST_JWT_SECRET}}
        issuer: https://issuer.test
        audiences: [api, other]
        required_claims: [sub]
        clock_skew: 30s
        forward_claims: {{sub: X-User-Id, roles: X-Roles}}
gateways:
  main:
    listeners: [{{port: 8080}}]
    routes:
      - {{name: hs, match: {{path: /hs}}, service: echo, policies: {{use: [hs]}}}}
      - name: hsfile
        match: {{path: /hsfile}}
        service: echo
        policies:
          auth:
            jwt: {{algorithms: [HS512], secret: {{file: "{tmp}/jwt.secret"}}}}
      - name: pk
        match: {{path: /pk}}
        service: echo
        policies:
          auth:
            jwt:
              algorithms: [RS256, RS512, ES256, ES384]
              jwks: {{file: jwks.json}}
              audiences: [api]
              forward_claims: {{email: X-Email}}
      - name: query
        match: {{path: /query}}
        service: echo
        policies:
          auth:
            jwt: {{algorithms: [HS256], secret: {{env: GWC_TEST_JWT_SECRET}}, token: {{query: access_token}}}}
      - name: cookie
        match: {{path: /cookie}}
        service: echo
        policies:
          auth:
            jwt: {{algorithms: [HS256], secret: {{env: GWC_TEST_JWT_SECRET}}, token: {{cookie: session}}}}
      - name: plainheader
        match: {{path: /plainheader}}
        service: echo
        policies:
          auth:
            jwt: {{algorithms: [HS256], secret: {{env: GWC_TEST_JWT_SECRET}}, token: {{header: X-Token}}}}
      - name: proto
        match: {{path: /proto}}
        service: echo
        policies:
          auth:
            jwt:
              algorithms: [HS256]
              secret: {{env: GWC_TEST_JWT_SECRET}}
              required_claims: [constructor]
              forward_claims: {{toString: X-To-String, __proto__: X-Proto}}
      - name: noexp
        match: {{path: /noexp}}
        service: echo
        policies:
          auth:
            jwt: {{algorithms: [HS256], secret: {{env: GWC_TEST_JWT_SECRET}}, require_exp: false, clock_skew: 30s}}
      - name: custom
        match: {{path: /custom}}
        service: echo
        policies:
          auth:
            jwt: {{algorithms: [HS256], secret: {{env: GWC_TEST_JWT_SECRET}}}}
            failure: {{status: 403, body: {{error: "no entry", fee: "$5 ${{x}}"}}}}
"""


@pytest.fixture(scope="module")
def gw(module_gateway, module_echo_upstream, tmp_path_factory, keys):
    secrets = tmp_path_factory.mktemp("jwt-secrets")
    (secrets / "jwt.secret").write_text(FILE_SECRET + "\n")
    jwks = {"keys": [_jwk(keys["k1"], "k1", "RS256"), _jwk(keys["k2"], "k2"), _jwk(keys["e256"], "e256"),
                     _jwk(keys["e384"], "e384")]}
    return module_gateway(SPEC.format(tmp=secrets), {"ECHO": module_echo_upstream()},
                          env={"GWC_TEST_JWT_SECRET": SECRET}, files={"jwks.json": json.dumps(jwks)})


def claims(**extra) -> dict:
    now = int(time.time())
    base = {"sub": "alice", "iss": "https://issuer.test", "aud": "api", "iat": now, "exp": now + 300,
            "roles": ["admin", "ops"]}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def hs(secret: str = SECRET, alg: str = "HS256", **extra) -> str:
    return jwt.encode(claims(**extra), secret, algorithm=alg)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(gw, path: str, headers=None) -> Reply:
    return gw.request("GET", path, headers)


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


# --- HMAC -------------------------------------------------------------------------------
def test_good_hs256_token_passes_and_claims_reach_upstream(gw):
    r = get(gw, "/hs/x", {**bearer(hs()), "X-User-Id": "mallory"})
    assert r.status == 200, gw.log()
    seen = r.json()
    assert seen["path"] == "/hs/x"
    assert seen["headers"]["x-user-id"] == "alice"  # the client's own value is replaced
    assert json.loads(seen["headers"]["x-roles"]) == ["admin", "ops"]


def test_hs384_is_allowed_too(gw):
    assert get(gw, "/hs", bearer(hs(alg="HS384"))).status == 200


@pytest.mark.parametrize("case,token", [
    ("bad signature", lambda: hs(secret="not-the-secret-but-long-enough-0123")),
    ("expired", lambda: hs(exp=int(time.time()) - 120)),
    ("not yet valid", lambda: hs(nbf=int(time.time()) + 120)),
    ("wrong audience", lambda: hs(aud="elsewhere")),
    ("wrong issuer", lambda: hs(iss="https://evil.test")),
    ("missing required claim", lambda: hs(sub=None)),
    ("disallowed algorithm", lambda: hs(alg="HS512")),
    ("garbage", lambda: "abc.def"),
    ("bad base64", lambda: hs() + "*"),
])
def test_bad_hs_tokens_get_the_json_401(gw, case, token):
    r = get(gw, "/hs", bearer(token()))
    assert r.status == 401, case
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"error": "Unauthorized"}


def test_missing_token_and_wrong_scheme_are_401(gw):
    assert get(gw, "/hs").status == 401
    assert get(gw, "/hs", {"Authorization": f"Token {hs()}"}).status == 401


def test_alg_none_is_refused(gw):
    token = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims()) + "."
    assert get(gw, "/hs", bearer(token)).status == 401


def test_clock_skew_tolerates_a_recent_expiry(gw):
    assert get(gw, "/hs", bearer(hs(exp=int(time.time()) - 5))).status == 200


# --- exp (docs/spec.md: require_exp) --------------------------------------------------
def test_a_token_without_exp_is_refused_by_default(gw, keys):
    assert get(gw, "/hs", bearer(hs(exp=None))).status == 401, gw.log()
    assert get(gw, "/pk", bearer(pk_token(keys["k1"], "RS256", "k1", exp=None))).status == 401
    # exp must be a number: null or text is no expiry at all
    assert get(gw, "/hs", bearer(hs(exp="9999999999"))).status == 401
    assert get(gw, "/hs", bearer(jwt.encode({**claims(), "exp": None}, SECRET, algorithm="HS256"))).status == 401


def test_require_exp_false_accepts_a_token_without_exp_but_never_an_expired_one(gw):
    now = int(time.time())
    assert get(gw, "/noexp", bearer(hs(exp=None))).status == 200, gw.log()
    assert get(gw, "/noexp", bearer(hs(exp=now + 60))).status == 200
    assert get(gw, "/noexp", bearer(hs(exp=now - 5))).status == 200  # within the 30 s clock skew
    assert get(gw, "/noexp", bearer(hs(exp=now - 120))).status == 401
    assert get(gw, "/noexp", bearer(hs(exp="soon"))).status == 401


def test_audience_may_be_a_list(gw):
    assert get(gw, "/hs", bearer(hs(aud=["nobody", "other"]))).status == 200
    assert get(gw, "/hs", bearer(hs(aud=["nobody"]))).status == 401


def test_secret_from_file(gw):
    assert get(gw, "/hsfile", bearer(hs(FILE_SECRET, "HS512"))).status == 200
    assert get(gw, "/hsfile", bearer(hs(FILE_SECRET + "\n", "HS512"))).status == 401
    assert get(gw, "/hsfile", bearer(hs(SECRET, "HS512"))).status == 401


def test_token_sources(gw):
    assert get(gw, f"/query?x=1&access_token={hs()}").status == 200
    assert get(gw, "/query", bearer(hs())).status == 401
    assert get(gw, "/cookie", {"Cookie": f"a=b; session={hs()}; c=d"}).status == 200
    assert get(gw, "/cookie", {"Cookie": "session=nope"}).status == 401
    assert get(gw, "/plainheader", {"X-Token": hs()}).status == 200
    assert get(gw, "/plainheader", bearer(hs())).status == 401


def test_claim_names_are_not_found_on_the_prototype(gw):
    # every JS object "has" constructor and toString: a token without them must not pass
    r = get(gw, "/proto", bearer(hs()))
    assert r.status == 401, gw.log()
    r = get(gw, "/proto", bearer(hs(constructor="c1")))
    assert r.status == 200, gw.log()
    assert "x-to-string" not in r.json()["headers"] and "x-proto" not in r.json()["headers"]
    token = jwt.encode({**claims(constructor="c1"), "toString": "t1", "__proto__": {"p": 1}}, SECRET,
                       algorithm="HS256")
    seen = get(gw, "/proto", bearer(token)).json()["headers"]
    assert seen["x-to-string"] == "t1"
    assert json.loads(seen["x-proto"]) == {"p": 1}


def test_custom_failure_status_and_body_keep_dollars_literal(gw):
    r = get(gw, "/custom")
    assert r.status == 403
    assert r.json() == {"error": "no entry", "fee": "$5 ${x}"}


# --- public keys ---------------------------------------------------------------------
def pk_token(key, alg: str, kid: str | None, **extra) -> str:
    return jwt.encode(claims(email="a@example.com", **extra), key, algorithm=alg,
                      headers={"kid": kid} if kid else None)


@pytest.mark.parametrize("name,alg,kid", [
    ("k1", "RS256", "k1"), ("k2", "RS256", "k2"), ("k2", "RS512", "k2"), ("k2", "RS256", None),
    ("e256", "ES256", "e256"), ("e384", "ES384", "e384"), ("e384", "ES384", None),
])
def test_good_public_key_tokens_pass(gw, keys, name, alg, kid):
    r = get(gw, "/pk", bearer(pk_token(keys[name], alg, kid)))
    assert r.status == 200, gw.log()
    assert r.json()["headers"]["x-email"] == "a@example.com"


def test_kid_selects_the_key(gw, keys):
    assert get(gw, "/pk", bearer(pk_token(keys["k1"], "RS256", "k2"))).status == 401
    assert get(gw, "/pk", bearer(pk_token(keys["k1"], "RS256", "unknown"))).status == 401


def test_key_alg_in_jwks_is_enforced(gw, keys):
    # k1 is declared RS256 only
    assert get(gw, "/pk", bearer(pk_token(keys["k1"], "RS512", "k1"))).status == 401


@pytest.mark.parametrize("case", ["unknown key", "tampered", "expired", "wrong audience", "rs on hs route"])
def test_bad_public_key_tokens(gw, keys, case):
    path = "/pk"
    if case == "unknown key":
        token = pk_token(keys["stranger"], "RS256", None)
    elif case == "tampered":
        h, p, s = pk_token(keys["k1"], "RS256", "k1").split(".")
        token = ".".join([h, _b64(claims(sub="root")), s])
    elif case == "expired":
        token = pk_token(keys["e256"], "ES256", "e256", exp=int(time.time()) - 60)
    elif case == "wrong audience":
        token = pk_token(keys["k1"], "RS256", "k1", aud="other")
    else:
        token, path = pk_token(keys["k1"], "RS256", "k1"), "/hs"
    assert get(gw, path, bearer(token)).status == 401


def test_alg_confusion_is_refused(gw, keys):
    """HS256 signed with the RSA public key as the HMAC secret: the classic confusion."""
    pem = keys["k1"].public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    header = _b64({"alg": "HS256", "kid": "k1"})
    body = _b64(claims())
    import hashlib
    import hmac
    sig = base64.urlsafe_b64encode(hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest())
    token = f"{header}.{body}.{sig.rstrip(b'=').decode()}"
    assert get(gw, "/pk", bearer(token)).status == 401
