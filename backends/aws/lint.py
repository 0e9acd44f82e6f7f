"""API Gateway's documented import restrictions and limits, checked on every build against the
document and template gatewayc made, and reported at the spec position they came from.

AWS's own import reports these only at deploy time, often without saying where; neither
openapi-spec-validator nor cfn-lint looks inside the extensions. Sources: the API Gateway
Developer Guide (api-gateway-known-issues, http-api-open-api, http-api-parameter-mapping,
limits, api-gateway-swagger-extensions-*)."""
from __future__ import annotations

import re
from collections.abc import Iterable

from gatewayc.diagnostics import Location

from .context import Ctx
from .tree import GREEDY

# a REST resource's path part: A-Za-z0-9 and `._-:,`, or a whole-segment `{param}` ([DG] known issues)
SEGMENT = re.compile(r"^[A-Za-z0-9._:,-]+$")
PARAM = re.compile(r"^\{[A-Za-z0-9._-]+\+?\}$")
# most paths: SEGMENTs, and the greedy parameter last (the checks below find nothing to say)
PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9._:,-]+)*(?:/\{proxy\+\})?")
MAX_RESOURCES = 300  # REST resources per API; HTTP routes per API
TIMEOUT = {"rest": (50, 29000), "http": (50, 30000)}
STAGE = re.compile(r"^[A-Za-z0-9_$-]{1,128}$")
INTEGRATION_TYPES = {"http", "http_proxy", "aws", "aws_proxy", "mock"}
# [DG] http-api-parameter-mapping: headers an HTTP API mapping must not touch
RESERVED = {"authorization", "connection", "content-encoding", "content-length", "content-location", "forwarded",
            "keep-alive", "origin", "proxy-authenticate", "proxy-authorization", "te", "trailers",
            "transfer-encoding", "upgrade", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "via"}
RESERVED_PREFIXES = ("access-control-", "apigw-", "x-amz-", "x-amzn-")
CACHE_SIZES = {"0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"}
QUOTA_PERIODS = {"DAY", "WEEK", "MONTH"}
MAX_PLAN_METHOD_THROTTLES = 20
MAX_AUTHORIZERS = 10  # per API, REST and HTTP
MAX_TEMPLATE = 300 * 1024  # bytes of one mapping template
MAX_IMPORT = 6 * 1024 * 1024  # bytes of the OpenAPI file API Gateway imports
# A REST method's ARN, arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/METHOD/PATH, is at most
# 1,600 bytes; a request whose ARN is longer gets 414. The shortest region name (us-east-1), a
# 12-digit account and a 10-character API id: a route over it fails in every region.
MAX_METHOD_ARN = 1600
ARN_FIXED = len("arn:aws:execute-api:") + len("us-east-1") + 1 + 12 + 1 + 10 + 1


def lint(ctx: Ctx, doc: dict, tpl: dict) -> None:
    _paths(ctx, doc)
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            where = ctx.op_loc.get((path, "ANY" if method.startswith("x-") else method.upper()), ctx.path_loc.get(path))
            _operation(ctx, path, method, op, where)
    for kind, resp in doc.get("x-amazon-apigateway-gateway-responses", {}).items():
        where = ctx.gateway.answers.loc or ctx.gateway.loc
        for key, value in resp.get("responseParameters", {}).items():
            _parameter(ctx, kind, "gateway response", key, value, where)
        _templates(ctx, f"gateway response {kind}", list(resp.get("responseTemplates", {}).values()), where)
    _template(ctx, tpl)
    _authorizers(ctx, doc)
    if ctx.rest:
        _method_arns(ctx, doc, tpl)


def import_size(ctx: Ctx, data: bytes) -> None:
    """The OpenAPI file must fit API Gateway's import."""
    if len(data) > MAX_IMPORT:
        ctx.error(f"openapi.json would be {len(data):,} bytes; API Gateway imports at most {MAX_IMPORT:,}",
                  ctx.gateway.loc, hint="split the gateway, or serve long fixed bodies from a service")


