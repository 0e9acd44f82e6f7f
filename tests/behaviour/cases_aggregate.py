"""Aggregation (docs/spec.md section 12): the merged body's shape and key order, a failing part
under each `on_failure`, a part over its timeout, what a part carries (the gateway's own
request: X-Forwarded-*, forwarded claims, never a client's claim header, M5) and
authentication before any part is called."""
from __future__ import annotations

from cases_auth import SECRET, bearer, hs, refused
from cases_common import JSON, answer
from table_model import ANY, Case, Group, Part, Send

AGG = ("aggregation", "routing.path.prefix")

CASES = (
    Case("aggregate-merges-parts", AGG, """
        - name: agg-ok
          match: {path: /agg-ok}
          aggregate:
            parts:
              - {key: user, service: based, path: /users/7}
              - {key: "we\\"ird ]] --", service: b, path: /orders}
    """, (
        Send("/agg-ok", host="h.test:{port}", reply_headers={"content-type": JSON}, hits={"a": 1, "b": 1},
             parts=(Part("user", "a", "/base/users/7",
                         {"x-forwarded-host": "h.test", "x-forwarded-proto": "http", "x-forwarded-for": ANY}),
                    Part('we"ird ]] --', "b", "/orders"))),
    )),
    Case("aggregate-on-failure", AGG, """
        - name: agg-null
          match: {path: /agg-null}
          aggregate:
            parts:
              - {key: ok, service: b, path: /fine}
              - {key: status, service: b, path: /fail}
              - {key: text, service: b, path: /notjson}
        - name: agg-omit
          match: {path: /agg-omit}
          aggregate:
            on_failure: omit
            parts:
              - {key: status, service: b, path: /fail}
              - {key: ok, service: b, path: /fine}
        - name: agg-fail
          match: {path: /agg-fail}
          aggregate:
            on_failure: fail
            parts:
              - {key: ok, service: b, path: /fine}
              - {key: status, service: b, path: /fail}
    """, (
        Send("/agg-null", parts=(Part("ok", "b", "/fine"), Part("status", None), Part("text", None))),
        Send("/agg-omit", parts=(Part("ok", "b", "/fine"),)),
        answer("/agg-fail", 502, hits={"b": 2}),
    )),
    Case("aggregate-part-timeout", AGG, """
        - name: agg-slow
          match: {path: /agg-slow}
          aggregate:
            parts:
              - {key: slow, service: b, path: /slow, timeout: 300ms}
              - {key: ok, service: b, path: /fine, timeout: 1s}
    """, (
        # the echo server holds /slow back 1.5 s: the part is null after its 300 ms
        Send("/agg-slow", parts=(Part("slow", None), Part("ok", "b", "/fine")), elapsed=(0.25, 1.2)),
    )),
    Case("aggregate-after-auth", (*AGG, "auth.jwt.hmac", "auth.jwt.forward_claims"), """
        - name: agg-auth
          match: {path: /agg-auth}
          policies:
            auth:
              jwt: {algorithms: [HS256], secret: {env: GWC_JWT_SECRET}, forward_claims: {sub: X-User-Id},
                    hide_credentials: true}
          aggregate:
            parts:
              - {key: me, service: b, path: /me}
        - name: agg-open
          match: {path: /agg-open}
          aggregate:
            parts:
              - {key: me, service: b, path: /me}
    """, (
        # no part is called for a refused request
        refused("/agg-auth", None, 'Bearer realm="gatewayc"'),
        Send("/agg-auth", {**bearer(hs()), "X-User-Id": "forged"}, hits={"b": 1},
             parts=(Part("me", "b", "/me", {"x-user-id": "u1", "authorization": None}),)),
        # a claim header is the gateway's on every route, parts included (M5)
        Send("/agg-open", {"X-User-Id": "forged"}, parts=(Part("me", "b", "/me", {"x-user-id": None}),)),
    )),
)

GROUPS = (Group("aggregate", ("a", "b"), """
    based: {url: __A__/base}
    b: {url: __B__}
""", CASES, env={"GWC_JWT_SECRET": SECRET}),)
