"""Routing end to end through moto's API Gateway: the REST document gatewayc built is imported
and deployed in moto, and requests to the stage URL reach local echo servers.

moto 5.2 invokes only integrations of type `HTTP` (upper case) on a deployed stage, matches
resources by their literal path (no `{proxy+}`, no `ANY`) and calls the integration URI as
written (no path parameters, query or headers). So this test turns each `http_proxy` into
`HTTP` (the only change) and sends only requests that hit a literal resource with an explicit
method: it proves which route answers each method on each resource and the path the service
receives after the rewrite, for routes whose paths and methods overlap. Greedy paths, `ANY`,
headers and the answers API Gateway makes itself cannot be exercised offline
(docs/targets/aws.md)."""
from __future__ import annotations

import json

import boto3
import pytest
import requests
from moto import mock_aws

from gatewayc.build import build

SPEC = """\
version: 1
services:
  me: {url: "__ME__"}
  users: {url: "__USERS__/api"}
gateways:
  public:
    listeners: [{port: 8080}]
    routes:
      - name: users
        match: {path: /users, methods: [GET, POST]}
        service: users
        rewrite: {path: {replace_prefix: /v2/users}}
      - name: me
        match: {path: {exact: /users/me}, methods: [GET]}
        service: me
        rewrite: {path: {full: /profile}}
      - name: settings
        match: {path: {exact: /users/me/settings}, methods: [PUT]}
        service: me
"""


def for_moto_invoke(doc: dict) -> dict:
    for item in doc["paths"].values():
        for op in item.values():
            integ = op["x-amazon-apigateway-integration"]
            if integ["type"] == "http_proxy":
                integ["type"] = "HTTP"
    return doc


@pytest.fixture
def stage(tmp_path, echo_upstream):
    me, users = echo_upstream("me"), echo_upstream("users")
    spec = tmp_path / "gateway.yml"
    spec.write_text(SPEC.replace("__ME__", me.url).replace("__USERS__", users.url))
    r = build(str(spec), ["aws"], source="gateway.yml")
    assert r.ok, [str(d) for d in r.diagnostics]
    doc = for_moto_invoke(json.loads(r.files["openapi.json"]))
    with mock_aws():
        client = boto3.client("apigateway", region_name="us-east-1")
        api = client.import_rest_api(body=json.dumps(doc), failOnWarnings=False)
        client.create_deployment(restApiId=api["id"], stageName="public")
        yield f"https://{api['id']}.execute-api.us-east-1.amazonaws.com/public", me, users


def _seen(method: str, url: str) -> dict:
    r = requests.request(method, url, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_each_method_on_each_resource_reaches_the_route_the_spec_picks(stage):
    url, me, users = stage
    got = _seen("GET", url + "/users/me")  # the exact route wins over the prefix
    assert got["server"] == "me" and got["path"] == "/profile"
    got = _seen("POST", url + "/users/me")  # the exact route takes GET only: the prefix route
    assert got["server"] == "users" and got["path"] == "/api/v2/users/me"
    got = _seen("GET", url + "/users")
    assert got["server"] == "users" and got["path"] == "/api/v2/users"
    got = _seen("PUT", url + "/users/me/settings")
    assert got["server"] == "me" and got["path"] == "/users/me/settings"
    got = _seen("GET", url + "/users/me/settings")  # below the exact route: the prefix again
    assert got["server"] == "users" and got["path"] == "/api/v2/users/me/settings"
    assert me.methods == ["GET", "PUT"] and users.methods == ["POST", "GET", "GET"]
