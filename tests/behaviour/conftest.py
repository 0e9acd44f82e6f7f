"""The behavioural table (cases_*.py, collected in table.py) run on every runnable gateway
(adapter_<gateway>.py: one small file per gateway, reusing that gateway's test harness under
tests/<gateway>/; table_adapters.py finds them).

Each (gateway, group) is built once with gatewayc's build library and the gateway started
once; the group's cases then run in table order against it, and the gateway is stopped when
the next group starts. A case is skipped on a gateway only when that gateway's build refuses
the case's own fragment with a capability error for a feature the case declares and the
gateway's capability matrix does not claim in full (table_build.py); a gateway that builds a
case must pass it. A known bug is an `xfail` entry on the case naming the bug (strict: the fix
must remove it). At the end of the run a per-gateway summary says how many cases passed, were
skipped, failed or failed as expected, and how long that gateway's part of the table took.

Adding a case: a `Case` in the cases_*.py of its area (table_model.py has the vocabulary);
test_table_marks.py checks that its features are exactly those its fragment uses. Adding a
gateway: adapter_<gateway>.py with `NAME` and `start(work, out_dir, port, env)` returning an
object with `.port`, `.request(method, path, headers, body, host)` and `.stop()`.
"""
from __future__ import annotations

import dataclasses
import os
import re
from collections import defaultdict

import pytest

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")


class Table:
    """Keeps one group running at a time. When a group's gateway does not start on its build,
    each of its cases is then built and started alone, so that only the cases whose fragment
    the gateway rejects fail."""

    def __init__(self, tmp_path_factory) -> None:
        self.tmp, self.key, self.running = tmp_path_factory, None, None
        self.broken: set[tuple[str, str]] = set()

    def get(self, adapter, group, case):
        key = (adapter.NAME, group.name)
        if key not in self.broken:
            run = self._start(key, adapter, group)
            if not (run.start_failed and len(run.built.cases) > 1):
                return run
            self.broken.add(key)
        return self._start((*key, case.name), adapter, dataclasses.replace(group, cases=(case,)))

    def _start(self, key, adapter, group):
        from table_run import start_group

        if key != self.key:
            self.close()
            self.key = key
            self.running = start_group(adapter, group, self.tmp.mktemp("-".join(key)))
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
