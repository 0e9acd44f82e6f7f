"""Services: mirrors (M6), weights, timeouts, retries and the circuit breaker (docs/spec.md section 7),
each on a service with one target as well as with several."""
from __future__ import annotations

from cases_common import answer
from table_model import Arrived, Case, Group, Mark, Send, Spread, Until, Upstream, Wait

P = ("routing.path.prefix",)
BREAKER = (*P, "upstream.circuit_breaker")

# Envoy takes a target out on its main thread and then tells its workers: a request sent in that
# moment still reaches the target (docs/targets/envoy.md). The table waits that moment out after
# the failure that opens a breaker; nothing is sent meanwhile, so no other gateway gains from it.
SETTLE = Wait(0.1)


def _open_fast(path: str) -> Send:
    """While the breaker is open: 503 at once, the service not contacted."""
    return answer(path, 503, elapsed=(0.0, 0.25))


CASES = (
    Case("mirror", (*P, "mirror"), """
        - {name: mirrored, match: {path: /mirrored}, service: mirrored, mirror: {service: copies}}
    """, (
        Send("/mirrored/x?q=1", upstream="m1", seen_path="/mirrored/x"),
        Arrived("m2", 1, path="/mirrored/x?q=1"),
        Upstream("m2", status=500),  # the mirror's answer never changes the client's
        Send("/mirrored/y", upstream="m1"),
        Arrived("m2", 2, path="/mirrored/y"),
    ), services="""
        mirrored: {url: __M1__}
        copies: {url: __M2__}
    """),
    Case("weights", (*P, "upstream.weighted"), """
        - {name: weighted, match: {path: /weighted}, service: weighted}
    """, (
        Spread("/weighted", 200, {"heavy": (0.62, 0.88), "light": (0.12, 0.38), "zero": (0.0, 0.0)}),
    ), services="""
        weighted:
          targets: [{url: __HEAVY__, weight: 3}, {url: __LIGHT__, weight: 1}, {url: __ZERO__, weight: 0}]
    """),
    Case("read-timeout", (*P, "upstream.timeouts"), """
        - {name: read-timeout, match: {path: /read-timeout}, service: slow-read}
    """, (
        Upstream("t1", delay=1.0),
        answer("/read-timeout", 504, hits={"t1": 1}, elapsed=(0.25, 0.95)),
        Upstream("t1", delay=0.0),
        Send("/read-timeout", upstream="t1"),
    ), services="""
        slow-read: {url: __T1__, timeouts: {read: 300ms}}
    """),
    Case("request-timeout", (*P, "upstream.request_timeout"), """
        - {name: request-timeout, match: {path: /request-timeout}, service: slow-request}
    """, (
        Upstream("t2", delay=1.5),
        answer("/request-timeout", 504, hits={"t2": 1}, elapsed=(0.45, 1.3)),
    ), services="""
        slow-request: {url: __T2__, timeouts: {request: 500ms}}
    """),
    Case("per-try-timeout-with-retries", (*P, "upstream.per_try_timeout", "upstream.request_timeout",
                                          "upstream.retry"), """
        - {name: per-try, match: {path: /per-try}, service: per-try}
    """, (
        Upstream("t3", delay=1.0),
        answer("/per-try", 504, hits={"t3": 2}, elapsed=(0.55, 1.9)),
        Upstream("t3", delay=0.0),
        Send("/per-try", upstream="t3", hits={"t3": 1}),
    ), services="""
        per-try:
          url: __T3__
          timeouts: {per_try: 300ms, request: 3s}
          retries: {attempts: 2, on_timeout: true}
    """),
    Case("unreachable-service", P, """
        - {name: unreachable, match: {path: /unreachable}, service: unreachable}
    """, (
        answer("/unreachable", 502),
    ), services="""
        unreachable: {url: __CLOSED__}
    """),
    Case("retries-one-target", (*P, "upstream.retry"), """
        - {name: retried, match: {path: /retried}, service: retried}
    """, (
        Upstream("r1", script=(503, 503)),
        Send("/retried/x", upstream="r1", seen_path="/retried/x", hits={"r1": 3}),  # the third try
        Upstream("r1", script=(503, 503, 503, 503)),
        # never a fourth try; the service's own answer is passed on
        Send("/retried/x", status=503, upstream="r1", hits={"r1": 3},
             json={"server": "r1", "error": "failing on purpose"}),
        Upstream("r1", script=(503,)),
        Send("/retried/x", method="POST", body="once", status=503, upstream="r1", hits={"r1": 1}),
    ), services="""
        retried: {url: __R1__, retries: {attempts: 3, statuses: [503]}}
    """),
    Case("retries-non-idempotent", (*P, "upstream.retry"), """
        - {name: retried-post, match: {path: /retried-post}, service: retried-post}
    """, (
        Upstream("r4", script=(502,)),
        Send("/retried-post", method="POST", body="again", upstream="r4", seen_body="again", hits={"r4": 2}),
    ), services="""
        retried-post: {url: __R4__, retries: {attempts: 2, non_idempotent: true}}
    """),
    Case("retries-two-targets", (*P, "upstream.retry", "upstream.weighted"), """
        - {name: retried-pair, match: {path: /retried-pair}, service: retried-pair}
    """, (
        Upstream("r2a", status=503),  # one target down: every request still succeeds on the other
        *[Send("/retried-pair", upstream="r2b") for _ in range(8)],
    ), services="""
        retried-pair:
          targets: [{url: __R2A__}, {url: __R2B__}]
          retries: {attempts: 3, statuses: [503]}
    """),
    Case("retries-on-connect-failure", (*P, "upstream.retry", "upstream.weighted"), """
        - {name: retried-closed, match: {path: /retried-closed}, service: retried-closed}
    """, (
        *[Send("/retried-closed", upstream="r3") for _ in range(6)],
    ), services="""
        retried-closed:
          targets: [{url: __CLOSED__}, {url: __R3__}]
          retries: {attempts: 2}
    """),
    Case("breaker-one-target-timeouts", (*BREAKER, "upstream.timeouts"), """
        - {name: breaker-timeouts, match: {path: /breaker-timeouts}, service: breaker-timeouts}
    """, (
        Send("/breaker-timeouts", upstream="b1"),
        Upstream("b1", delay=1.0),
        answer("/breaker-timeouts", 504, hits={"b1": 1}),
        answer("/breaker-timeouts", 504, hits={"b1": 1}),
        SETTLE,
        Mark(),
        _open_fast("/breaker-timeouts"),
        Upstream("b1", delay=0.0),
        _open_fast("/breaker-timeouts"),  # healthy again, but still open
        Until(Send("/breaker-timeouts", upstream="b1"), within=6.0, after=1.5),
        *[Send("/breaker-timeouts", upstream="b1") for _ in range(3)],
    ), services="""
        breaker-timeouts:
          url: __B1__
          timeouts: {read: 300ms}
          # timeouts only (failure statuses without retries: nginx refuses, see below)
          circuit_breaker: {consecutive_failures: 2, open_for: 2s, failure_statuses: []}
    """),
    # nginx counts a failure status only on a try it retries: it refuses a breaker on statuses
    # without retries (GWC310), so the two cases below are skipped there, on one target and two
    Case("breaker-one-target-statuses", BREAKER, """
        - {name: breaker-statuses, match: {path: /breaker-statuses}, service: breaker-statuses}
    """, (
        Send("/breaker-statuses", upstream="b2"),
        Upstream("b2", status=500),
        Send("/breaker-statuses", status=500, upstream="b2"),
        Send("/breaker-statuses", status=500, upstream="b2"),
        SETTLE,
        Mark(),
        _open_fast("/breaker-statuses"),
        Upstream("b2", status=None),
        _open_fast("/breaker-statuses"),
        Until(Send("/breaker-statuses", upstream="b2"), within=6.0, after=1.5),
    ), services="""
        breaker-statuses:
          url: __B2__
          circuit_breaker: {consecutive_failures: 2, open_for: 2s}
    """),
    Case("breaker-with-retries-one-target", (*BREAKER, "upstream.timeouts", "upstream.retry"), """
        - {name: breaker-retried, match: {path: /breaker-retried}, service: breaker-retried}
    """, (
        Upstream("b3", delay=1.0),
        answer("/breaker-retried", 504, hits={"b3": 2}),  # two failed tries: the breaker opens
        SETTLE,
        Mark(),
        _open_fast("/breaker-retried"),
        Upstream("b3", delay=0.0),
        Until(Send("/breaker-retried", upstream="b3"), within=6.0, after=1.5),
    ), services="""
        breaker-retried:
          url: __B3__
          timeouts: {read: 300ms}
          retries: {attempts: 2, on_timeout: true}
          circuit_breaker: {consecutive_failures: 2, open_for: 2s, failure_statuses: []}
    """),
    Case("breaker-two-targets", (*BREAKER, "upstream.weighted"), """
        - {name: breaker-pair, match: {path: /breaker-pair}, service: breaker-pair}
    """, (
        Upstream("b4bad", status=500),
        # 8, not 4: Envoy's two workers balance on their own, so 4 requests may give the failing
        # target only one; 8 give it at least 2 (the threshold) on any split between workers
        *[Send("/breaker-pair", status=(200, 500)) for _ in range(8)],
        SETTLE,
        Mark(),
        # the failing target is out: everything goes to the other one
        *[Send("/breaker-pair", upstream="b4good", hits={"b4bad": 0}) for _ in range(6)],
        Upstream("b4bad", status=None),
        Until(Send("/breaker-pair", upstream="b4bad"), within=6.0, after=1.5),
    ), services="""
        breaker-pair:
          targets: [{url: __B4BAD__}, {url: __B4GOOD__}]
          circuit_breaker: {consecutive_failures: 2, open_for: 2s}
    """),
)

GROUPS = (Group("upstreams", ("m1", "m2", "heavy", "light", "zero", "t1", "t2", "t3", "r1", "r2a", "r2b", "r3", "r4",
                              "b1", "b2", "b3", "b4bad", "b4good"), "", CASES),)
