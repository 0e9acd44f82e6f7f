"""The committed JSON Schema and the examples stay in step with the models."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gatewayc.compiler import compile_spec

REPO = Path(__file__).resolve().parent.parent.parent
SCHEMA = REPO / "schema" / "gatewayc.schema.json"
EXAMPLES = sorted((REPO / "examples").glob("*/gateway.yml"))
MODELINE = "# yaml-language-server: $schema=../../schema/gatewayc.schema.json"


def test_schema_file_matches_the_models(cli):
    assert SCHEMA.is_file(), "generate it with: python3 -m gatewayc schema -o schema/gatewayc.schema.json"
    code, out, err = cli(["schema"])
    assert (code, err) == (0, "")
    assert out == SCHEMA.read_text(encoding="utf-8"), \
        "schema/gatewayc.schema.json is stale: python3 -m gatewayc schema -o schema/gatewayc.schema.json"


def test_schema_is_a_json_schema_that_knows_the_top_level():
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) >= {"version", "include", "services", "policies", "gateways"}
    assert schema["additionalProperties"] is False


def test_examples_exist():
    assert EXAMPLES, "no examples/*/gateway.yml found"


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_example_validates(example, monkeypatch):
    monkeypatch.chdir(example.parent)
    c = compile_spec("gateway.yml")
    problems = [(d.code, str(d.location), d.message) for d in c.diagnostics if d.code != "GWC301"]
    assert c.ok, problems
    assert not [p for p in problems if p[0] != "GWC206"], problems


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_example_starts_with_the_modeline(example):
    first = example.read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE
    # and the modeline's relative path really reaches the schema
    target = first.split("$schema=", 1)[1]
    assert (example.parent / target).resolve() == SCHEMA.resolve()


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_example_validates_against_the_json_schema(example):
    """What editors check with the schema must agree with what gatewayc accepts."""
    import jsonschema

    from gatewayc.loader import load

    loaded = load(os.path.relpath(example))
    assert loaded.tree is not None
    jsonschema.validate(_plain(loaded.tree), json.loads(SCHEMA.read_text(encoding="utf-8")))


def _plain(node):
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node
