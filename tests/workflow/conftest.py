"""Fixtures for the workflow tests."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def spec_file(tmp_path: Path):
    def write(text: str, name: str = "gateway.yml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write
