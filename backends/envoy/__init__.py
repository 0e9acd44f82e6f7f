"""Envoy (>= 1.30; floor.py: the features that need newer) backend: one static bootstrap,
`envoy.yaml` (listeners with their HTTP connection managers and routes, clusters, the admin
endpoint when metrics are asked for).

Run it from the output directory: `cd DIR && envoy -c envoy.yaml` (files the spec names,
such as a JWKS or a users file, are referenced as the spec wrote them)."""
from __future__ import annotations

from .capabilities import CAPABILITIES

__all__ = ["BACKEND", "CAPABILITIES", "EnvoyBackend"]


def __getattr__(name: str):
    # lazy, so that `capabilities` can be imported without the rest of the backend
    if name in ("BACKEND", "EnvoyBackend"):
        from . import backend
        return getattr(backend, name)
    raise AttributeError(name)