def _authorizers(ctx: Ctx, doc: dict) -> None:
    schemes = doc.get("components", {}).get("securitySchemes", {})
    n = sum(1 for s in schemes.values() if "x-amazon-apigateway-authorizer" in s)
    if n > MAX_AUTHORIZERS:
        ctx.error(f"the API would have {n} authorizers (one per JWT issuer, audiences and token source); "
                  f"API Gateway allows {MAX_AUTHORIZERS} per API", ctx.gateway.loc,
                  hint="share one JWT configuration between routes (a named policy set)")


def _method_arns(ctx: Ctx, doc: dict, tpl: dict) -> None:
    stage = next((r.get("Properties", {}).get("StageName", "") for r in tpl.get("Resources", {}).values()
                  if r.get("Type") == "AWS::ApiGateway::Stage"), "")
    for path, item in doc.get("paths", {}).items():
        # each path parameter takes at least one character of a request's path
        shortest = len((re.sub(r"\{[^}]*\}", "x", path) if "{" in path else path).encode())
        for method in item:
            verb = "GET" if method.startswith("x-") else method.upper()
            arn = ARN_FIXED + len(stage) + 1 + len(verb) + shortest
            if arn > MAX_METHOD_ARN:
                ctx.error(f"{verb} {path}: the method's ARN would be at least {arn} bytes; API Gateway answers "
                          f"414 to a request whose ARN is over {MAX_METHOD_ARN}", ctx.op_loc.get(
                              (path, "ANY" if method.startswith("x-") else verb), ctx.path_loc.get(path)),
                          hint="shorten the path")


def path_problem(path: str) -> str | None:
    """Why API Gateway cannot have this path as a resource (route) path, or None."""
    return None if PLAIN_PATH.fullmatch(path) else _path_problem(path)


def _path_problem(path: str) -> str | None:
    segs = path[1:].split("/") if path != "/" else []
    for i, seg in enumerate(segs):
        if seg == "":
            return f"path {path!r}: API Gateway has no empty path segment (a doubled or trailing `/`)"
        if "{" in seg or "}" in seg:
            if not PARAM.match(seg):
                return f"path {path!r}: a parameter must be a whole segment `{{name}}`"
            if seg.endswith("+}") and i != len(segs) - 1:
                return f"path {path!r}: the greedy parameter must be the last segment"
            if seg.endswith("+}") and seg != GREEDY:
                return f"path {path!r}: gatewayc's greedy parameter is {GREEDY}"
            if not seg.endswith("+}"):
                # gatewayc writes only literal paths: braces in the spec's path are literal there
                return f"path {path!r}: `{{` and `}}` are API Gateway path parameters, not literal characters"
        elif not SEGMENT.match(seg):
            bad = sorted({c for c in seg if not re.match(r"[A-Za-z0-9._:,-]", c)})
            return (f"path {path!r}: API Gateway resource paths take only A-Za-z0-9 and `._-:,` "
                    f"(not {' '.join(repr(c) for c in bad)})")
    return None


def _paths(ctx: Ctx, doc: dict) -> None:
    paths = doc.get("paths", {})
    for path in paths:
        problem = path_problem(path)
        if problem is not None:
            ctx.error(problem, ctx.path_loc.get(path), hint="rename the path, or route it through a prefix match")
    count = len(resources(paths)) if ctx.rest else sum(len(item) for item in paths.values())
    if count > MAX_RESOURCES:
        what = "resources" if ctx.rest else "routes"
        ctx.error(f"the API would have {count} {what}; API Gateway allows {MAX_RESOURCES} per API (a quota that "
                  "can be raised on request for REST)", ctx.gateway.loc)


def resources(paths: Iterable[str]) -> set[str]:
    """The REST resources that make up these paths: each path, its ancestors, and `/`."""
    out = {"/"}
    for path in paths:
        out.add(path)
        k = path.find("/", 1)
        while k > 0:  # the path up to each of its slashes but the first
            out.add(path[:k])
            k = path.find("/", k + 1)
    return out


