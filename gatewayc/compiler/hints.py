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


_KEYS = ("client_ip", "consumer")


def wrong_value(model_at, root: type[BaseModel], loc: tuple, value: Any) -> str | None:
    model = model_at(root, loc)
    name = model.__name__ if model is not None else None
    if name == "Auth" and value is False:
        return "a route without auth is written `auth: anonymous`"
    if name == "Key" and isinstance(value, str):
        close = [k for k in _KEYS if value.lower().replace("-", "_") in k]
        guess = f"did you mean `key: {close[0]}`? " if len(close) == 1 else ""
        return guess + "a limit key is `client_ip`, `consumer`, `{header: NAME}` or `{claim: NAME}`"
    return None
