"""Rate limits per scope (M1: one budget per key value per route, service or gateway), keys,
and the 429 the gateway makes (Retry-After, M2)."""
from __future__ import annotations

from cases_common import answer
from table_model import Case, Group, Send

P = ("routing.path.prefix",)
BUCKET = (*P, "rate_limit.token_bucket")


def over(path: str, retry_after: str, headers: dict | None = None) -> Send:
    """Refused by a limit: the default 429, and when to try again (per / requests, rounded up)."""
    return answer(path, 429, headers, reply_headers={"retry-after": retry_after})


CASES = (
    Case("route-scope", BUCKET, """
        - {name: rl-a, match: {path: /rl-a}, service: a, policies: {rate_limit: {requests: 2, per: 1m}}}
        - {name: rl-b, match: {path: /rl-b}, service: a, policies: {rate_limit: {requests: 2, per: 1m}}}
    """, (
        Send("/rl-a", upstream="a"), Send("/rl-a", upstream="a"), over("/rl-a", "30"),
        Send("/rl-b", upstream="a"), Send("/rl-b", upstream="a"), over("/rl-b", "30"),  # each its own
    )),
    Case("service-scope", BUCKET, """
        - {name: sv-a, match: {path: /sv-a}, service: limited}
        - {name: sv-b, match: {path: /sv-b}, service: limited}
        - {name: sv-off, match: {path: /sv-off}, service: limited, policies: {rate_limit: false}}
        - {name: sv-other, match: {path: /sv-other}, service: limited-too}
    """, (
        Send("/sv-a", upstream="a"), Send("/sv-b", upstream="a"), Send("/sv-a", upstream="a"),
        over("/sv-b", "20"), over("/sv-a", "20"),  # the routes to the service share one budget
        *[Send("/sv-off", upstream="a") for _ in range(4)],  # outside the budget
        *[Send("/sv-other", upstream="a") for _ in range(3)], over("/sv-other", "20"),  # another service's
    ), services="""
        limited: {url: __A__, policies: {rate_limit: {requests: 3, per: 1m}}}
        limited-too: {url: __A__, policies: {rate_limit: {requests: 3, per: 1m}}}
    """),
    Case("narrowed-service-limit", BUCKET, """
        - {name: nr-a, match: {path: /nr-a}, service: narrowed}
        - {name: nr-b, match: {path: /nr-b}, service: narrowed}
    """, (
        Send("/nr-a", upstream="a"), over("/nr-a", "60"),
        Send("/nr-b", upstream="a"), over("/nr-b", "60"),  # scope: route narrows the service's limit
    ), services="""
        narrowed: {url: __A__, policies: {rate_limit: {requests: 1, per: 1m, scope: route}}}
    """),
    Case("named-set-counts-per-route", BUCKET, """
        - {name: ns-a, match: {path: /ns-a}, service: a, policies: {use: [two-a-minute]}}
        - {name: ns-b, match: {path: /ns-b}, service: a, policies: {use: [two-a-minute]}}
    """, (
        # a named set's limit counts at the level of the block that uses it: here each route's own
        Send("/ns-a", upstream="a"), Send("/ns-a", upstream="a"), over("/ns-a", "30"),
        Send("/ns-b", upstream="a"), Send("/ns-b", upstream="a"), over("/ns-b", "30"),
    ), policies="""
        two-a-minute: {rate_limit: {requests: 2, per: 1m}}
    """),
    Case("header-key", (*BUCKET, "rate_limit.key.header"), """
        - name: by-header
          match: {path: /by-header}
          service: a
          policies: {rate_limit: {requests: 1, per: 1m, key: {header: X-Client}}}
    """, (
        Send("/by-header", {"X-Client": "one"}, upstream="a"),
        over("/by-header", "60", {"X-Client": "one"}),
        Send("/by-header", {"X-Client": "two"}, upstream="a"),
        Send("/by-header", upstream="a"),
        over("/by-header", "60"),  # without the header: the empty value's one budget
        over("/by-header", "60", {"X-Client": ""}),
    )),
    Case("fixed-window-status-and-body", (*P, "rate_limit.fixed_window"), """
        - name: fw
          match: {path: /fw}
          service: a
          policies:
            rate_limit: {requests: 2, per: 10s, algorithm: fixed_window, status: 503, body: {msg: slow down}}
    """, (
        Send("/fw", upstream="a"), Send("/fw", upstream="a"),
        Send("/fw", status=503, upstream=None, json={"msg": "slow down"},
             reply_headers={"retry-after": "5", "content-type": "application/json"}),
    )),
)

GATEWAY_CASES = (
    Case("gateway-scope", BUCKET, """
        - {name: gw-a, match: {path: /gw-a}, service: a}
        - {name: gw-b, match: {path: /gw-b}, service: b}
        - {name: gw-own, match: {path: /gw-own}, service: a, policies: {rate_limit: {requests: 1, per: 1m}}}
        - {name: gw-off, match: {path: /gw-off}, service: a, policies: {rate_limit: false}}
    """, (
        # one budget across every route that inherits the gateway's limit, whatever the service
        Send("/gw-a", upstream="a"), Send("/gw-b", upstream="b"), Send("/gw-a", upstream="a"),
        over("/gw-b", "20"), over("/gw-a", "20"),
        Send("/gw-own", upstream="a"), over("/gw-own", "60"),  # its own limit counts alone
        *[Send("/gw-off", upstream="a") for _ in range(4)],
    )),
)

ROUTE_SCOPED_CASES = (
    Case("gateway-limit-scoped-to-routes", P, """
        - {name: gr-a, match: {path: /gr-a}, service: a}
        - {name: gr-b, match: {path: /gr-b}, service: a}
    """, (
        Send("/gr-a", upstream="a"), Send("/gr-a", upstream="a"), over("/gr-a", "30"),
        Send("/gr-b", upstream="a"), Send("/gr-b", upstream="a"), over("/gr-b", "30"),
    )),
)

SERVICES = """
    a: {url: __A__}
    b: {url: __B__}
"""
GROUPS = (
    Group("limits", ("a",), "    a: {url: __A__}\n", CASES),
    Group("limits-gateway", ("a", "b"), SERVICES, GATEWAY_CASES, gateway="""
        policies:
          rate_limit: {requests: 3, per: 1m}
    """, features=("rate_limit.token_bucket",)),
    Group("limits-gateway-route-scope", ("a",), "    a: {url: __A__}\n", ROUTE_SCOPED_CASES, gateway="""
        policies:
          rate_limit: {requests: 2, per: 1m, scope: route}
    """, features=("rate_limit.token_bucket",)),
)
