"""`--target all` on a large spec runs the backends in forked worker processes
(gatewayc/fanout.py). The result must be the one the backends give one after another: the
same files in the same order, the same diagnostics and environment, and a backend's
exception still reaches the caller."""
import os

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
