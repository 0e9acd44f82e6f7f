"""Every auth method's accept and reject cases, with the 401 the gateway makes (M2, M3, M5),
and body limits on routes with auth."""
from __future__ import annotations

import base64
import hashlib
import json
import time
import warnings

import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from cases_common import answer
from table_model import Case, Group, Send, pattern

P = ("routing.path.prefix",)
HMAC = (*P, "auth.jwt.hmac")
SECRET = "an-hs256-secret-of-32-bytes-long!"
NOW = int(time.time())  # tokens are made when the table is loaded: valid for hours
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(n: int, size: int | None = None) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(size or (n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


def _jwks() -> str:
    r, e = RSA_KEY.public_key().public_numbers(), EC_KEY.public_key().public_numbers()
    return json.dumps({"keys": [
        {"kty": "RSA", "kid": "r1", "alg": "RS256", "n": _b64(r.n), "e": _b64(r.e)},
        {"kty": "EC", "kid": "e1", "alg": "ES256", "crv": "P-256", "x": _b64(e.x, 32), "y": _b64(e.y, 32)},
    ]})


def hs(secret: str = SECRET, alg: str = "HS256", **claims) -> str:
    with warnings.catch_warnings():  # the HS512 token signed with the HS256 secret is short on purpose
        warnings.simplefilter("ignore")
        return pyjwt.encode({"sub": "u1", "exp": NOW + 6 * 3600, **claims}, secret, algorithm=alg)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def refused(path: str, headers: dict | None = None, *challenges: str, **kw) -> Send:
    return answer(path, 401, headers, reply_all={"www-authenticate": challenges}, **kw)


NO_EXP = pyjwt.encode({"sub": "u1"}, SECRET, algorithm="HS256")
EXPIRED = hs(exp=NOW - 3600)
BEARER_SHOP = 'Bearer realm="shop"'
INVALID_SHOP = 'Bearer realm="shop", error="invalid_token"'
KEY = 'Key realm="gatewayc"'
BASIC = 'Basic realm="gatewayc", charset="UTF-8"'
HTPASSWD = "alice:{SHA}" + base64.b64encode(hashlib.sha1(b"wonderland").digest()).decode() + "\n"

CASES = (
    Case("jwt-hs256", HMAC, """
        - name: jwt-hs
          match: {path: /jwt-hs}
          service: a
          policies:
            auth: {jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}, realm: shop}}
    """, (
        Send("/jwt-hs", bearer(hs()), upstream="a", seen_headers={"authorization": f"Bearer {hs()}"}),
        refused("/jwt-hs", None, BEARER_SHOP),
        refused("/jwt-hs", bearer(hs("another-secret-of-at-least-32-bytes")), INVALID_SHOP),
        refused("/jwt-hs", bearer(hs(alg="HS512")), INVALID_SHOP),  # not an allowed algorithm
        refused("/jwt-hs", bearer(pyjwt.encode({"sub": "u1", "exp": NOW + 3600}, None, algorithm="none")),
                INVALID_SHOP),
        refused("/jwt-hs", bearer(EXPIRED), INVALID_SHOP),
        refused("/jwt-hs", bearer(NO_EXP), INVALID_SHOP),  # require_exp defaults to true (M3)
        refused("/jwt-hs", {"Authorization": "Basic eDp5"}, BEARER_SHOP),
    )),
    Case("jwt-without-exp-allowed", HMAC, """
        - name: jwt-no-exp
          match: {path: /jwt-no-exp}
          service: a
          policies:
            auth: {jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}, require_exp: false}}
    """, (
        Send("/jwt-no-exp", bearer(NO_EXP), upstream="a"),
        refused("/jwt-no-exp", bearer(EXPIRED), 'Bearer realm="gatewayc", error="invalid_token"'),
    )),
    Case("jwt-issuer-audience-claims", (*HMAC, "auth.jwt.forward_claims"), """
        - name: jwt-claims
          match: {path: /jwt-claims}
          service: a
          policies:
            auth:
              jwt:
                algorithms: [HS256]
                secret: {env: GWC_JWT_SECRET}
                issuer: https://id.example.com/
                audiences: [api]
                forward_claims: {sub: X-User-Id}
                hide_credentials: true
        - {name: jwt-claims-open, match: {path: /jwt-claims-open}, service: a}
    """, (
        Send("/jwt-claims", {**bearer(hs(iss="https://id.example.com/", aud="api")), "X-User-Id": "forged"},
             upstream="a", seen_headers={"x-user-id": "u1", "authorization": None}),
        refused("/jwt-claims", bearer(hs(iss="https://evil.example.com/", aud="api")), INVALID_SHOP.replace("shop", "gatewayc")),
        refused("/jwt-claims", bearer(hs(iss="https://id.example.com/", aud="other")), INVALID_SHOP.replace("shop", "gatewayc")),
        # the claim header is the gateway's on every route: a client cannot forge it (M5)
        Send("/jwt-claims-open", {"X-User-Id": "forged"}, upstream="a", seen_headers={"x-user-id": None}),
    )),
    Case("jwt-in-query-and-cookie", HMAC, """
        - name: jwt-query
          match: {path: /jwt-query}
          service: a
          policies:
            auth: {jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}, token: {query: access_token},
                         hide_credentials: true}}
        - name: jwt-cookie
          match: {path: /jwt-cookie}
          service: a
          policies:
            auth: {jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}, token: {cookie: session},
                         hide_credentials: true}}
    """, (
        Send(f"/jwt-query?a=1&access_token={hs()}&b=2", upstream="a", seen_query="a=1&b=2"),
        refused("/jwt-query?access_token=x.y.z", None, 'Bearer realm="gatewayc", error="invalid_token"'),
        refused("/jwt-query", bearer(hs()), 'Bearer realm="gatewayc"'),  # not where this route looks
        Send("/jwt-cookie", {"Cookie": f"a=1; session={hs()}"}, upstream="a",
             seen_headers={"cookie": pattern(r"a=1;?")}),  # only the token's cookie is removed
        refused("/jwt-cookie", {"Cookie": "session=x.y.z"}, 'Bearer realm="gatewayc", error="invalid_token"'),
    )),
    Case("jwt-rs256-es256", (*P, "auth.jwt.public_key"), """
        - name: jwt-pk
          match: {path: /jwt-pk}
          service: a
          policies:
            auth: {jwt: {algorithms: [RS256, ES256], jwks: {file: jwks.json}}}
    """, (
        Send("/jwt-pk", bearer(pyjwt.encode({"sub": "k", "exp": NOW + 6 * 3600}, RSA_KEY, algorithm="RS256",
                                            headers={"kid": "r1"})), upstream="a"),
        Send("/jwt-pk", bearer(pyjwt.encode({"sub": "k", "exp": NOW + 6 * 3600}, EC_KEY, algorithm="ES256",
                                            headers={"kid": "e1"})), upstream="a"),
        refused("/jwt-pk", bearer(pyjwt.encode({"sub": "k", "exp": NOW + 6 * 3600}, OTHER_RSA, algorithm="RS256",
                                               headers={"kid": "r1"})),
                'Bearer realm="gatewayc", error="invalid_token"'),
        refused("/jwt-pk", bearer(pyjwt.encode({"sub": "k", "exp": NOW - 60}, RSA_KEY, algorithm="RS256",
                                               headers={"kid": "r1"})),
                'Bearer realm="gatewayc", error="invalid_token"'),
        refused("/jwt-pk", bearer(hs()), 'Bearer realm="gatewayc", error="invalid_token"'),  # HS with an RS key set
    )),
    Case("api-key-header", (*P, "auth.api_key"), """
        - name: key-header
          match: {path: /key-header}
          service: a
          policies:
            auth: {api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}}
    """, (
        Send("/key-header", {"X-Api-Key": "k1-secret"}, upstream="a", seen_headers={"x-api-key": "k1-secret"}),
        Send("/key-header", {"X-Api-Key": "k2-secret"}, upstream="a"),
        refused("/key-header", {"X-Api-Key": "k3-secret"}, KEY),
        refused("/key-header", {"X-Api-Key": ""}, KEY),
        refused("/key-header", None, KEY),
    )),
    Case("api-key-query-hidden", (*P, "auth.api_key"), """
        - name: key-query
          match: {path: /key-query}
          service: a
          policies:
            auth: {api_key: {query: apikey, keys: {env: GWC_KEYS}, hide_credentials: true}}
    """, (
        Send("/key-query?x=1&apikey=k1-secret", upstream="a", seen_query="x=1"),
        refused("/key-query?apikey=nope", None, KEY),
    )),
    Case("basic-from-env", (*P, "auth.basic"), """
        - name: basic-env
          match: {path: /basic-env}
          service: a
          policies:
            auth: {basic: {credentials: {env: GWC_BASIC}}}
    """, (
        Send("/basic-env", basic("bob", "builder"), upstream="a"),
        Send("/basic-env", basic("carol", "pass:with:colons"), upstream="a"),
        refused("/basic-env", basic("bob", "nope"), BASIC),
        refused("/basic-env", basic("bob", "pass:with:colons"), BASIC),
        refused("/basic-env", None, BASIC),
    )),
    Case("basic-from-htpasswd-file", (*P, "auth.basic"), """
        - name: basic-file
          match: {path: /basic-file}
          service: a
          policies:
            auth: {basic: {credentials: {file: __DIR__/users.htpasswd}, realm: Admin, hide_credentials: true}}
    """, (
        Send("/basic-file", basic("alice", "wonderland"), upstream="a", seen_headers={"authorization": None}),
        refused("/basic-file", basic("alice", "nope"), 'Basic realm="Admin", charset="UTF-8"'),
    )),
    Case("any-of-jwt-or-key", (*HMAC, "auth.api_key", "auth.any_of"), """
        - name: any-of
          match: {path: /any-of}
          service: a
          policies:
            auth:
              any_of:
                - jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}}
                - api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}
    """, (
        Send("/any-of", bearer(hs()), upstream="a"),
        Send("/any-of", {"X-Api-Key": "k2-secret"}, upstream="a"),
        refused("/any-of", None, 'Bearer realm="gatewayc"', KEY),
        refused("/any-of", {**bearer(EXPIRED), "X-Api-Key": "wrong"},
                'Bearer realm="gatewayc", error="invalid_token"', KEY),
    )),
    Case("failure-status-and-body", (*P, "auth.api_key"), """
        - name: key-403
          match: {path: /key-403}
          service: a
          policies:
            auth: {api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}, failure: {status: 403}}
        - name: key-body
          match: {path: /key-body}
          service: a
          policies:
            auth: {api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}, failure: {body: {error: Send a key}}}
    """, (
        answer("/key-403", 403, reply_headers={"www-authenticate": None}),
        Send("/key-body", status=401, upstream=None, json={"error": "Send a key"},
             reply_headers={"content-type": "application/json", "www-authenticate": KEY}),
    )),
    Case("body-limit-on-auth-route", (*P, "auth.basic", "body_limit"), """
        - name: auth-small
          match: {path: /auth-small}
          service: a
          policies:
            auth: {basic: {credentials: {env: GWC_BASIC}}}
            body_limit: 1KB
    """, (
        Send("/auth-small", basic("bob", "builder"), method="POST", body="x" * 1024, upstream="a",
             seen_body="x" * 1024),
        answer("/auth-small", 413, basic("bob", "builder"), method="POST", body="x" * 1025),
    )),
    Case("no-body-limit-on-auth-route", (*P, "auth.basic"), """
        - name: auth-big
          match: {path: /auth-big}
          service: a
          policies:
            auth: {basic: {credentials: {env: GWC_BASIC}}}
    """, (
        # no limit by default, also not in the auth step (nginx's own 1m never applies)
        Send("/auth-big", basic("bob", "builder"), method="POST", body="y" * (2 << 20), upstream="a"),
    )),
)

GROUPS = (Group("auth", ("a",), """
    a: {url: __A__}
""", CASES, env={"GWC_JWT_SECRET": SECRET, "GWC_KEYS": "k1-secret,k2-secret",
                 "GWC_BASIC": "bob:builder,carol:pass:with:colons"},
    files={"jwks.json": _jwks(), "users.htpasswd": HTPASSWD}),)
