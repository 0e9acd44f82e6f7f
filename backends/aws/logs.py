"""Access logs: the stage's access log settings, written to a CloudWatch Logs group the
template makes. One line per request, JSON or text, from API Gateway's `$context` variables.

`$context.path` is the request path without the query string (API Gateway has no variable
for the query string), and no request header is logged, so no credential is ever written
(settled meaning M5)."""
from __future__ import annotations

import json
from typing import Any

from .context import Ctx

LOG_GROUP = "AccessLogs"
# the fields the other targets' JSON access logs carry, by API Gateway's names for them
FIELDS = {"time": "$context.requestTime", "client": "$context.identity.sourceIp", "method": "$context.httpMethod",
          "uri": "$context.path", "status": "$context.status", "bytes": "$context.responseLength",
          "duration": "$context.responseLatency", "request_id": "$context.requestId",
          "user_agent": "$context.identity.userAgent"}
TEXT = ('$context.identity.sourceIp - [$context.requestTime] "$context.httpMethod $context.path $context.protocol" '
        '$context.status $context.responseLength $context.responseLatency $context.requestId')


def access_logs(ctx: Ctx) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the Stage's properties, the template's extra resources) for the gateway's access log."""
    o = ctx.gateway.observability
    if not o.access_log or ctx.dropping("observability.access_log"):
        return {}, {}
    fmt = json.dumps(FIELDS, separators=(",", ":")) if o.access_log == "json" else TEXT
    setting = {"DestinationArn": {"Fn::GetAtt": [LOG_GROUP, "Arn"]}, "Format": fmt}
    if ctx.rest:
        ctx.info("a REST API writes access logs only once the account's API Gateway settings name a CloudWatch Logs "
                 "role (AWS::ApiGateway::Account CloudWatchRoleArn, once per region; not in this template)",
                 o.where("access_log"))
    stage = {"AccessLogSetting" if ctx.rest else "AccessLogSettings": setting}
    return stage, {LOG_GROUP: {"Type": "AWS::Logs::LogGroup", "Properties": {}}}
