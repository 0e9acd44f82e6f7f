"""IR values in the words and units a spec author writes: 15m, 1MB, GET /api/users."""
from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..ir import model as ir

from ..units import duration, size  # noqa: F401 - part of this module's vocabulary


def secret(ref: ir.SecretRef | None) -> str:
    if ref is None:
        return "none"
    return f"{ref.kind}:{ref.name}"


def jsonish(v: Any) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def listing(items, empty: str = "none") -> str:
    items = [str(i) for i in items]
    return ", ".join(items) if items else empty


# --- matches and routes -----------------------------------------------------------
def path_match(p: ir.PathMatch) -> str:
    if p.kind == "regex":
        return f"~{p.value}"
    return p.value


def match(m: ir.Match) -> str:
    parts = []
    if m.methods:
        parts.append(",".join(m.methods))
    parts.append(path_match(m.path))
    for h in m.headers:
        parts.append(f"[{h.name}{'=' if h.kind == 'exact' else '~'}{h.value}]")
    for q in m.query:
        parts.append(f"[?{q.name}{'=' if q.kind == 'exact' else '~'}{q.value}]")
    return " ".join(parts)


def route_label(r: ir.Route) -> str:
    """`GET /api/users`, or `GET =/health | POST /x` for several matches."""
    label = " | ".join(match(m) for m in r.matches) or "/"
    if r.hostnames:
        label += f" (hosts {listing(r.hostnames)})"
    return label


def target(t: ir.Target) -> str:
    s = f"{t.scheme}://{t.host}:{t.port}{t.base_path}"
    return s if t.weight == 1 else f"{s} (weight {t.weight})"


def action(a: ir.Action) -> str:
    if isinstance(a, ir.Forward):
        s = f"service {a.service.name}"
        if a.path_rewrite:
            s += f", rewrite {path_rewrite(a.path_rewrite)}"
        if a.host_rewrite:
            s += f", host {a.host_rewrite}"
        if a.mirror:
            s += f", mirror to {a.mirror.service.name}" + (f" ({a.mirror.percent}%)" if a.mirror.percent < 100 else "")
        if a.websocket:
            s += ", WebSocket"
        return s
    if isinstance(a, ir.Redirect):
        bits = [f"{k} {v}" for k, v in (("scheme", a.scheme), ("host", a.hostname), ("port", a.port)) if v]
        if a.path:
            bits.append(f"path {path_rewrite(a.path)}")
        return f"redirect {a.status}" + (f" ({', '.join(bits)})" if bits else "")
    if isinstance(a, ir.Aggregate):
        return f"aggregate {listing(f'{p.key}={p.service.name}{p.path}' for p in a.parts)} (on failure {a.on_failure})"
    if isinstance(a, ir.Respond):
        return f"respond {a.status}"
    return type(a).__name__


def path_rewrite(p: ir.PathRewrite) -> str:
    return "strip prefix" if p.kind == "strip_prefix" else f"{p.kind.replace('_', ' ')} {p.value}"


# --- auth -------------------------------------------------------------------------
def auth_method(m: ir.AuthMethod | None) -> str:
    if m is None:
        return "none (anonymous)"
    if isinstance(m, ir.JwtAuth):
        s = f"jwt {listing(m.algorithms)}"
        key = secret(m.secret) if m.secret else f"jwks {m.jwks.source}" if m.jwks else ""
        extra = [key] if key else []
        if m.issuer:
            extra.append(f"issuer {m.issuer}")
        if m.audiences:
            extra.append(f"audiences {listing(m.audiences)}")
        return s + (f" ({'; '.join(extra)})" if extra else "")
    if isinstance(m, ir.ApiKeyAuth):
        where = f"header {m.header}" if m.header else f"query {m.query}"
        return f"api key in {where} ({secret(m.keys)})"
    if isinstance(m, ir.BasicAuth):
        return f"basic ({secret(m.credentials)})"
    if isinstance(m, ir.MtlsAuth):
        return f"mtls (subjects {listing(m.subjects, 'any trusted')})"
    if isinstance(m, ir.AnyOf):
        return "any of [" + "; ".join(auth_method(x) for x in m.methods) + "]"
    if isinstance(m, ir.AllOf):
        return "all of [" + "; ".join(auth_method(x) for x in m.methods) + "]"
    return type(m).__name__


def limit_key(k: ir.LimitKey | None) -> str:
    if k is None:
        return "none"
    return k.kind if k.name is None else f"{k.kind} {k.name}"


def store(s: ir.RedisStore | None) -> str:
    if s is None:
        return "none"
    host = f"[{s.host}]" if ":" in s.host else s.host
    auth = f", password {secret(s.password)}" if s.password else ""
    return f"redis {host}:{s.port} database {s.database}{auth}"


# --- generic field flattening -------------------------------------------------------
_SKIP = {"loc", "index"}


def label(name: str) -> str:
    for suffix in ("_ms",):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name.replace("_", " ")


def flatten(obj: Any, prefix: str = "") -> dict[str, str]:
    """A dataclass tree as {"field path": "value in spec words"}, for field-by-field diffs."""
    out: dict[str, str] = {}
    if obj is None:
        return out
    if isinstance(obj, ir.Service):  # referenced, not embedded: compared on its own
        out[prefix.rstrip(" ") or "service"] = obj.name
        return out
    if isinstance(obj, ir.SecretRef):
        out[prefix.rstrip(" ")] = secret(obj)
        return out
    if isinstance(obj, ir.LimitKey):
        out[prefix.rstrip(" ")] = limit_key(obj)
        return out
    if isinstance(obj, ir.RedisStore):
        out[prefix.rstrip(" ")] = store(obj)
        return out
    if isinstance(obj, ir.Target):
        out[prefix.rstrip(" ")] = target(obj)
        return out
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            if f.name in _SKIP or not f.compare:  # positions, not meaning
                continue
            v = getattr(obj, f.name)
            key = f"{prefix}{label(f.name)}"
            if dataclasses.is_dataclass(v):
                sub = flatten(v, key + " ")
                out.update(sub if sub else {})
            elif isinstance(v, tuple) and v and all(dataclasses.is_dataclass(x) for x in v):
                if all(isinstance(x, (ir.Target, ir.SecretRef, ir.LimitKey)) for x in v):
                    out[key] = listing(flatten(x, "x")["x"] for x in v)
                else:
                    for i, x in enumerate(v):
                        out.update(flatten(x, f"{key}[{i + 1}] "))
            else:
                out[key] = scalar(f.name, v)
        return out
    out[prefix.rstrip(" ")] = scalar(prefix, obj)
    return out


def scalar(name: str, v: Any) -> str:
    if v is None:
        return "none"
    if name.endswith("_ms") and isinstance(v, int):
        return duration(v)
    if name == "body_limit" and isinstance(v, int):
        return size(v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, tuple):
        if v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
            return listing(f"{a}={b if isinstance(b, str) else jsonish(b)}" for a, b in v)
        return listing(v)
    if isinstance(v, (dict, list)):
        return jsonish(v)
    return str(v)


def flatten_nonempty(obj: Any) -> dict[str, str]:
    return {k: v for k, v in flatten(obj).items() if v not in ("none", "")}


def flatten_ir(spec: ir.IR) -> dict[str, str]:
    """The whole IR flattened (positions left out): the last-resort equality check."""
    out: dict[str, str] = {}
    for g in spec.gateways:
        out.update(flatten(g, f"gateway {g.name} "))
    for s in spec.services:
        out.update(flatten(s, f"service {s.name} "))
    out["accept degraded"] = scalar("", spec.accept_degraded)
    return out
