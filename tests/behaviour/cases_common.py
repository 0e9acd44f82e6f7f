"""Expectations several parts of the table share: the answers the gateway makes itself (M2)."""
from __future__ import annotations

from table_model import Send

JSON = "application/json"
PHRASES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           413: "Content Too Large", 429: "Too Many Requests", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


def answer(path: str, status: int, headers: dict | None = None, *, reply_headers: dict | None = None,
           **kw) -> Send:
    """A request the gateway must answer itself with the default body for `status`."""
    return Send(path, headers=headers or {}, status=status, upstream=None, json={"error": PHRASES[status]},
                reply_headers={"content-type": JSON, **(reply_headers or {})}, **kw)


def not_found(path: str, headers: dict | None = None, **kw) -> Send:
    return answer(path, 404, headers, **kw)
