"""The AWS feature table: a spec fragment -> the OpenAPI / CloudFormation fragment it gives, or
the capability error it is refused with. Each row builds a one-route gateway in front of the
service `svc` (http://127.0.0.1:3001/api, with the row's service fields)."""
from __future__ import annotations

import json

import pytest
import yaml

from gatewayc.build import build

INTEG = "x-amazon-apigateway-integration"


def _spec(route: dict, service: dict | None = None, gateway: dict | None = None) -> str:
    svc = _clean({"url": "http://127.0.0.1:3001/api", **(service or {})})
    if not {"respond", "redirect", "aggregate"} & set(route):
        route = {"service": "svc", **route}
    gw = {"listeners": [{"port": 8080}], **(gateway or {}), "routes": [_clean({"name": "r", **route})]}
    return yaml.safe_dump({"version": 1, "services": {"svc": svc}, "gateways": {"gw": gw}}, sort_keys=False)


# (id, api, route, service, gateway, expected): expected is ("openapi", path, method, fragment)
# with a fragment of that operation's integration, ("doc", key, fragment) for a top-level key,
# ("template", logical id, fragment of its Properties), or ("error", code, text in the message)
ROWS = [
    ("exact", "rest", {"match": {"path": {"exact": "/a/b"}, "methods": ["GET"]}}, None, None,
     ("openapi", "/a/b", "get", {"type": "http_proxy", "httpMethod": "GET", "uri": "http://127.0.0.1:3001/api/a/b"})),
    ("prefix-greedy", "rest", {"match": "/a"}, None, None,
     ("openapi", "/a/{proxy+}", "x-amazon-apigateway-any-method",
      {"uri": "http://127.0.0.1:3001/api/a/{proxy}",
       "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"}})),
    ("prefix-trailing-slash", "rest", {"match": "/a/"}, None, None,
     ("openapi", "/a", "x-amazon-apigateway-any-method", {"uri": "http://127.0.0.1:3001/api/a"})),
    ("strip-prefix", "rest", {"match": "/v1", "rewrite": {"path": {"strip_prefix": True}}}, None, None,
     ("openapi", "/v1/{proxy+}", "x-amazon-apigateway-any-method", {"uri": "http://127.0.0.1:3001/api/{proxy}"})),
    ("replace-prefix", "rest", {"match": "/v1", "rewrite": {"path": {"replace_prefix": "/v2"}}}, None, None,
     ("openapi", "/v1", "x-amazon-apigateway-any-method", {"uri": "http://127.0.0.1:3001/api/v2"})),
    ("timeouts", "rest", {"match": "/a"}, {"timeouts": {"connect": "1s", "read": "5s"}}, None,
     ("openapi", "/a", "x-amazon-apigateway-any-method", {"timeoutInMillis": 6000})),
    ("request-timeout-wins", "rest", {"match": "/a"}, {"timeouts": {"read": "20s", "request": "3s"}}, None,
     ("openapi", "/a", "x-amazon-apigateway-any-method", {"timeoutInMillis": 3000})),
    ("timeout-over-29s", "rest", {"match": "/a"}, {"timeouts": {"read": "30s"}}, None,
     ("error", "GWC310", "30000 ms; API Gateway takes 50-29000 ms")),
    ("timeout-30s-http", "http", {"match": "/a"}, {"timeouts": {"request": "30s"}}, None,
     ("openapi", "/a", "x-amazon-apigateway-any-method", {"timeoutInMillis": 30000, "payloadFormatVersion": "1.0"})),
    ("header-set-rest", "rest", {"match": "/a", "policies": {"request": {"headers": {"set": {"X-A": "1"}}}}}, None,
     None, ("openapi", "/a", "x-amazon-apigateway-any-method",
            {"requestParameters": {"integration.request.header.X-A": "'1'"}})),
    ("header-remove-rest", "rest", {"match": "/a", "policies": {"request": {"headers": {"remove": ["X-A"]}}}}, None,
     None, ("error", "GWC310", "can only set one")),
    ("header-remove-http", "http", {"match": "/a", "policies": {"request": {"headers": {"remove": ["X-A"]}}}}, None,
     None, ("openapi", "/a", "x-amazon-apigateway-any-method", {"requestParameters": {"remove:header.X-A": "''"}})),
    ("reserved-header-http", "http",
     {"match": "/a", "policies": {"request": {"headers": {"set": {"X-Amz-Date": "x"}}}}}, None, None,
     ("error", "GWC310", "reserved header 'X-Amz-Date'")),
    ("quote-in-static-rest", "rest",
     {"match": "/a", "policies": {"request": {"headers": {"set": {"X-A": "it's"}}}}}, None, None,
     ("error", "GWC310", "holds a `'`")),
    ("dollar-in-static-http", "http",
     {"match": "/a", "policies": {"request": {"query": {"set": {"q": "a$b"}}}}}, None, None,
     ("error", "GWC310", "holds a `$`")),
    ("segment-chars", "rest", {"match": {"path": {"exact": "/a@b"}}}, None, None,
     ("error", "GWC310", "A-Za-z0-9 and `._-:,` (not '@')")),
    ("trailing-slash-exact", "rest", {"match": {"path": {"exact": "/a/"}}}, None, None,
     ("error", "GWC310", "no empty path segment")),
    ("respond-mock", "rest", {"match": {"path": {"exact": "/h"}}, "respond": {"status": 200, "body": {"$x": "#y"}}},
     None, None, ("openapi", "/h", "x-amazon-apigateway-any-method",
                  {"type": "mock", "responses": {"default": {
                      "statusCode": "200",
                      "responseTemplates": {"application/json": '{"\\u0024x":"\\u0023y"}'},
                      "responseParameters": {"method.response.header.Content-Type": "'application/json'"}}}})),
    ("respond-http", "http", {"match": {"path": {"exact": "/h"}}, "respond": {"status": 200}}, None, None,
     ("error", "GWC310", "needs a REST API")),
    ("redirect-fixed", "rest",
     {"match": {"path": {"exact": "/d"}},
      "redirect": {"scheme": "https", "hostname": "x.example.com", "path": {"full": "/n"}, "status": 301}},
     None, None, ("openapi", "/d", "x-amazon-apigateway-any-method",
                  {"responses": {"default": {"statusCode": "301", "responseParameters": {
                      "method.response.header.Location": "'https://x.example.com/n'"}}}})),
    ("redirect-keeps-path", "rest", {"match": {"path": {"exact": "/d"}}, "redirect": {"scheme": "https"}}, None,
     None, ("error", "GWC310", "fixed Location")),
    ("not-found-response", "rest", {"match": "/a"}, None, {"not_found": {"status": 404, "body": {"error": "none"}}},
     ("doc", "x-amazon-apigateway-gateway-responses", {"MISSING_AUTHENTICATION_TOKEN": {
         "statusCode": "404", "responseTemplates": {"application/json": '{"error":"none"}'}}})),
    ("stage", "rest", {"match": "/a"}, None, None, ("template", "Stage", {"StageName": "gw"})),
    ("cors-http", "http", {"match": "/a"}, None,
     {"policies": {"cors": {"origins": ["https://a.example.com"], "methods": ["GET"], "max_age": "10m"}}},
     ("doc", "x-amazon-apigateway-cors", {"allowOrigins": ["https://a.example.com"], "allowMethods": ["GET"],
                                          "allowCredentials": False, "maxAge": 600})),
    ("cors-rest", "rest", {"match": "/a", "policies": {"cors": {"origins": ["https://a.example.com"]}}}, None, None,
     ("error", "GWC310", "cannot add the CORS headers")),
    ("cors-wildcard-subdomain", "http",
     {"match": "/a", "policies": {"cors": {"origins": ["https://*.example.com"]}}}, None, None,
     ("error", "GWC310", "no wildcard subdomains")),
    ("regex", "rest", {"match": {"path": {"regex": "/a/[0-9]+"}}}, None, None, ("error", "GWC300",
                                                                                 "(routing.path.regex)")),
    ("weighted", "rest", {"match": "/a"},
     {"url": None, "targets": [{"url": "http://127.0.0.1:3001"}, {"url": "http://127.0.0.1:3002"}]}, None,
     ("error", "GWC300", "(upstream.weighted)")),
    ("hostname", "rest", {"match": "/a", "hostnames": ["a.example.com"]}, None, None,
     ("error", "GWC300", "(routing.hostname)")),
    ("circuit-breaker", "rest", {"match": "/a"},
     {"circuit_breaker": {"consecutive_failures": 5, "open_for": "30s"}}, None,
     ("error", "GWC300", "(upstream.circuit_breaker)")),
    ("aggregation", "rest", {"match": "/a",
                             "aggregate": {"parts": [{"key": "a", "service": "svc", "path": "/a"}]}}, None, None,
     ("error", "GWC300", "(aggregation)")),
    ("body-limit", "rest", {"match": "/a", "policies": {"body_limit": "1MB"}}, None, None,
     ("error", "GWC300", "(body_limit)")),
]


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _subset(fragment, whole) -> bool:
    if isinstance(fragment, dict):
        return isinstance(whole, dict) and all(k in whole and _subset(v, whole[k]) for k, v in fragment.items())
    return fragment == whole


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_feature(row, tmp_path):
    _, api, route, service, gateway, expected = row
    spec = tmp_path / "gateway.yml"
    spec.write_text(_spec(route, service, gateway))
    r = build(str(spec), ["aws"], source="gateway.yml", aws_api=api)
    errors = [f"{d.code} {d.message}" for d in r.diagnostics if d.is_error]
    if expected[0] == "error":
        _, code, text = expected
        assert not r.ok and any(e.startswith(code) and text in e for e in errors), errors
        return
    assert r.ok, errors
    doc = json.loads(r.files["openapi.json"])
    if expected[0] == "openapi":
        _, path, method, fragment = expected
        assert _subset(fragment, doc["paths"][path][method][INTEG]), doc["paths"].get(path)
    elif expected[0] == "doc":
        assert _subset(expected[2], doc[expected[1]]), doc[expected[1]]
    else:
        tpl = yaml.safe_load(r.files["template.yaml"])
        assert _subset(expected[2], tpl["Resources"][expected[1]]["Properties"])
