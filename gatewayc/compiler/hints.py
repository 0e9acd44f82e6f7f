"""Hints that fit the mistake, for schema errors whose generic hint would mislead.

Each rule knows one common slip (a field one level too deep, a value from another tool's
vocabulary); anything else keeps the generic hint of gatewayc.compiler.schema_errors.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

# (model, unknown field) -> where that setting lives
_ELSEWHERE = {
    ("CircuitBreaker", "timeout"): "a circuit breaker has no timeout: the time allowed to a request is "
                                   "`timeouts.request` (on the service or in route policies); how long the breaker "
                                   "stays open is `open_for`",
    ("Retry", "timeout"): "a retry has no timeout of its own: each try's time is `timeouts.per_try`, the whole "
                          "request's `timeouts.request` (on the service or in route policies)",
    ("Retry", "per_try_timeout"): "each try's time is `timeouts.per_try` (on the service or in route policies)",
}


def unknown_field(model_at, root: type[BaseModel], loc: tuple) -> str | None:
    model = model_at(root, loc[:-1])
    field = loc[-1]
    if model is not None and (model.__name__, field) in _ELSEWHERE:
        return _ELSEWHERE[(model.__name__, field)]
    # one level too deep: `failure:` inside `jwt:` belongs to the `auth:` around it
    named = [p for p in loc[:-1] if isinstance(p, str) and not p.startswith("§")]
    if len(named) >= 2:
        cut = max(i for i, p in enumerate(loc[:-1]) if p == named[-1])
        parent = model_at(root, loc[:cut])
        if parent is not None and field in parent.model_fields and field != named[-1]:
            return f"`{field}` belongs under `{named[-2]}:`, next to `{named[-1]}:`, not inside it"
    return None


# YAML 1.1 booleans: YAML 1.2 (what gatewayc and the JSON Schema read) takes them as text
_YAML11_BOOLS = {"yes": "true", "on": "true", "y": "true", "no": "false", "off": "false", "n": "false"}


def wrong_value(model_at, root: type[BaseModel], loc: tuple, value: Any) -> str | None:
    model = model_at(root, loc)
    name = model.__name__ if model is not None else None
    if isinstance(value, str) and value.lower() in _YAML11_BOOLS and _takes_bool(root, loc):
        return (f"YAML 1.2 reads {value} as the text {value!r}, not as a boolean; "
                f"write {_YAML11_BOOLS[value.lower()]}")
    if name == "Auth" and value is False:
        return "a route without auth is written `auth: anonymous`"
    return None


def _takes_bool(root: type[BaseModel], loc: tuple) -> bool:
    from .schema_errors import _unwrap, model_at

    parent = model_at(root, loc[:-1])
    f = parent.model_fields.get(loc[-1]) if parent is not None and isinstance(loc[-1], str) else None
    return f is not None and bool in _unwrap(f.annotation)
