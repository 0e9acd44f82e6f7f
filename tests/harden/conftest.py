"""Fixtures of the hardening tests (tests/harden/): the same checks on every registered target.

The gateway harnesses and offline checkers live with their backend's tests (tests/nginx,
tests/kong, tests/traefik); this directory puts those directories on sys.path and reuses
them through target_checks.py, the one table of "what the real target accepts".

Fixtures:

- ``checkers`` - session: a ``target_checks.Checkers``; ``checkers.check(target, files, env_names,
  work)`` asserts that the target's real checker accepts a build's files (nginx -t and a
  crossplane read-back; decK's renderer and reader, decK's schema and Kong's plugin fields;
  Traefik started on free ports with every object enabled). A registered target without a
  checker fails the test that asks for it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
for sub in ("nginx", "kong", "traefik", "aws", "envoy"):
    if str(TESTS / sub) not in sys.path:
        sys.path.insert(0, str(TESTS / sub))


@pytest.fixture(scope="session")
def checkers(tmp_path_factory):
    import target_checks

    return target_checks.Checkers(tmp_path_factory.mktemp("checkers"))
