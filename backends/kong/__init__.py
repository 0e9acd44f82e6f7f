"""Kong 3.x (OSS) backend: a DB-less / decK declarative file per gateway.

One gateway -> `kong.yml`; several gateways -> `<gateway>.kong.yml` each, because one Kong node
serves one set of listeners (kong.conf) and cannot bind routes to a listener.
"""
from __future__ import annotations

from .capabilities import CAPABILITIES

__all__ = ["BACKEND", "CAPABILITIES", "KongBackend"]


def __getattr__(name: str):
    # lazy, so that `capabilities` can be imported without the rest of the backend
    if name in ("BACKEND", "KongBackend"):
        from . import backend
        return getattr(backend, name)
    raise AttributeError(name)
