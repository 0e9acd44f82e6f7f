"""The answers the gateway makes itself (M2): one JSON shape, `Content-Type: application/json`,
`Cache-Control: no-store`, and the CORS and gateway-wide response headers on each of them,
also on a 404 that matched no route; `respond` answers as written."""
from __future__ import annotations

from cases_common import answer
from table_model import Case, Group, Send, Upstream

P = ("routing.path.prefix",)
APP = "https://app.example.com"
EXTRA = {"access-control-allow-origin": APP, "x-gateway": "gwc", "cache-control": "no-store"}


def made(path: str, status: int, headers: dict | None = None, **kw) -> Send:
    """A gateway-made answer to a browser request from APP, with every header M2 adds."""
    reply = {**EXTRA, **kw.pop("reply_headers", {})}
    return answer(path, status, {"Origin": APP, **(headers or {})}, reply_headers=reply, **kw)


CASES = (
    Case("not-found", (), "", (
        made("/nowhere", 404),
        made("/nowhere", 404, method="POST", body="x"),
    )),
    Case("unauthorized", (*P, "auth.api_key"), """
        - {name: an-auth, match: {path: /an-auth}, service: a, policies: {auth: {api_key: {header: X-Key, keys: {env: GWC_KEYS}}}}}
    """, (
        made("/an-auth", 401, reply_headers={"www-authenticate": 'Key realm="gatewayc"'}),
    )),
    Case("forbidden", (*P, "ip_filter"), """
        - {name: an-ip, match: {path: /an-ip}, service: a, policies: {ip: {deny: [127.0.0.1]}}}
    """, (
        made("/an-ip", 403),
    )),
    Case("too-large", (*P, "body_limit"), """
        - {name: an-body, match: {path: /an-body}, service: a, policies: {body_limit: 8}}
    """, (
        made("/an-body", 413, method="POST", body="123456789"),
    )),
    Case("too-many", (*P, "rate_limit.token_bucket"), """
        - {name: an-limit, match: {path: /an-limit}, service: a, policies: {rate_limit: {requests: 1, per: 1m}}}
    """, (
        Send("/an-limit", upstream="a"),
        made("/an-limit", 429, reply_headers={"retry-after": "60"}),
    )),
    Case("bad-gateway", P, """
        - {name: an-down, match: {path: /an-down}, service: down}
    """, (
        made("/an-down", 502),
    ), services="""
        down: {url: __CLOSED__}
    """),
    Case("gateway-timeout", (*P, "upstream.timeouts"), """
        - {name: an-slow, match: {path: /an-slow}, service: slow}
    """, (
        Upstream("s", delay=1.0),
        made("/an-slow", 504, hits={"s": 1}),
    ), services="""
        slow: {url: __S__, timeouts: {read: 200ms}}
    """),
    Case("service-errors-pass-untouched", P, """
        - {name: an-upstream, match: {path: /an-upstream}, service: a}
    """, (
        Upstream("a", status=502),
        Send("/an-upstream", status=502, upstream="a", json={"server": "a", "error": "failing on purpose"}),
        Upstream("a", status=None, script=(500, 404)),
        Send("/an-upstream", status=500, upstream="a", json={"server": "a", "error": "failing on purpose"}),
        Send("/an-upstream", status=404, upstream="a", json={"server": "a", "error": "failing on purpose"}),
    )),
    Case("respond", ("routing.path.exact", "action.respond"), """
        - {name: an-teapot, match: {path: {exact: /an-teapot}}, respond: {status: 418, body: {msg: short and stout}}}
        - {name: an-gone, match: {path: {exact: /an-gone}}, respond: {status: 503}}
        - {name: an-empty, match: {path: {exact: /an-empty}}, respond: {status: 204}}
    """, (
        Send("/an-teapot", status=418, upstream=None, json={"msg": "short and stout"},
             reply_headers={"content-type": "application/json", "x-gateway": "gwc"}),
        # from 400 on without a body: the gateway's body for the status; no-store is not added to respond
        made("/an-gone", 503, reply_headers={"cache-control": None}),
        Send("/an-empty", status=204, upstream=None, reply_headers={"x-gateway": "gwc"}),
    )),
)

ERRORS_CASES = (
    Case("errors-per-status", P, """
        - {name: er-down, match: {path: /er-down}, service: down}
    """, (
        Send("/nowhere", status=404, upstream=None, json={"error": "No such endpoint"},
             reply_headers={"content-type": "application/json"}),
        Send("/er-down", status=502, upstream=None, json={"error": "The service is not available", "retry": True},
             reply_headers={"content-type": "application/json"}),
    ), services="""
        down: {url: __CLOSED__}
    """),
)

GROUPS = (
    Group("answers", ("a", "s"), "    a: {url: __A__}\n", CASES, gateway=f"""
        policies:
          cors: {{origins: ["{APP}"]}}
          response: {{headers: {{set: {{X-Gateway: gwc}}}}}}
    """, env={"GWC_KEYS": "k1-secret"}, features=("cors", "transform.response.headers")),
    Group("answers-errors", ("a",), "    a: {url: __A__}\n", ERRORS_CASES, gateway="""
        errors:
          404: {body: {error: No such endpoint}}
          502: {body: {error: The service is not available, retry: true}}
    """, features=("answers.errors",)),
)
