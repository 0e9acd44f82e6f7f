"""Target backends. Adding one = a folder here with `BACKEND` (in __init__.py) and
`CAPABILITIES` (in capabilities.py, importable without the backend itself), plus one
line in REGISTRY."""
from __future__ import annotations

import importlib

REGISTRY: dict[str, str] = {
    "aws": "gatewayc.backends.aws",
    "envoy": "gatewayc.backends.envoy",
    "kong": "gatewayc.backends.kong",
    "nginx": "gatewayc.backends.nginx",
    "traefik": "gatewayc.backends.traefik",
}


def names() -> list[str]:
    return sorted(REGISTRY)


def load(name: str):
    return importlib.import_module(REGISTRY[name]).BACKEND


def capabilities(name: str):
    return importlib.import_module(REGISTRY[name] + ".capabilities").CAPABILITIES
