"""The CloudFormation template that deploys one gateway's document, with what OpenAPI cannot
hold. Intrinsic functions are written in their long form (`Fn::Sub`, `Ref`) so the one
deterministic YAML dumper needs no custom tags."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .context import Ctx


def stage_name(gateway: str) -> str:
    """A stage name from the gateway's ([A-Za-z0-9_-], at most 128 characters)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", gateway)[:128]


def template(ctx: Ctx, doc: dict, description: str, stage: dict[str, Any] | None = None,
             resources: dict[str, Any] | None = None) -> dict:
    """`stage`: extra Stage properties (cache, method settings, access logs); `resources`: extra
    resources (usage plans, keys, the log group), keyed by logical id."""
    out: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Description": description}
    if ctx.parameters:
        out["Parameters"] = {name: ctx.parameters[name] for name in sorted(ctx.parameters)}
    out["Resources"] = _rest(ctx, doc, stage or {}) if ctx.rest else _http(ctx, doc, stage or {})
    out["Resources"].update(sorted((resources or {}).items()))
    out["Outputs"] = {"Url": {"Description": "the stage's invoke URL", "Value": _url(ctx)}}
    return out


def _rest(ctx: Ctx, doc: dict, stage: dict[str, Any]) -> dict:
    # A Deployment is a snapshot of the API: a changed Body needs a new one, or the stage keeps
    # serving the old API. Its logical id carries the Body's digest, so CloudFormation makes a
    # new Deployment exactly when the document changes.
    # (the document is a tree: checking it for cycles, json's default, only costs time)
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True, check_circular=False).encode()).hexdigest()[:12]
    deployment = f"Deployment{digest}"
    return {
        "Api": {"Type": "AWS::ApiGateway::RestApi",
                "Properties": {"Name": ctx.gateway.name, "Body": doc, "FailOnWarnings": True,
                               "EndpointConfiguration": {"Types": ["REGIONAL"]}}},
        deployment: {"Type": "AWS::ApiGateway::Deployment",
                     "Properties": {"RestApiId": {"Ref": "Api"}, "Description": f"OpenAPI document {digest}"}},
        "Stage": {"Type": "AWS::ApiGateway::Stage",
                  "Properties": {"RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": deployment},
                                 "StageName": stage_name(ctx.gateway.name), **stage}},
    }


def _http(ctx: Ctx, doc: dict, stage: dict[str, Any]) -> dict:
    return {
        "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Body": doc, "FailOnWarnings": True}},
        "Stage": {"Type": "AWS::ApiGatewayV2::Stage",
                  "Properties": {"ApiId": {"Ref": "Api"}, "StageName": "$default", "AutoDeploy": True, **stage}},
    }


def _url(ctx: Ctx) -> dict:
    if ctx.rest:
        return {"Fn::Sub": "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
                           + stage_name(ctx.gateway.name)}
    return {"Fn::GetAtt": ["Api", "ApiEndpoint"]}
