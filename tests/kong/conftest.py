"""Shared fixtures for the Kong backend tests.

backends/ ships as gatewayc.backends (pyproject package-dir); in a source checkout that is not
installed, make the alias here so that `gatewayc.backends.kong` imports the files under test.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

try:
    import gatewayc.backends  # noqa: F401
except ModuleNotFoundError:
    import gatewayc

    _spec = importlib.util.spec_from_file_location(
        "gatewayc.backends", ROOT / "backends" / "__init__.py",
        submodule_search_locations=[str(ROOT / "backends")])
    _mod = importlib.util.module_from_spec(_spec)
    sys.modules["gatewayc.backends"] = _mod
    _spec.loader.exec_module(_mod)
    gatewayc.backends = _mod


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def deck(tmp_path_factory):
    import deck_harness

    return deck_harness.Deck(deck_harness.build(tmp_path_factory.mktemp("deckrender")))
