"""The AWS feature table: a spec fragment -> the OpenAPI / CloudFormation fragment it gives, or
the capability error it is refused with. Each row builds a one-route gateway in front of the
service `svc` (http://127.0.0.1:3001/api, with the row's service fields)."""
from __future__ import annotations

import json

import pytest
import yaml

from gatewayc.build import build

INTEG = "x-amazon-apigateway-integration"
JWT = {"algorithms": ["RS256"], "jwks": {"url": "https://id.example.com/jwks"}, "issuer": "https://id.example.com",
       "audiences": ["api"]}
CACHE = {"ttl": "30s", "key": ["method", "host", "path"]}
REQUIRED = {"required_headers": ["Idempotency-Key"], "required_query": ["page"]}
# the JSON access log's fields: the path without the query string, no header but User-Agent
ACCESS_LOG_FIELDS = {"time": "$context.requestTime", "client": "$context.identity.sourceIp",
                     "method": "$context.httpMethod", "uri": "$context.path", "status": "$context.status",
                     "bytes": "$context.responseLength", "duration": "$context.responseLatency",
                     "request_id": "$context.requestId", "user_agent": "$context.identity.userAgent"}


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
    ("redirect-drops-query", "rest",
     {"match": {"path": {"exact": "/d"}},
      "redirect": {"scheme": "https", "hostname": "x.example.com", "path": {"full": "/n"}, "status": 301}},
     None, None, ("error", "GWC310", "drops the request's query string")),
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
    ("api-key", "rest", {"match": {"path": {"exact": "/a"}, "methods": ["GET"]},
                         "policies": {"auth": {"api_key": {"header": "X-API-Key", "keys": {"env": "K"}}}}}, None, None,
     ("template", "ApiKeyKKey", {"Value": {"Ref": "ApiKeyK"}})),
    ("api-key-query", "rest", {"match": "/a", "policies": {"auth": {"api_key": {"query": "k", "keys": {"env": "K"}}}}},
     None, None, ("error", "GWC310", "`X-API-Key` header only")),
    ("api-key-hide", "rest", {"match": "/a", "policies": {"auth": {"api_key": {
        "header": "X-API-Key", "keys": {"env": "K"}, "hide_credentials": True}}}}, None, None,
     ("error", "GWC310", "`hide_credentials: true` cannot be built")),
    ("api-key-http", "http", {"match": "/a", "policies": {"auth": {"api_key": {
        "header": "X-API-Key", "keys": {"env": "K"}}}}}, None, None, ("error", "GWC310", "API keys needs a REST API")),
    ("limit-consumer-plan", "rest", {"match": "/a"}, None,
     {"policies": {"auth": {"api_key": {"header": "X-API-Key", "keys": {"env": "K"}}},
                   "rate_limit": {"requests": 5, "per": "1s", "key": "consumer"}}},
     ("template", "UsagePlan", {"Throttle": {"RateLimit": 5, "BurstLimit": 5}})),
    ("limit-consumer-quota", "rest", {"match": "/a"}, None,
     {"policies": {"auth": {"api_key": {"header": "X-API-Key", "keys": {"env": "K"}}},
                   "rate_limit": {"requests": 1000, "per": "1d", "algorithm": "fixed_window", "key": "consumer"}}},
     ("template", "UsagePlan", {"Quota": {"Limit": 1000, "Period": "DAY"}})),
    ("limit-throttled-response", "rest", {"match": "/a"}, None,
     {"policies": {"auth": {"api_key": {"header": "X-API-Key", "keys": {"env": "K"}}},
                   "rate_limit": {"requests": 1, "per": "10s", "key": "consumer"}}},
     ("doc", "x-amazon-apigateway-gateway-responses", {"THROTTLED": {
         "statusCode": "429", "responseParameters": {"gatewayresponse.header.Retry-After": "'10'"},
         "responseTemplates": {"application/json": '{"error":"Too Many Requests"}'}}})),
    ("limit-client-ip", "rest", {"match": "/a", "policies": {"rate_limit": {"requests": 5, "per": "1s"}}}, None,
     None, ("error", "GWC310", "cannot count per client address")),
    ("limit-header", "rest", {"match": "/a", "policies": {"rate_limit": {"requests": 5, "per": "1s",
                                                                         "key": {"header": "X-T"}}}}, None, None,
     ("error", "GWC300", "(rate_limit.key.header)")),
    ("limit-route-over-many-methods", "rest",
     {"match": "/a", "policies": {"auth": {"api_key": {"header": "X-API-Key", "keys": {"env": "K"}}},
                                  "rate_limit": {"requests": 5, "per": "1s", "key": "consumer"}}}, None,
     None, ("template", "UsagePlan", {"Throttle": {"RateLimit": 5}})),
    ("jwt-http", "http", {"match": "/a", "policies": {"auth": {"jwt": JWT}}}, None, None,
     ("doc", "components", {"securitySchemes": {"jwt1": {"x-amazon-apigateway-authorizer": {
         "type": "jwt", "identitySource": "$request.header.Authorization",
         "jwtConfiguration": {"issuer": "https://id.example.com", "audience": ["api"]}}}}})),
    ("jwt-forward-claims", "http",
     {"match": "/a", "policies": {"auth": {"jwt": {**JWT, "forward_claims": {"sub": "X-User"}}}}}, None, None,
     ("openapi", "/a", "x-amazon-apigateway-any-method",
      {"requestParameters": {"overwrite:header.X-User": "$context.authorizer.claims.sub"}})),
    ("jwt-rest", "rest", {"match": "/a", "policies": {"auth": {"jwt": JWT}}}, None, None,
     ("error", "GWC310", "JWT authorizer")),
    ("jwt-no-audience", "http", {"match": "/a", "policies": {"auth": {"jwt": {**JWT, "audiences": []}}}}, None,
     None, ("error", "GWC310", "must name `audiences`")),
    ("jwt-hmac", "http", {"match": "/a", "policies": {"auth": {"jwt": {"algorithms": ["HS256"],
                                                                        "secret": {"env": "S"}}}}}, None, None,
     ("error", "GWC300", "(auth.jwt.hmac)")),
    ("jwt-hide-authorization", "http",
     {"match": "/a", "policies": {"auth": {"jwt": {**JWT, "hide_credentials": True}}}}, None, None,
     ("error", "GWC310", "cannot remove that (reserved) header")),
    ("ip-filter", "rest", {"match": "/a", "policies": {"ip": {"allow": ["10.0.0.0/8"]}}}, None, None,
     ("doc", "x-amazon-apigateway-policy", {"Statement": [
         {"Effect": "Allow", "Resource": "execute-api:/*"},
         {"Effect": "Deny", "Resource": ["execute-api:/*/*/a", "execute-api:/*/*/a/*"],
          "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}}]})),
    ("ip-filter-http", "http", {"match": "/a", "policies": {"ip": {"allow": ["10.0.0.0/8"]}}}, None, None,
     ("error", "GWC310", "IP filter (resource policy) needs a REST API")),
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
    ("cache-key", "rest", {"match": "/a", "policies": {"cache": {**CACHE, "vary": {"headers": ["Accept-Language"],
                                                                                "query": ["page"]}}}}, None, None,
     ("openapi", "/a/{proxy+}", "get", {"cacheKeyParameters": ["method.request.path.proxy",
                                                               "method.request.header.accept-language",
                                                               "method.request.querystring.page"]})),
    ("cache-any-method-head", "rest", {"match": "/a", "policies": {"cache": CACHE}}, None, None,
     ("openapi", "/a", "head", {"type": "http_proxy", "httpMethod": "HEAD"})),
    ("cache-api-key", "rest", {"match": {"path": {"exact": "/a"}, "methods": ["GET"]},
                               "policies": {"cache": CACHE, "auth": {"api_key": {"header": "X-API-Key",
                                                                                 "keys": {"env": "K"}}}}}, None, None,
     ("openapi", "/a", "get", {"cacheKeyParameters": ["method.request.header.X-API-Key"]})),
    ("cache-stage", "rest", {"match": {"path": {"exact": "/a/b"}, "methods": ["GET", "POST"]},
                             "policies": {"cache": {**CACHE, "ttl": "1h", "methods": ["GET"]}}}, None, None,
     ("template", "Stage", {"CacheClusterEnabled": True, "CacheClusterSize": "0.5", "MethodSettings": [
         {"ResourcePath": "/*", "HttpMethod": "*", "CachingEnabled": False},
         {"ResourcePath": "/~1a~1b", "HttpMethod": "GET", "CachingEnabled": True, "CacheTtlInSeconds": 3600}]})),
    ("cache-whole-query", "rest", {"match": "/a", "policies": {"cache": {"ttl": "30s"}}}, None, None,
     ("error", "GWC310", "never on the whole query string")),
    ("cache-bypass", "rest", {"match": "/a", "policies": {"cache": {**CACHE, "bypass": {"headers": ["X-Fresh"]}}}},
     None, None, ("error", "GWC310", "(`bypass`)")),
    ("cache-ttl-over-1h", "rest", {"match": "/a", "policies": {"cache": {**CACHE, "ttl": "2h"}}}, None, None,
     ("error", "GWC310", "API Gateway caches for 1-3600 s")),
    ("cache-http", "http", {"match": "/a", "policies": {"cache": CACHE}}, None, None,
     ("error", "GWC310", "a response cache needs a REST API")),
    ("validation-validators", "rest", {"match": "/a", "policies": {"validation": REQUIRED}}, None, None,
     ("doc", "x-amazon-apigateway-request-validators",
      {"params": {"validateRequestBody": False, "validateRequestParameters": True}})),
    ("validation-response", "rest", {"match": "/a", "policies": {"validation": {**REQUIRED, "status": 422}}}, None,
     None, ("doc", "x-amazon-apigateway-gateway-responses", {"BAD_REQUEST_PARAMETERS": {
         "statusCode": "422", "responseTemplates": {"application/json": '{"error":"Unprocessable Content"}'}}})),
    ("validation-http", "http", {"match": "/a", "policies": {"validation": REQUIRED}}, None, None,
     ("error", "GWC310", "a request validator needs a REST API")),
    ("validation-body-schema", "rest", {"match": "/a", "policies": {"validation": {"body": {"inline": {
        "type": "object"}}}}}, None, None, ("error", "GWC300", "(validation.body_schema)")),
    ("access-log-json", "rest", {"match": "/a"}, None, {"observability": {"access_log": {"format": "json"}}},
     ("template", "Stage", {"AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": ["AccessLogs", "Arn"]},
                                                 "Format": json.dumps(ACCESS_LOG_FIELDS, separators=(",", ":"))}})),
    ("access-log-text-http", "http", {"match": "/a"}, None, {"observability": {"access_log": {"format": "text"}}},
     ("template", "Stage", {"AccessLogSettings": {"Format": (
         '$context.identity.sourceIp - [$context.requestTime] "$context.httpMethod $context.path $context.protocol" '
         '$context.status $context.responseLength $context.responseLatency $context.requestId')}})),
]


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _subset(fragment, whole) -> bool:
    if isinstance(fragment, list):
        return isinstance(whole, list) and len(fragment) == len(whole) and all(map(_subset, fragment, whole))
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


def test_a_route_budget_over_several_resources_is_refused(tmp_path):
    """Beside a plan-wide limit, a route's own limit on a prefix (several resources) would be
    counted per resource and method: refused, pointing at that limit."""
    spec = tmp_path / "gateway.yml"
    spec.write_text("""\
version: 1
services: {svc: {url: "http://127.0.0.1:3001"}}
gateways:
  gw:
    listeners: [{port: 8080}]
    policies:
      auth: {api_key: {header: X-API-Key, keys: {env: K}}}
      rate_limit: {requests: 5, per: 1s, key: consumer}
    routes:
      - {name: a, match: /a, service: svc}
      - name: b
        match: /b
        service: svc
        policies:
          rate_limit: {requests: 2, per: 1s, key: consumer}
""")
    r = build(str(spec), ["aws"], source="gateway.yml")
    errors = [d for d in r.diagnostics if d.is_error]
    assert not r.ok and len(errors) == 1, errors
    assert "covers 2 resource/method pairs" in errors[0].message and errors[0].location.line == 15


def test_an_accepted_feature_leaves_out_the_use_aws_cannot_express(tmp_path):
    """--accept-degraded for a feature the backend refuses in one use: that use is left out
    (GWC302) and the rest is built; without it, the same spec is refused (GWC310)."""
    spec = tmp_path / "gateway.yml"
    spec.write_text(_spec({"match": "/a", "policies": {"request": {"headers": {"set": {"X-S": "1"},
                                                                              "remove": ["X-A"]}}}}))
    refused = build(str(spec), ["aws"], source="gateway.yml")
    assert not refused.ok and any(d.code == "GWC310" for d in refused.diagnostics)
    r = build(str(spec), ["aws"], source="gateway.yml", accept=["transform.request.headers"])
    assert r.ok and any(d.code == "GWC302" and "remove" in d.message for d in r.diagnostics)
    params = json.loads(r.files["openapi.json"])["paths"]["/a"]["x-amazon-apigateway-any-method"][INTEG]
    assert params["requestParameters"] == {"integration.request.header.X-S": "'1'"}


def test_an_ip_filter_that_would_cover_another_route_is_refused(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text("""\
version: 1
services: {svc: {url: "http://127.0.0.1:3001"}}
gateways:
  gw:
    listeners: [{port: 8080}]
    routes:
      - {name: admin, match: /admin, service: svc, policies: {ip: {allow: [10.0.0.0/8]}}}
      - {name: inner, match: {path: {exact: /admin/open}, methods: [GET]}, service: svc}
""")
    r = build(str(spec), ["aws"], source="gateway.yml")
    errors = [d.message for d in r.diagnostics if d.is_error]
    assert not r.ok and any("would also cover GET /admin/open of route 'inner'" in e for e in errors), errors


def test_a_cache_says_what_api_gateway_does_otherwise(tmp_path):
    """Built, with a warning each: API Gateway caches every status, and whole seconds."""
    spec = tmp_path / "gateway.yml"
    spec.write_text(_spec({"match": "/a", "policies": {"cache": {**CACHE, "ttl": "1500ms", "statuses": [200, 404]}}}))
    r = build(str(spec), ["aws"], source="gateway.yml")
    assert r.ok, [str(d) for d in r.diagnostics]
    warnings = [d.message for d in r.diagnostics if d.code == "GWC311"]
    assert any("whatever its status; the spec caches only 200, 404" in w for w in warnings), warnings
    assert any("1500 ms is cached for 1 s" in w for w in warnings), warnings
    stage = yaml.safe_load(r.files["template.yaml"])["Resources"]["Stage"]["Properties"]
    assert {s["CacheTtlInSeconds"] for s in stage["MethodSettings"] if s["CachingEnabled"]} == {1}


def test_an_accepted_redirect_is_built_without_the_query_string(tmp_path):
    """The spec keeps the query string on a redirect; a MOCK integration's Location is fixed.
    Refused above; accepted, the redirect is built with a fixed Location and a GWC302 says what
    is lost."""
    spec = tmp_path / "gateway.yml"
    spec.write_text(_spec({"match": {"path": {"exact": "/d"}}, "redirect": {
        "scheme": "https", "hostname": "x.example.com", "path": {"full": "/n"}, "status": 301}}))
    r = build(str(spec), ["aws"], source="gateway.yml", accept=["action.redirect"])
    assert r.ok and any(d.code == "GWC302" and "query string" in d.message for d in r.diagnostics)
    integ = json.loads(r.files["openapi.json"])["paths"]["/d"]["x-amazon-apigateway-any-method"][INTEG]
    assert integ["responses"]["default"]["statusCode"] == "301"
    assert integ["responses"]["default"]["responseParameters"] == {
        "method.response.header.Location": "'https://x.example.com/n'"}


def test_the_access_log_group_is_in_the_template(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text(_spec({"match": "/a"}, gateway={"observability": {"access_log": {}}}))
    r = build(str(spec), ["aws"], source="gateway.yml")
    assert r.ok, [str(d) for d in r.diagnostics]
    assert yaml.safe_load(r.files["template.yaml"])["Resources"]["AccessLogs"]["Type"] == "AWS::Logs::LogGroup"
    assert any(d.code == "GWC301" and "CloudWatch Logs role" in d.message for d in r.diagnostics)


def test_required_parameters_are_declared_and_validated(tmp_path):
    """Each operation of a validated route declares its required header and query parameter
    and names the validator; a cache key on the same header stays one parameter (required)."""
    spec = tmp_path / "gateway.yml"
    spec.write_text(_spec({"match": "/a", "policies": {"validation": REQUIRED, "cache": {
        **CACHE, "vary": {"headers": ["idempotency-key"]}}}}))
    r = build(str(spec), ["aws"], source="gateway.yml")
    assert r.ok, [str(d) for d in r.diagnostics]
    assert any(d.code == "GWC311" and "blank" in d.message for d in r.diagnostics)
    paths = json.loads(r.files["openapi.json"])["paths"]
    for path, item in paths.items():
        for op in item.values():
            assert op["x-amazon-apigateway-request-validator"] == "params"
            params = [(p["in"], p["name"].lower(), p["required"]) for p in op["parameters"] if p["in"] != "path"]
            assert params == [("header", "idempotency-key", True), ("query", "page", True)], (path, params)


def test_an_accepted_cache_is_left_out_whole(tmp_path):
    """A cache refused for its key, accepted: no cache cluster, no method settings, and the
    route keeps its one ANY operation per resource."""
    spec = tmp_path / "gateway.yml"
    spec.write_text(_spec({"match": "/a", "policies": {"cache": {"ttl": "30s"}}}))
    r = build(str(spec), ["aws"], source="gateway.yml", accept=["cache"])
    assert r.ok and any(d.code == "GWC302" and "whole query string" in d.message for d in r.diagnostics)
    paths = json.loads(r.files["openapi.json"])["paths"]
    assert {p: list(item) for p, item in paths.items()} == {"/a": ["x-amazon-apigateway-any-method"],
                                                           "/a/{proxy+}": ["x-amazon-apigateway-any-method"]}
    assert "CacheClusterEnabled" not in yaml.safe_load(r.files["template.yaml"])["Resources"]["Stage"]["Properties"]


def test_the_http_api_says_which_answers_lack_the_spec_shape_and_what_gives_it(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text(_spec({"match": "/a"}))
    r = build(str(spec), ["aws"], source="gateway.yml", aws_api="http")
    warnings = [d.message for d in r.diagnostics if d.code == "GWC311"]
    assert r.ok and any("no route, a failed token, a throttled request" in w and "a REST API" in w
                        for w in warnings), warnings
    rest = build(str(spec), ["aws"], source="gateway.yml")
    assert rest.ok and not [d for d in rest.diagnostics if d.code == "GWC311"]
