"""The specs the Envoy output tests build (tests/envoy/specs/*.yml and every example that
builds for Envoy)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from gatewayc.build import build

HERE = Path(__file__).parent
REPO = HERE.parents[1]


def specs() -> list[Path]:
    examples = sorted(REPO.glob("examples/*/gateway.yml")) + sorted(REPO.glob("examples/*/*/gateway.yml"))
    return sorted(HERE.glob("specs/*.yml")) + [p for p in examples if attempt(p).ok]


def label(spec: Path) -> str:
    if spec.parent == HERE / "specs":
        return spec.stem
    return "example-" + str(spec.parent.relative_to(REPO / "examples")).replace("/", "-")


@lru_cache(maxsize=None)
def attempt(spec: Path):
    return build(str(spec), ["envoy"], source=str(spec.relative_to(REPO)))


def built(spec: Path):
    r = attempt(spec)
    assert r.ok, [str(d) for d in r.diagnostics]
    return r
