"""One reviewable snapshot per generated file of each test spec, and per example the whole
list of reasons it is refused for AWS (tests/aws/__snapshots__/test_aws_snapshots/*).
Update with `python3 -m pytest tests/aws/test_aws_snapshots.py --snapshot-update` and review the diff."""
from __future__ import annotations

import aws_cases as cases
import pytest

from gatewayc.build import build

FILES = [(s, n) for s in cases.specs() for n in ("openapi.json", "template.yaml")]
EXAMPLES = sorted(p.parent.name for p in (cases.REPO / "examples").glob("*/gateway.yml"))


@pytest.mark.parametrize("spec,name", FILES, ids=[f"{s.stem}-{n.split('.')[0]}" for s, n in FILES])
def test_snapshot(spec, name, snapshot_yml):
    assert cases.built(spec).files[name].decode("utf-8") == snapshot_yml


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("api", ["rest", "http"])
def test_example(example, api, snapshot_yml):
    """Each example builds for AWS, or is refused with every reason at once: the files it
    would write, or each error with its position."""
    r = build(str(cases.REPO / "examples" / example / "gateway.yml"), ["aws"], source="gateway.yml", aws_api=api)
    if r.ok:
        text = "builds: " + ", ".join(sorted(r.files)) + "\n"
    else:
        text = "".join(f"{_where(d.location)} {d.code} {d.message}\n" for d in r.diagnostics if d.is_error)
    assert text == snapshot_yml


def _where(loc) -> str:
    if loc is None:
        return "-"
    return f"{loc.file.split('examples/', 1)[-1]}:{loc.line}:{loc.col}"
