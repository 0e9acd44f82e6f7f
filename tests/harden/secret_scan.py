"""Every form in which a secret could sit in a generated file: raw, base64 (standard and
URL-safe, at any alignment inside a longer blob), URL-encoded, JSON-escaped, hex."""
from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import quote, quote_plus


def _base64_forms(raw: bytes) -> set[bytes]:
    """The base64 text that must appear wherever `raw` is encoded inside a longer blob: for
    each of the 3 alignments, the characters that depend on `raw` alone."""
    out = set()
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + raw)
        head = (pad * 4 + 2) // 3  # characters that mix in the padding bytes
        tail = ((pad + len(raw)) % 3 and 4 - (pad + len(raw)) % 3 + 1) or 0  # partial last group
        core = enc[head:len(enc) - tail] if tail else enc[head:]
        core = core.rstrip(b"=")
        if len(core) >= 8:
            out |= {core, core.replace(b"+", b"-").replace(b"/", b"_")}
    return out


def forms(secret: str) -> set[bytes]:
    raw = secret.encode()
    found = {raw, quote(secret, safe="").encode(), quote_plus(secret).encode(), quote(secret).encode(),
             json.dumps(secret)[1:-1].encode(), json.dumps(secret, ensure_ascii=False)[1:-1].encode(),
             binascii.hexlify(raw), binascii.hexlify(raw).upper()}
    return found | _base64_forms(raw)


def leaks(data: bytes, secrets: dict[str, str]) -> list[str]:
    """Which secrets (by label) `data` holds in any form."""
    out = []
    for label, s in secrets.items():
        for f in forms(s):
            if f in data:
                out.append(f"{label} ({f[:30]!r})")
                break
    return out
