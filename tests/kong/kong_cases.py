"""The spec files every generic Kong test runs on: the project's examples and tests/kong/specs."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from gatewayc.backends.kong import CAPABILITIES
from gatewayc.capabilities import is_auth

import kong_harness as harness

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "examples").glob("*/gateway.yml")) + \
    sorted((Path(__file__).parent / "specs").glob("*/gateway.yml"))

# what a user would accept to get a Kong file at all: every unsupported feature that may be accepted
ACCEPT_ALL = tuple(sorted(f for f, s in CAPABILITIES.items() if s.level == "unsupported" and not is_auth(f)))


def label(spec: Path) -> str:
    return f"{spec.parent.parent.name}-{spec.parent.name}"


@lru_cache(maxsize=None)
def built(spec: Path) -> harness.Built:
    """Built from the repository root with a relative path, as the header comment shows it."""
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        return harness.build_file(spec.relative_to(ROOT), ACCEPT_ALL)
    finally:
        os.chdir(here)


def files() -> list[tuple[Path, str]]:
    return [(spec, name) for spec in SPECS for name in sorted(built(spec).files)]