def _operation(ctx: Ctx, path: str, method: str, op: dict, where: Location | None) -> None:
    integ = op.get("x-amazon-apigateway-integration", {})
    kind = str(integ.get("type", "")).lower()
    if kind not in INTEGRATION_TYPES:
        ctx.error(f"{method} {path}: integration type {kind!r} is not one of API Gateway's", where)
    if not ctx.rest and kind != "http_proxy":
        ctx.error(f"{method} {path}: an HTTP API takes only proxy integrations here (not {kind!r})", where)
    timeout = integ.get("timeoutInMillis")
    low, high = TIMEOUT[ctx.api]
    if timeout is not None and not low <= timeout <= high:
        ctx.error(f"the integration timeout would be {timeout} ms; API Gateway takes {low}-{high} "
                  f"ms on a{' REST' if ctx.rest else 'n HTTP'} API", where,
                  hint=f"set the service's or route's timeouts to {high // 1000}s at most")
    if kind == "http_proxy" and not str(integ.get("uri", "")).startswith(("http://", "https://")):
        ctx.error(f"{method} {path}: an HTTP proxy integration needs an http(s) URI", where)
    if not ctx.rest and len(op.get("security", [])) > 1:
        ctx.error(f"{method} {path}: an HTTP API route takes one security requirement (one authorizer)", where)
    for key, value in integ.get("requestParameters", {}).items():
        _parameter(ctx, path, method, key, value, where)
    if "requestTemplates" in integ or "responses" in integ:  # a proxy integration has neither
        templates = [*integ.get("requestTemplates", {}).values(),
                     *(t for r in integ.get("responses", {}).values() for t in r.get("responseTemplates", {}).values())]
        _templates(ctx, f"{method} {path}", templates, where)


def _templates(ctx: Ctx, what: str, templates: list[str], where: Location | None) -> None:
    for t in templates:
        size = len(t.encode())
        if size > MAX_TEMPLATE:
            ctx.error(f"{what}: a mapping template would be {size:,} bytes; API Gateway takes {MAX_TEMPLATE:,} "
                      "at most", where, hint="serve a body this long from a service")


def _parameter(ctx: Ctx, path: str, method: str, key: str, value: str, where: Location | None) -> None:
    if ctx.rest:
        if value.startswith("'") and "'" in value[1:-1]:
            ctx.error(f"{method} {path}: the value for {key!r} holds a `'`, which a REST static mapping value "
                      "cannot hold (it is written between single quotes, with no escape)", where)
        return
    action, _, target = key.partition(":")
    kind, _, name = target.partition(".")
    if kind == "header" and (name.lower() in RESERVED or name.lower().startswith(RESERVED_PREFIXES)):
        ctx.error(f"{method} {path}: an HTTP API mapping cannot {action} the reserved header {name!r}", where)
    if not value.startswith("$") and "$" in value:
        ctx.error(f"{method} {path}: the value for {key!r} holds a `$`, which an HTTP API mapping reads as a "
                  "variable", where)


def _template(ctx: Ctx, tpl: dict) -> None:
    for name, res in tpl.get("Resources", {}).items():
        props = res.get("Properties", {})
        kind = res.get("Type")
        if kind in ("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"):
            if not STAGE.match(props.get("StageName", "")):
                ctx.error(f"stage name {props.get('StageName')!r}: A-Za-z0-9_- only, at most 128 characters",
                          ctx.gateway.loc)
            size = props.get("CacheClusterSize")
            if size is not None and size not in CACHE_SIZES:
                ctx.error(f"cache cluster size {size!r} is not one of API Gateway's", ctx.gateway.loc)
            for ms in props.get("MethodSettings", []):
                ttl = ms.get("CacheTtlInSeconds")
                if ttl is not None and not 0 <= ttl <= 3600:
                    ctx.error(f"cache TTL {ttl} s: API Gateway caches for 0-3600 s", ctx.gateway.loc)
        if kind == "AWS::ApiGateway::UsagePlan":
            period = props.get("Quota", {}).get("Period")
            if period is not None and period not in QUOTA_PERIODS:
                ctx.error(f"usage plan quota period {period!r}: DAY, WEEK or MONTH only", ctx.gateway.loc)
            for stage in props.get("ApiStages", []):
                if len(stage.get("Throttle", {})) > MAX_PLAN_METHOD_THROTTLES:
                    ctx.error(f"usage plan {name}: more than {MAX_PLAN_METHOD_THROTTLES} method throttles on one "
                              "stage", ctx.gateway.loc)
