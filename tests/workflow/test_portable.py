"""examples/portable builds unchanged for every registered target: no error, no warning, no
accepted degradation. A new backend must build it too."""
from __future__ import annotations

from pathlib import Path

import pytest

from gatewayc import backends
from gatewayc.build import build

SPEC = Path(__file__).resolve().parents[2] / "examples" / "portable" / "gateway.yml"


@pytest.mark.parametrize("target", backends.names())
def test_portable_builds_unchanged(target):
    r = build(str(SPEC), [target], source="gateway.yml")
    loud = [f"{d.code} {d.message}" for d in r.diagnostics if d.effective_severity.name in ("ERROR", "WARNING")]
    assert r.ok and not loud, loud
    assert r.files


def test_portable_builds_for_all_targets_at_once():
    r = build(str(SPEC), backends.names(), source="gateway.yml", subdirs=True)
    assert r.ok
    assert {p.split("/", 1)[0] for p in r.files} == set(backends.names())
