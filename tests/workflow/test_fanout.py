"""`--target all` on a large spec runs the backends in forked worker processes
(gatewayc/fanout.py). The result must be the one the backends give one after another: the
same files in the same order, the same diagnostics and environment, and a backend's
exception still reaches the caller."""
import os
import time

import pytest

from gatewayc import backends, fanout
from gatewayc.build import build

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("example", ["portable", "shop"])
def test_workers_give_what_one_process_gives(example, monkeypatch):
    spec = os.path.join(ROOT, "examples", example, "gateway.yml")
    one = build(spec, backends.names(), source="spec.yml", subdirs=True)
    monkeypatch.setattr(fanout, "MIN_ROUTES", 0)
    monkeypatch.setattr(fanout, "_cpus", lambda: 2)  # two workers even on a one-CPU machine
    assert fanout.workers(len(backends.names()), 1) == 2
    many = build(spec, backends.names(), source="spec.yml", subdirs=True)
    assert list(many.files.items()) == list(one.files.items())
    assert many.diagnostics == one.diagnostics
    assert (many.ok, many.env) == (one.ok, one.env)


def test_a_small_spec_stays_in_one_process():
    assert fanout.workers(5, fanout.MIN_ROUTES - 1) == 1


def test_a_backend_failure_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(fanout, "MIN_ROUTES", 0)
    monkeypatch.setattr(fanout, "_cpus", lambda: 2)

    def broken(*_args):
        raise RuntimeError("backend bug")

    monkeypatch.setattr(backends.load("kong"), "build", broken)
    with pytest.raises(RuntimeError, match="backend bug"):
        build(os.path.join(ROOT, "examples", "shop", "gateway.yml"), backends.names(), source="spec.yml",
              subdirs=True)


def _slow(value, seconds=0.3):
    def job():
        time.sleep(seconds)
        return value, os.getpid()
    return job


def test_every_process_takes_jobs_and_results_keep_their_order():
    got = fanout.run([_slow(i) for i in range(6)], 3, first=[4])
    assert [v for v, _ in got] == list(range(6))
    pids = {pid for _, pid in got}
    assert os.getpid() in pids and len(pids) == 3  # this process worked too, beside two children
    assert got[4][1] == os.getpid()  # the first of `first` is this process's own


def _fail():
    raise ValueError("backend bug")


def _exit():
    os._exit(3)


def test_a_child_failure_reaches_the_caller():
    # job 0 is this process's; job 1 can only run in the child meanwhile
    with pytest.raises(ValueError, match="backend bug"):
        fanout.run([_slow(0, 1.0), _fail], 2)


def test_a_child_that_dies_is_an_error_not_a_missing_output():
    with pytest.raises(RuntimeError, match="exit code 3"):
        fanout.run([_slow(0, 1.0), _exit], 2)


def test_a_failure_here_stops_the_children():
    started = time.monotonic()
    with pytest.raises(ValueError, match="backend bug"):
        fanout.run([_fail, _slow(1, 30.0)], 2)
    assert time.monotonic() - started < 10  # the child running the 30 s job was stopped
