"""AWS API Gateway backend: an OpenAPI 3.0 document with the x-amazon-apigateway-* extensions
(`openapi.json`, importable with `aws apigateway import-rest-api`) and the CloudFormation
template that deploys it with what OpenAPI cannot hold (`template.yaml`): stage, usage plan,
API keys, cache settings. REST API by default; an HTTP API with `--aws-api http`."""
from __future__ import annotations

from .capabilities import CAPABILITIES

__all__ = ["BACKEND", "CAPABILITIES", "AwsBackend"]


def __getattr__(name: str):
    # lazy, so that `capabilities` can be imported without the rest of the backend
    if name in ("BACKEND", "AwsBackend"):
        from . import backend
        return getattr(backend, name)
    raise AttributeError(name)
