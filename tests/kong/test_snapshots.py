"""One reviewable snapshot per generated file (tests/kong/__snapshots__/test_snapshots/*.yml).
Update with `python3 -m pytest tests/kong/test_snapshots.py --snapshot-update` and review the diff."""
from __future__ import annotations

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

import kong_cases as cases


class YamlSnapshot(SingleFileSnapshotExtension):
    file_extension = "yml"  # syrupy >= 4 (older releases: _file_extension)
    _file_extension = "yml"
    _write_mode = WriteMode.TEXT


@pytest.fixture
def snapshot_yml(snapshot):
    return snapshot.use_extension(YamlSnapshot)


@pytest.mark.parametrize("spec,name", cases.files(),
                         ids=[f"{cases.label(s)}-{n.replace('/', '-').removesuffix('.yml')}" for s, n in cases.files()])
def test_snapshot(spec, name, snapshot_yml):
    assert cases.built(spec).files[name].decode("utf-8") == snapshot_yml
