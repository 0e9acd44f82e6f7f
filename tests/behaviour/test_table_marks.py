"""The table's own honesty: each case is marked with exactly the features its fragment uses
(as gatewayc's capability model finds them), so a target's refusal can only skip the cases
that really need what it refuses; and names are unique, so results are traceable."""
from __future__ import annotations

import pytest

from gatewayc.capabilities import uses
from gatewayc.compiler import compile_spec
from table import TABLE
from table_spec import assemble, owner


@pytest.mark.parametrize("group", TABLE, ids=lambda g: g.name)
def test_marks_are_the_features_each_fragment_uses(group, tmp_path):
    spec = assemble(group, group.cases, 8080)
    text = spec.text.replace("__DIR__", str(tmp_path))
    for name in (*group.upstreams, *group.upgraders):
        text = text.replace(f"__{name.upper()}__", "http://127.0.0.1:9")
    text = text.replace("__CLOSED__", "http://127.0.0.1:9")
    for rel, content in group.files.items():
        (tmp_path / rel).write_bytes(content.encode() if isinstance(content, str) else content)
    (tmp_path / "gateway.yml").write_text(text)
    compiled = compile_spec(str(tmp_path / "gateway.yml"))
    assert compiled.ok, [str(d) for d in compiled.diagnostics]
    found: dict[str | None, set[str]] = {}
    for feature, loc, _ in uses(compiled.ir):
        found.setdefault(owner(spec, loc.line), set()).add(feature)
    assert found.get(None, set()) == set(group.features), "the group's shared part"
    for case in group.cases:
        assert set(case.features) == found.get(case.name, set()), case.name


def test_names_are_unique():
    assert len({g.name for g in TABLE}) == len(TABLE)
    for g in TABLE:
        assert len({c.name for c in g.cases}) == len(g.cases), g.name
