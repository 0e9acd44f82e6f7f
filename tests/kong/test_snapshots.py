"""One reviewable snapshot per generated file (tests/kong/__snapshots__/test_snapshots/*.yml).
Update with `python3 -m pytest tests/kong/test_snapshots.py --snapshot-update` and review the diff."""
from __future__ import annotations

import pytest
import kong_cases as cases


@pytest.mark.parametrize("spec,name", cases.files(),
                         ids=[f"{cases.label(s)}-{n.replace('/', '-').removesuffix('.yml')}" for s, n in cases.files()])
def test_snapshot(spec, name, snapshot_yml):
    assert cases.built(spec).files[name].decode("utf-8") == snapshot_yml
