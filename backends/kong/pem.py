"""Public JWK (RSA, EC P-256/P-384) -> PEM SubjectPublicKeyInfo, in pure Python (a small DER writer),
for Kong's `jwt_secrets[].rsa_public_key` (which holds EC keys too)."""
from __future__ import annotations

import base64
import textwrap

_RSA = "1.2.840.113549.1.1.1"
_EC = "1.2.840.10045.2.1"
_CURVES = {"P-256": ("1.2.840.10045.3.1.7", 32), "P-384": ("1.3.132.0.34", 48)}


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _len(len(body)) + body


def _int(v: int) -> bytes:
    b = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big")  # leading 0 keeps it positive
    return _tlv(0x02, b)


def _oid(dotted: str) -> bytes:
    parts = [int(x) for x in dotted.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return _tlv(0x06, out)


def _b64u(s: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"bad base64url value: {exc}") from None


def jwk_to_pem(jwk: dict) -> str:
    kty = jwk.get("kty")
    if kty == "RSA":
        if not isinstance(jwk.get("n"), str) or not isinstance(jwk.get("e"), str):
            raise ValueError("RSA key without n/e")
        n = int.from_bytes(_b64u(jwk["n"]), "big")
        e = int.from_bytes(_b64u(jwk["e"]), "big")
        alg = _tlv(0x30, _oid(_RSA) + b"\x05\x00")
        key = _tlv(0x30, _int(n) + _int(e))
    elif kty == "EC":
        crv = _CURVES.get(jwk.get("crv"))
        if crv is None:
            raise ValueError(f"EC curve {jwk.get('crv')!r} is not supported (P-256, P-384)")
        x, y = _b64u(jwk.get("x", "")), _b64u(jwk.get("y", ""))
        if len(x) != crv[1] or len(y) != crv[1]:
            raise ValueError("EC key with wrong coordinate length")
        alg = _tlv(0x30, _oid(_EC) + _oid(crv[0]))
        key = b"\x04" + x + y
    else:
        raise ValueError(f"key type {kty!r} is not supported")
    der = _tlv(0x30, alg + _tlv(0x03, b"\x00" + key))
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode("ascii"), 64))
    return f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"
