"""Answers the NGINX build keeps instead of working them out again for every route (issue 15,
build speed) are the ones it would work out: the catch-all statuses of a route, the names
Context gives variables and upstreams."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.backends.nginx import answers
from gatewayc.backends.nginx.context import Context, _slug, digest, stable_name
from gatewayc.ir import model as ir

_STATUS = st.integers(100, 650)


def _route(validation: int | None, concurrency: int | None) -> ir.Route:
    policies = ir.Policies(
        validation=None if validation is None else ir.Validation(None, (), (), validation),
        concurrency_limit=None if concurrency is None else ir.ConcurrencyLimit(1, None, concurrency))
    return ir.Route("r", (), (), ir.Respond(200, None), policies, 0)


@settings(max_examples=500, deadline=None)
@given(st.none() | _STATUS, st.none() | _STATUS)
def test_catch_statuses_as_worked_out(validation, concurrency):
    extra = {s for s in (validation, concurrency) if s is not None}
    simple = sorted(set(answers.STATUSES) | {s for s in extra if 400 <= s <= 599})
    assert answers._catch_statuses(_route(validation, concurrency)) == simple
    assert answers._catch_statuses(_route(validation, concurrency)) == simple  # asked again: the kept answer
    assert answers._catch_statuses(None) == sorted(answers.STATUSES)


_PART = st.text(max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PART, min_size=1, max_size=3), min_size=1, max_size=8))
def test_names_as_worked_out(asked):
    """The same names, asked once or several times, in any order, by one build."""
    ctx = Context(ir.IR((), (), "spec.yml"), ())
    for parts in [*asked, *reversed(asked)]:
        assert ctx.var(*parts) == "$" + stable_name("gwc", *parts)
        service = ir.Service(parts[0], (), ir.Timeouts(), None, None, None)
        assert ctx.upstream_name(service) == f"u_{_slug(parts[0])}_{digest(parts[0])}"
