"""Deterministic names and ids."""
from __future__ import annotations

import hashlib
import re
import uuid

# Fixed forever: changing it changes every id in every generated file.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://gatewayc.dev/targets/kong")

# Spec names never contain "~" (see gatewayc.spec.types), Kong names may: suffixes made with it cannot collide.
SEP = "~"
NOT_FOUND = "gatewayc~not-found"
ANONYMOUS = "gatewayc~anonymous"


def entity_id(gateway: str, kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{gateway}/{kind}/{name}"))


_HOST_LABELS = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def upstream_name(service: str) -> str:
    """Kong upstream names must be hostnames; spec service names may hold '_' or capitals."""
    if _HOST_LABELS.match(service):
        return f"{service}.upstream"
    slug = re.sub(r"[^a-z0-9-]+", "-", service.lower()).strip("-") or "service"
    digest = hashlib.sha256(service.encode()).hexdigest()[:8]
    return f"{slug}-{digest}.upstream"


def deck_var(name: str, suffix: str = "") -> str:
    """decK only expands variables whose names start with DECK_."""
    base = name if name.startswith("DECK_") else f"DECK_{name}"
    return base + suffix
