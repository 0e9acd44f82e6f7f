"""Offline checks of a built AWS output: openapi-spec-validator, cfn-lint, moto's import.

openapi-spec-validator (0.9) resolves the template `{proxy+}` to a parameter named `proxy+`,
while API Gateway names the greedy parameter `proxy` (its own exports do, and its integration
mapping is `method.request.path.proxy`). `for_validator` renames exactly that parameter on
exactly the greedy paths, so the rest of the document is still checked as written; the test
that uses it also shows the unrenamed document fails only on that point.

moto's `put_integration` requires `uri` and `httpMethod` even for a MOCK integration, which
API Gateway does not; `for_moto` fills both in for MOCK integrations only."""
from __future__ import annotations

import copy
import json

GREEDY = "{proxy+}"


def for_validator(doc: dict) -> dict:
    out = copy.deepcopy(doc)
    for path, item in out["paths"].items():
        if not path.endswith(GREEDY):
            continue
        for op in item.values():
            for p in op.get("parameters", []):
                if p["in"] == "path" and p["name"] == "proxy":
                    p["name"] = "proxy+"
    return out


def for_moto(doc: dict) -> dict:
    out = copy.deepcopy(doc)
    for item in out["paths"].values():
        for op in item.values():
            integ = op["x-amazon-apigateway-integration"]
            if integ["type"] == "mock":
                integ.setdefault("uri", "")
                integ.setdefault("httpMethod", "POST")
    return out


def cfn_lint(template: str) -> list[str]:
    """cfn-lint's findings (errors, warnings and informational) on a template's text."""
    from cfnlint.api import lint

    return [str(m) for m in lint(template)]


def methods_of(doc: dict) -> dict[str, set[str]]:
    """path -> the methods the document gives it (moto's spelling of ANY)."""
    return {path: {("X-AMAZON-APIGATEWAY-ANY-METHOD" if m.startswith("x-") else m.upper()) for m in item}
            for path, item in doc["paths"].items()}


def load(out: dict[str, bytes], name: str) -> dict:
    return json.loads(out[name])
