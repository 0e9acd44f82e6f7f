"""API Gateway's size limits, checked at build (backends/aws/lint.py) and tested just at and
just over each: authorizers per API, a REST method's ARN, a mapping template, the imported
OpenAPI file. Each refusal is a GWC310 at the spec position behind it."""
from __future__ import annotations

import json

import yaml

from gatewayc.backends.aws import lint
from gatewayc.build import build


def _build(tmp_path, routes: list[dict], api: str = "rest"):
    spec = {"version": 1, "services": {"svc": {"url": "http://127.0.0.1:3001"}},
            "gateways": {"gw": {"listeners": [{"port": 8080}], "routes": routes}}}
    (tmp_path / "gateway.yml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return build(str(tmp_path / "gateway.yml"), ["aws"], source="gateway.yml", aws_api=api)


def _errors(r) -> list[str]:
    return [f"{d.code} {d.message}" for d in r.diagnostics if d.is_error]


def _refused(r, text: str, line: int | None = None) -> None:
    hits = [d for d in r.diagnostics if d.is_error and d.code == "GWC310" and text in d.message]
    assert not r.ok and hits, _errors(r)
    if line is not None:
        assert hits[0].location.line == line, hits[0]


def _jwt_route(i: int) -> dict:
    return {"name": f"r{i}", "match": f"/r{i}", "service": "svc", "policies": {"auth": {"jwt": {
        "algorithms": ["RS256"], "jwks": {"url": "https://id.example.com/jwks"},
        "issuer": f"https://id{i}.example.com", "audiences": ["api"]}}}}


def test_authorizers_per_api(tmp_path):
    assert _build(tmp_path, [_jwt_route(i) for i in range(lint.MAX_AUTHORIZERS)], "http").ok
    _refused(_build(tmp_path, [_jwt_route(i) for i in range(lint.MAX_AUTHORIZERS + 1)], "http"),
             "11 authorizers")


def _path(n: int) -> str:
    """A path of n bytes, in segments API Gateway takes."""
    body = "/".join("a" * 100 for _ in range(n // 101 + 1))
    return ("/" + body)[:n].rstrip("/").ljust(n, "b")


def test_method_arn(tmp_path):
    r = _build(tmp_path, [{"name": "r", "match": {"path": {"exact": "/a"}, "methods": ["GET"]}, "service": "svc"}])
    stage = next(v["Properties"]["StageName"] for v in yaml.safe_load(r.files["template.yaml"])["Resources"].values()
                 if v["Type"] == "AWS::ApiGateway::Stage")
    room = lint.MAX_METHOD_ARN - lint.ARN_FIXED - len(stage) - 1 - len("GET")
    for n, ok in ((room, True), (room + 1, False)):
        route = {"name": "r", "match": {"path": {"exact": _path(n)}, "methods": ["GET"]}, "service": "svc"}
        r = _build(tmp_path, [route])
        if ok:
            assert r.ok, _errors(r)
        else:
            _refused(r, "414", line=12)  # the route's `path`


def _template_size(r) -> int:
    doc = json.loads(r.files["openapi.json"])
    integ = doc["paths"]["/a"]["get"]["x-amazon-apigateway-integration"]
    return max(len(t.encode()) for resp in integ["responses"].values() for t in resp["responseTemplates"].values())


def _respond(n: int, name: str = "r", path: str = "/a") -> dict:
    return {"name": name, "match": {"path": {"exact": path}, "methods": ["GET"]}, "respond": {"body": {"d": "x" * n}}}


def test_mapping_template(tmp_path):
    overhead = _template_size(_build(tmp_path, [_respond(0)]))
    n = lint.MAX_TEMPLATE - overhead
    r = _build(tmp_path, [_respond(n)])
    assert r.ok and _template_size(r) == lint.MAX_TEMPLATE, _errors(r)
    _refused(_build(tmp_path, [_respond(n + 1)]), "mapping template")


def test_openapi_file(tmp_path):
    base = 250_000  # per route; every extra byte of a body is one more byte of openapi.json
    room = lint.MAX_TEMPLATE - _template_size(_build(tmp_path, [_respond(0)])) - base
    k = lint.MAX_IMPORT // base
    lengths = [base] * k
    r = _build(tmp_path, [_respond(n, f"r{i}", f"/a{i}") for i, n in enumerate(lengths)])
    extra = lint.MAX_IMPORT - len(r.files["openapi.json"])
    assert r.ok and 0 < extra <= k * room, (extra, _errors(r))
    for i in range(k):  # spread the bytes still free over the bodies, each within its template's limit
        step = min(room, extra)
        lengths[i] += step
        extra -= step
    r = _build(tmp_path, [_respond(n, f"r{i}", f"/a{i}") for i, n in enumerate(lengths)])
    assert r.ok and len(r.files["openapi.json"]) == lint.MAX_IMPORT, _errors(r)
    lengths[-1] += 1
    _refused(_build(tmp_path, [_respond(n, f"r{i}", f"/a{i}") for i, n in enumerate(lengths)]),
             "API Gateway imports at most")
