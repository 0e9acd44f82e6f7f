"""The specs the Traefik output tests build (tests/traefik/specs/*.yml)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from gatewayc.build import build

HERE = Path(__file__).parent
REPO = HERE.parents[1]


def specs() -> list[Path]:
    return sorted((HERE / "specs").glob("*.yml"))


@lru_cache(maxsize=None)
def built(spec: Path):
    r = build(str(spec), ["traefik"], source=str(spec.relative_to(REPO)))
    assert r.ok, [str(d) for d in r.diagnostics]
    return r
