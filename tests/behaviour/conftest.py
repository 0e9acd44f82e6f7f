"""The behavioural table (table_*.py) run on every runnable gateway (adapter_*.py: one small
file per gateway, reusing that gateway's test harness under tests/<gateway>/).

Each (gateway, group) is built once and the gateway started once; the group's cases then run
in table order against it, and the gateway is stopped when the next group starts. At the end
of the run a per-gateway summary says how many cases passed, were skipped (the target refused
the case's feature, as its capability matrix says), failed or failed as expected, and how long
that gateway's part of the table took.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict

import pytest

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


class Table:
    """Keeps one group running at a time."""

    def __init__(self, tmp_path_factory) -> None:
        self.tmp, self.key, self.running = tmp_path_factory, None, None

    def get(self, adapter, group):
        from table_run import start_group

        key = (adapter.NAME, group.name)
        if key != self.key:
            self.close()
            self.key = key
            self.running = start_group(adapter, group, self.tmp.mktemp(f"{adapter.NAME}-{group.name}"))
        return self.running

    def close(self) -> None:
        if self.running is not None:
            self.running.stop()
        self.key = self.running = None


@pytest.fixture(scope="session")
def table(tmp_path_factory):
    t = Table(tmp_path_factory)
    yield t
    t.close()


# --- the per-gateway summary ------------------------------------------------------------------
_ID = re.compile(r"test_table\.py::test_case\[([a-z0-9]+):")
_OUTCOMES: dict[str, dict[str, str]] = defaultdict(dict)  # gateway -> test id -> outcome
_SECONDS: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    m = _ID.search(report.nodeid)
    if not m:
        return
    target = m.group(1)
    _SECONDS[target] += report.duration
    seen = _OUTCOMES[target]
    if hasattr(report, "wasxfail"):
        outcome = "xfail" if report.skipped else "xpass"
    elif report.failed:
        outcome = "fail"
    elif report.skipped:
        outcome = "skip"
    else:
        outcome = "pass" if report.when == "call" else None
    if outcome and seen.get(report.nodeid) not in ("fail", "xpass"):
        seen[report.nodeid] = outcome


def pytest_terminal_summary(terminalreporter):
    if not _OUTCOMES:
        return
    terminalreporter.section("behavioural table: per gateway")
    kinds = ("pass", "skip", "fail", "xfail", "xpass")
    for target in sorted(_OUTCOMES):
        counts = {k: sum(1 for o in _OUTCOMES[target].values() if o == k) for k in kinds}
        shown = ", ".join(f"{counts[k]} {k}" for k in kinds if counts[k] or k in ("pass", "skip", "fail"))
        terminalreporter.write_line(f"{target:10} {shown}  ({_SECONDS[target]:.1f}s)")
