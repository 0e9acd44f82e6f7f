"""The JSON Schema of the spec, generated from the models (schema/gatewayc.schema.json
is this text; a test fails when they drift)."""
from __future__ import annotations

import json

SCHEMA_ID = "https://gatewayc.dev/schema/gatewayc.schema.json"


def schema_dict() -> dict:
    from .spec import Spec

    s = Spec.model_json_schema(mode="validation")
    s = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
         "title": "gatewayc spec v1", **s}
    return s


def schema_text() -> str:
    return json.dumps(schema_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
