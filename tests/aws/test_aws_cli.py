"""`gatewayc build --target aws`: the REST API by default, the HTTP API with `--aws-api http`,
and a bad `--aws-api` value refused before anything is built."""
from __future__ import annotations

import json

import aws_cases as cases


def test_aws_api_selects_the_api_type(cli, tmp_path):
    code, out, err = cli(["build", str(cases.HERE / "specs" / "rest.yml"), "--target", "aws",
                          "--out", str(tmp_path / "rest")])
    assert code == 0, err
    assert "x-amazon-apigateway-gateway-responses" in json.loads((tmp_path / "rest" / "openapi.json").read_text())
    code, out, err = cli(["build", str(cases.HERE / "specs" / "http.yml"), "--target", "aws", "--aws-api", "http",
                          "--out", str(tmp_path / "http")])
    assert code == 0, err
    doc = json.loads((tmp_path / "http" / "openapi.json").read_text())
    assert doc["x-amazon-apigateway-importexport-version"] == "1.0"
    assert "AWS::ApiGatewayV2::Api" in (tmp_path / "http" / "template.yaml").read_text()


def test_a_bad_aws_api_is_refused(cli, tmp_path):
    spec = str(cases.HERE / "specs" / "http.yml")
    code, out, err = cli(["build", spec, "--target", "aws", "--aws-api", "websocket", "--out", str(tmp_path / "o")])
    assert code == 2 and "invalid value 'websocket' for --aws-api: choose rest, http" in err and not (tmp_path / "o").exists()
