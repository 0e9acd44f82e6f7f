"""Every AWS output the test specs and the examples give is accepted offline: the OpenAPI
document by openapi-spec-validator, the template by cfn-lint, and the document by moto's
import_rest_api with every resource and method present. moto ignores authorizers and several
extensions, so this proves structure, not behaviour."""
from __future__ import annotations

import json

import aws_cases as cases
import awscheck
import boto3
import pytest
from moto import mock_aws
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

SPECS = cases.specs()
IDS = [s.stem for s in SPECS]


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_openapi_spec_validator_accepts_the_document(spec):
    doc = awscheck.load(cases.built(spec).files, "openapi.json")
    validate(awscheck.for_validator(doc))


def test_the_proxy_quirk_is_the_only_thing_renamed():
    """Unrenamed, the validator fails exactly on the greedy parameter's name; renaming it
    touches nothing else."""
    doc = awscheck.load(cases.built(cases.HERE / "specs" / "rest.yml").files, "openapi.json")
    with pytest.raises(OpenAPIValidationError, match=r"proxy\+"):
        validate(doc)
    renamed = awscheck.for_validator(doc)
    for path in doc["paths"]:
        if not path.endswith("{proxy+}"):
            assert renamed["paths"][path] == doc["paths"][path]


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_cfn_lint_passes_the_template(spec):
    assert awscheck.cfn_lint(cases.built(spec).files["template.yaml"].decode()) == []


def test_cfn_lint_is_not_blind():
    """The same check on a template with a broken stage reports it."""
    text = cases.built(cases.HERE / "specs" / "rest.yml").files["template.yaml"].decode()
    broken = text.replace("StageName: public", "StageName: public\n      MethodSettings: [{ResourcePath: x}]")
    assert broken != text and awscheck.cfn_lint(broken)


@pytest.mark.parametrize("spec", [s for s in SPECS if cases.api(s) == "rest"],
                         ids=[s.stem for s in SPECS if cases.api(s) == "rest"])
def test_moto_imports_every_resource_and_method(spec):
    doc = awscheck.load(cases.built(spec).files, "openapi.json")
    assert _moto_methods(doc) == awscheck.methods_of(doc)


def test_the_portable_example_passes_every_offline_check():
    """examples/portable builds for AWS as it is (a REST API, the default) and its output
    passes the validator, cfn-lint and moto's import (the AWS lint runs on every build)."""
    from gatewayc.build import build

    r = build(str(cases.REPO / "examples" / "portable" / "gateway.yml"), ["aws"], source="gateway.yml")
    assert r.ok, [str(d) for d in r.diagnostics]
    doc = awscheck.load(r.files, "openapi.json")
    validate(awscheck.for_validator(doc))
    assert awscheck.cfn_lint(r.files["template.yaml"].decode()) == []
    assert _moto_methods(doc) == awscheck.methods_of(doc)
    assert "x-amazon-apigateway-policy" in doc and "x-amazon-apigateway-gateway-responses" in doc


def _moto_methods(doc: dict) -> dict[str, set[str]]:
    """path -> methods, as moto's import_rest_api made them."""
    with mock_aws():
        client = boto3.client("apigateway", region_name="us-east-1")
        api = client.import_rest_api(body=json.dumps(awscheck.for_moto(doc)), failOnWarnings=False)
        items = client.get_resources(restApiId=api["id"], limit=500)["items"]
    return {r["path"]: set(r.get("resourceMethods", {})) for r in items if r.get("resourceMethods")}
