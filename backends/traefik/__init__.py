"""Traefik v3 (3.7) backend: the file provider's dynamic configuration (`dynamic.yml`) and the
static configuration it needs (`traefik.yml`), plus gatewayc's local plugin when a route needs it.

Run it from the output directory: `cd DIR && traefik --configFile=traefik.yml` (the file
provider and the local plugin are found relative to the working directory)."""
from __future__ import annotations

from .capabilities import CAPABILITIES

__all__ = ["BACKEND", "CAPABILITIES", "TraefikBackend"]


def __getattr__(name: str):
    # lazy, so that `capabilities` can be imported without the rest of the backend
    if name in ("BACKEND", "TraefikBackend"):
        from . import backend
        return getattr(backend, name)
    raise AttributeError(name)
