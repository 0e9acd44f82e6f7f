"""docs/diagnostics.md is generated from the code table and never drifts from it."""
from __future__ import annotations

from pathlib import Path

from gatewayc.diagnostics import CODES
from gatewayc.diagnostics.docs import EXAMPLES, render

PAGE = Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"


def test_the_page_is_what_the_generator_writes():
    assert PAGE.read_text(encoding="utf-8") == render(), \
        "docs/diagnostics.md is stale: run python -m gatewayc.diagnostics.docs"


def test_every_code_is_on_the_page_with_its_severity():
    page = PAGE.read_text(encoding="utf-8")
    for c in CODES.values():
        assert f"| `{c.code}` | {c.name} | {c.severity.value} |" in page, c.code


def test_examples_name_only_known_codes():
    assert {code for code, *_ in EXAMPLES} <= set(CODES)


def test_the_check_mode_fails_on_a_stale_page(tmp_path):
    from gatewayc.diagnostics import docs

    stale = tmp_path / "docs" / "diagnostics.md"
    stale.parent.mkdir()
    stale.write_text(render().replace("| `GWC012` |", "| `GWC0l2` |"), encoding="utf-8")
    assert docs.check(stale) is False
    stale.write_text(render(), encoding="utf-8")
    assert docs.check(stale) is True
