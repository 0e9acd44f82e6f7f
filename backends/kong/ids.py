"""Deterministic names and ids."""
from __future__ import annotations

import hashlib
import re
import uuid
from functools import lru_cache

# Fixed forever: changing it changes every id in every generated file.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://gatewayc.dev/targets/kong")
_NAMESPACE_BYTES = NAMESPACE.bytes

# Spec names never contain "~" (see gatewayc.spec.types), Kong names may: suffixes made with it cannot collide.
SEP = "~"
NOT_FOUND = "gatewayc~not-found"
ANONYMOUS = "gatewayc~anonymous"


def entity_id(gateway: str, kind: str, name: str) -> str:
    """str(uuid.uuid5(NAMESPACE, ...)) without building UUID objects (RFC 4122 4.3: the first
    16 bytes of SHA-1 over namespace + name, version 5 and the variant bits set); a large spec
    asks for tens of thousands (tests/kong/test_ids.py: equal to uuid.uuid5)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{gateway}/{kind}/{name}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_HOST_LABELS = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


@lru_cache(maxsize=1 << 12)  # asked for each route of a service
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
