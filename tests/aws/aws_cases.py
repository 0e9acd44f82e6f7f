"""The specs the AWS output tests build (tests/aws/specs/*.yml): `http*.yml` as an HTTP API,
the others as a REST API."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from gatewayc.build import build

HERE = Path(__file__).parent
REPO = HERE.parents[1]


def specs() -> list[Path]:
    return sorted((HERE / "specs").glob("*.yml"))


def api(spec: Path) -> str:
    return "http" if spec.stem.startswith("http") else "rest"


@lru_cache(maxsize=None)
def built(spec: Path):
    r = build(str(spec), ["aws"], source=str(spec.relative_to(REPO)), aws_api=api(spec))
    assert r.ok, [str(d) for d in r.diagnostics]
    return r
