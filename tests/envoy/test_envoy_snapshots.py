"""One reviewable snapshot per generated envoy.yaml (tests/envoy/__snapshots__/test_envoy_snapshots/*.yml).
Update with `python3 -m pytest tests/envoy/test_envoy_snapshots.py --snapshot-update` and review the diff."""
from __future__ import annotations

import envoy_cases as cases
import pytest

SPECS = cases.specs()


@pytest.mark.parametrize("spec", SPECS, ids=[cases.label(s) for s in SPECS])
def test_snapshot(spec, snapshot_yml):
    assert cases.built(spec).files["envoy.yaml"].decode("utf-8") == snapshot_yml
