"""Every case of the behavioural table on every runnable gateway (see conftest.py)."""
from __future__ import annotations

import pytest

from table_adapters import ADAPTERS
from table import TABLE
from table_run import run_case

PARAMS = [pytest.param(a, g, c, id=f"{a.NAME}:{g.name}:{c.name}") for a in ADAPTERS for g in TABLE for c in g.cases]


@pytest.mark.parametrize("adapter,group,case", PARAMS)
def test_case(table, request, adapter, group, case):
    if adapter.NAME in case.xfail:
        request.applymarker(pytest.mark.xfail(strict=True, reason=case.xfail[adapter.NAME]))
    run = table.get(adapter, group, case)
    if case.name in run.built.skipped:
        pytest.skip(run.built.skipped[case.name])
    if case.name in run.built.failed:
        pytest.fail(run.built.failed[case.name], pytrace=False)
    if run.failure:
        pytest.fail(run.failure, pytrace=False)
    for srv in run.upstreams.values():  # a case that failed half-way leaves no state behind
        srv.status, srv.script, srv.delay = None, [], 0.0
    run_case(run, case)
