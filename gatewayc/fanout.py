"""Run several targets' backends side by side, in forked processes, for `--target all` on a
large spec. The IR is built once in the parent; each child inherits it through fork (nothing
of it is copied or pickled) and sends back only its backend's output. Results are taken in
target order whatever order the children finish in, so the build stays byte-identical to
running the backends one after another.

Only on Linux (fork is the default start method there and inherits the parent as it is),
with more than one CPU available, and for a spec large enough that forking and sending
files back cost less than what runs side by side (docs/benchmarks.md, "--target all")."""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

# A spec with fewer routes builds every target in about a second or less: starting worker
# processes would cost more than it saves.
MIN_ROUTES = 2000

_jobs: Sequence[Callable[[], Any]] = ()


def workers(n_jobs: int, n_routes: int) -> int:
    """How many processes to run `n_jobs` backends in (1: in this process, one after another)."""
    if n_jobs < 2 or n_routes < MIN_ROUTES or sys.platform != "linux" or os.environ.get("GATEWAYC_SERIAL"):
        return 1
    return max(1, min(n_jobs, _cpus()))


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


def _run(i: int) -> Any:
    return _jobs[i]()


def run(jobs: Sequence[Callable[[], Any]], n: int, first: Sequence[int] = ()) -> list[Any]:
    """Each job's result, in the order of `jobs`. With n > 1 the jobs run in n forked
    processes, the ones listed in `first` (the longest) started first."""
    if n <= 1:
        return [job() for job in jobs]
    global _jobs
    order = [*first, *(i for i in range(len(jobs)) if i not in first)]
    _jobs = jobs
    try:
        pool = multiprocessing.get_context("fork").Pool(n)
        try:
            done = dict(zip(order, pool.map(_run, order, chunksize=1)))
        finally:
            pool.close()  # and wait for the workers, so that their CPU time is the parent's children's
            pool.join()
    finally:
        _jobs = ()
    return [done[i] for i in range(len(jobs))]
