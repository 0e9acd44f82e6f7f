"""The JSON Schema of the spec, generated from the models (schema/gatewayc.schema.json
is this text; a test fails when they drift)."""
from __future__ import annotations

import json

from .spec.types import PATH_PATTERN

SCHEMA_ID = "https://gatewayc.dev/schema/gatewayc.schema.json"


# Shorthands the models accept through "before" validators, which pydantic cannot see:
# without these, editors would flag valid specs.
_MODEL_SHORTHANDS = {
    "PathMatch": {"type": "string", "pattern": PATH_PATTERN, "description": "shorthand for {prefix: ...}"},
    "FileRef": {"type": "string", "description": "shorthand for {file: ...}"},
    "Auth": {"const": "anonymous", "description": "the route is explicitly public"},
    "Key": {"enum": ["client_ip", "consumer"]},
}


def _add_shorthands(s: dict) -> None:
    defs = s["$defs"]
    for name, alt in _MODEL_SHORTHANDS.items():
        if name in defs:
            defs[name] = {"anyOf": [alt, defs[name]]}
    match = defs["Match"]["properties"]
    names = {"headers": defs["HeaderMatch"]["properties"]["name"], "query": defs["QueryMatch"]["properties"]["name"]}
    value = defs["HeaderMatch"]["properties"]["value"]
    given = [a for a in value.get("anyOf", [value]) if a.get("type") != "null"]  # a value is required here
    value = given[0] if len(given) == 1 else {"anyOf": given}
    for field in ("headers", "query"):
        match[field] = {"anyOf": [match[field], {"type": "object", "propertyNames": names[field],
                                                 "additionalProperties": value,
                                                 "description": "shorthand: name -> exact value"}]}
    route = defs["Route"]["properties"]
    route["match"] = {"anyOf": [route["match"], {"$ref": "#/$defs/Match"},
                                {"type": "string", "pattern": PATH_PATTERN,
                                 "description": "shorthand for {path: {prefix: ...}}"}]}


def schema_dict() -> dict:
    from .spec import Spec

    s = Spec.model_json_schema(mode="validation")
    _add_shorthands(s)
    s = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
         "title": "gatewayc spec v1", **s}
    return s


def schema_text() -> str:
    return json.dumps(schema_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
