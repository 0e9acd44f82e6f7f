"""Run several targets' backends side by side, in this process and forked ones, for
`--target all` on a large spec. The IR is built once in the parent; each child inherits it
through fork (nothing of it is copied or pickled) and sends back only its backends' outputs.
Results are taken in target order whatever order they finish in, so the build stays
byte-identical to running the backends one after another.

Only on Linux (fork is the default start method there and inherits the parent as it is),
with more than one CPU available, and for a spec large enough that forking and sending
files back cost less than what runs side by side (docs/benchmarks.md, "--target all")."""
from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

# A spec with fewer routes builds every target in about a second or less: starting worker
# processes would cost more than it saves.
MIN_ROUTES = 2000

_jobs: Sequence[Callable[[], Any]] = ()
_order: Sequence[int] = ()
_next: Any = None  # a shared counter: the position in _order of the next job to take


def workers(n_jobs: int, n_routes: int) -> int:
    """How many processes to run `n_jobs` backends in (1: in this process, one after another)."""
    if n_jobs < 2 or n_routes < MIN_ROUTES or sys.platform != "linux" or os.environ.get("GATEWAYC_SERIAL"):
        return 1
    return max(1, min(n_jobs, _cpus()))


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


def _claim() -> int | None:
    """The next job no process has taken yet, taken now."""
    with _next.get_lock():
        k = _next.value
        _next.value = k + 1
    return _order[k] if k < len(_order) else None


def _take(done: Callable[[int, Any], None], i: int | None = None) -> None:
    """Run job `i`, if given, then every job not yet taken by any process, until none is left."""
    if i is None:
        i = _claim()
    while i is not None:
        done(i, _jobs[i]())
        i = _claim()


def _child(out: BinaryIO) -> None:
    try:
        _take(lambda i, result: pickle.dump((True, i, result), out, pickle.HIGHEST_PROTOCOL))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            pickle.dump((False, -1, exc), out, pickle.HIGHEST_PROTOCOL)
        except Exception as unsent:  # noqa: BLE001 - an exception that does not pickle
            pickle.dump((False, -1, RuntimeError(f"a backend failed: {exc!r} ({unsent!r})")), out)
    out.flush()


def run(jobs: Sequence[Callable[[], Any]], n: int, first: Sequence[int] = ()) -> list[Any]:
    """Each job's result, in the order of `jobs`. With n > 1 the jobs run in n processes, this
    one and n - 1 forked ones, each taking the next job as it becomes free; the ones listed in
    `first` (the longest) are taken first, this process taking the very first. This process
    works too rather than wait: its jobs cost no fork, no copy-on-write of the pages they
    touch and no sending back.

    A child writes its results into an in-memory file that this process reads once the child
    has ended. Through a pipe, the child would wait for this process to read while it could
    take the next job, or a reader thread here would fight this process's jobs for the GIL
    once per 64 KB (nginx's output is 20 MB at 10k routes). Plain processes, not a Pool,
    whose handler threads poll (up to 0.1 s more at the end)."""
    if n <= 1:
        return [job() for job in jobs]
    global _jobs, _order, _next
    ctx = multiprocessing.get_context("fork")
    _jobs, _order, _next = jobs, [*first, *(i for i in range(len(jobs)) if i not in first)], ctx.Value("i", 0)
    done: dict[int, Any] = {}
    children: list[tuple[Any, BinaryIO]] = []
    try:
        try:
            mine = _claim()
            for _ in range(n - 1):
                out = open(os.memfd_create("gatewayc-fanout"), "w+b")  # noqa: SIM115 - closed below
                child = ctx.Process(target=_child, args=(out,), daemon=True)
                children.append((child, out))
                child.start()
            _take(done.__setitem__, mine)
        except BaseException:
            for child, _ in children:
                if child.pid is not None:
                    child.terminate()  # a job failed: the others' results are of no use
            raise
        finally:
            for child, _ in children:
                if child.pid is not None:
                    child.join()  # so that its CPU time is the parent's children's
            _jobs, _order, _next = (), (), None
        for child, out in children:
            if child.exitcode:  # killed, or exited without returning: what it wrote may be cut short
                raise RuntimeError(f"a backend worker process ended with exit code {child.exitcode}")
            out.seek(0)
            while out.peek(1):
                ok, i, result = pickle.load(out)
                if not ok:
                    raise result
                done[i] = result
    finally:
        for _, out in children:
            out.close()
    return [done[i] for i in range(len(jobs))]
