"""Cache, CORS (preflights and the headers on answers the gateway makes), IP filter and body
limits (docs/spec.md section 13)."""
from __future__ import annotations

from cases_common import answer
from table_model import Case, Group, Mark, Send, Until, Wait, pattern

P = ("routing.path.prefix",)
APP = "https://app.example.com"
PREVIEW = "https://a.b.preview.example.com"
CORS_POLICY = """cors: {origins: ["https://app.example.com", "https://*.preview.example.com"], methods: [GET, POST],
                 headers: [Authorization, X-Custom], max_age: 10m}"""


def preflight(path: str, origin: str, method: str = "POST", **kw) -> Send:
    return Send(path, {"Origin": origin, "Access-Control-Request-Method": method}, method="OPTIONS",
                status=(200, 204), upstream=None, **kw)


CASES = (
    Case("cache", (*P, "cache"), """
        - {name: cached, match: {path: /cached}, service: a, policies: {cache: {ttl: 2s}}}
    """, (
        Send("/cached", upstream="a"),
        Until(Send("/cached", upstream="a", hits={"a": 0}), within=3.0),  # answered from the cache
        Send("/cached", upstream="a", hits={"a": 0}),
        Mark(),
        Send("/cached?page=2", upstream="a", seen_query="page=2", hits={"a": 1}),  # the query is in the key
        Send("/cached", method="POST", body="x", upstream="a", seen_body="x", hits={"a": 1}),  # never cached
        Wait(1.0),
        Send("/cached", upstream="a", hits={"a": 0}),
        # the entry expires after the ttl (nginx counts whole seconds: up to one more)
        Until(Send("/cached", upstream="a", hits={"a": 1}), within=3.2),
    )),
    Case("cors-preflight", (*P, "cors"), f"""
        - name: cors
          match: {{path: /cors}}
          service: a
          policies:
            {CORS_POLICY}
    """, (
        preflight("/cors", APP, reply_headers={
            "access-control-allow-origin": APP, "access-control-allow-methods": pattern(r"GET, ?POST"),
            "access-control-max-age": "600"}),
        preflight("/cors", PREVIEW, reply_headers={"access-control-allow-origin": PREVIEW}),
        Send("/cors", {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET",
                       "Access-Control-Request-Headers": "x-custom"}, method="OPTIONS", status=(200, 204),
             upstream=None, reply_headers={"access-control-allow-headers": pattern(r"(?i).*x-custom.*")}),
        Send("/cors", {"Origin": APP}, upstream="a", reply_headers={"access-control-allow-origin": APP}),
        Send("/cors", {"Origin": "https://evil.example.com"}, upstream="a",
             reply_headers={"access-control-allow-origin": None}),
        Send("/cors", {"Origin": "https://preview.example.com"}, upstream="a",
             reply_headers={"access-control-allow-origin": None}),  # a wildcard needs a label of its own
    )),
    Case("cors-any-method-and-header", (*P, "cors"), """
        - name: cors-any
          match: {path: /cors-any}
          service: a
          policies:
            cors: {origins: ["*"], methods: ["*"], headers: ["*"]}
    """, (
        # "any" allows what the browser asks for, Authorization included (M6)
        Send("/cors-any", {"Origin": "https://x.example", "Access-Control-Request-Method": "PATCH",
                           "Access-Control-Request-Headers": "authorization,x-thing"}, method="OPTIONS",
             status=(200, 204), upstream=None,
             reply_headers={"access-control-allow-origin": pattern(r"\*|https://x\.example"),
                            "access-control-allow-methods": pattern(r"(?i).*PATCH.*"),
                            "access-control-allow-headers": pattern(r"(?i)(?=.*authorization)(?=.*x-thing).*")}),
        Send("/cors-any", {"Origin": "https://x.example"}, upstream="a",
             reply_headers={"access-control-allow-origin": pattern(r"\*|https://x\.example")}),
    )),
    Case("cors-on-gateway-answers", (*P, "cors", "auth.api_key", "rate_limit.token_bucket"), f"""
        - name: cors-auth
          match: {{path: /cors-auth}}
          service: a
          policies:
            auth: {{api_key: {{header: X-Api-Key, keys: {{env: GWC_KEYS}}}}}}
            {CORS_POLICY}
        - name: cors-limited
          match: {{path: /cors-limited}}
          service: a
          policies:
            rate_limit: {{requests: 1, per: 1m}}
            {CORS_POLICY}
    """, (
        answer("/cors-auth", 401, {"Origin": APP}, reply_headers={"access-control-allow-origin": APP}),
        Send("/cors-limited", {"Origin": APP}, upstream="a"),
        answer("/cors-limited", 429, {"Origin": APP}, reply_headers={"access-control-allow-origin": APP}),
    )),
    Case("ip-filter", (*P, "ip_filter"), """
        - {name: ip-denied, match: {path: /ip-denied}, service: a, policies: {ip: {deny: [127.0.0.0/8]}}}
        - {name: ip-allowed, match: {path: /ip-allowed}, service: a, policies: {ip: {allow: [127.0.0.0/8]}}}
        - {name: ip-elsewhere, match: {path: /ip-elsewhere}, service: a, policies: {ip: {allow: [10.0.0.0/8]}}}
        - name: ip-deny-wins
          match: {path: /ip-deny-wins}
          service: a
          policies: {ip: {allow: [127.0.0.0/8], deny: [127.0.0.1]}}
        - name: ip-deny-other
          match: {path: /ip-deny-other}
          service: a
          policies: {ip: {allow: [127.0.0.0/8], deny: [10.0.0.0/8]}}
    """, (
        answer("/ip-denied", 403),
        Send("/ip-allowed", upstream="a"),
        answer("/ip-elsewhere", 403),
        answer("/ip-deny-wins", 403),
        Send("/ip-deny-other", upstream="a"),
        # the address the connection comes from counts, never a header the client sends
        answer("/ip-denied", 403, {"X-Forwarded-For": "10.1.2.3", "X-Real-IP": "10.1.2.3"}),
    )),
    Case("body-limit", (*P, "body_limit"), """
        - {name: small, match: {path: /small}, service: a, policies: {body_limit: 16}}
    """, (
        Send("/small", method="POST", body="x" * 16, upstream="a", seen_body="x" * 16),
        answer("/small", 413, method="POST", body="x" * 17),
        answer("/small", 413, method="PUT", body="x" * 5000),
        # a streamed body is refused once it passes the limit
        Send("/small", method="POST", body="y" * 16, chunked=True, upstream="a", seen_body="y" * 16),
        answer("/small", 413, method="POST", body="y" * 17, chunked=True),
        answer("/small", 413, method="POST", body="y" * 100_000, chunked=True),
    )),
    Case("body-limit-zero", (*P, "body_limit"), """
        - {name: no-body, match: {path: /no-body}, service: a, policies: {body_limit: 0}}
    """, (
        Send("/no-body", method="POST", body="", upstream="a"),
        answer("/no-body", 413, method="POST", body="x"),
    )),
    Case("no-body-limit-by-default", P, """
        - {name: big, match: {path: /big}, service: a}
    """, (
        Send("/big", method="POST", body="z" * (3 << 20), upstream="a"),  # nginx's own 1m never applies
    )),
)

GROUPS = (Group("policies", ("a",), "    a: {url: __A__}\n", CASES, env={"GWC_KEYS": "k1-secret"}),)
