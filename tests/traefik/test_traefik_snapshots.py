"""One reviewable snapshot per generated file (tests/traefik/__snapshots__/test_traefik_snapshots/*.yml).
Update with `python3 -m pytest tests/traefik/test_traefik_snapshots.py --snapshot-update` and review the diff."""
from __future__ import annotations

import pytest
import traefik_cases as cases


FILES = [(s, n) for s in cases.specs() for n in ("dynamic.yml", "traefik.yml")]


@pytest.mark.parametrize("spec,name", FILES, ids=[f"{s.stem}-{n.removesuffix('.yml')}" for s, n in FILES])
def test_snapshot(spec, name, snapshot_yml):
    assert cases.built(spec).files[name].decode("utf-8") == snapshot_yml
