"""What Envoy would refuse to load, found on the bootstrap before it is written, and the one
size the build sets instead of refusing.

`envoy --mode validate` checks the constraints of Envoy's API protos; the ones user text can
reach (measured on Envoy 1.40 in tests/harden/test_output_limits.py):

- config.core.v3.HeaderValue: `key` and `value` of at most 16384 bytes (base.proto,
  `max_bytes: 16384`): every header a route, a virtual host, a local reply or CORS adds.
- config.route.v3.QueryParameterMatcher: `name` of at most 1024 bytes.
- a direct response body longer than the route configuration's
  `max_direct_response_body_size_bytes` (4096 by default) is refused ("response body size
  is N bytes; maximum is 4096"): the build sets that field to the longest body instead."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from gatewayc.diagnostics import Location

from .context import Ctx

HEADER_BYTES = 16384
QUERY_NAME_BYTES = 1024
DIRECT_BODY_DEFAULT = 4096


def _nodes(node) -> Iterator[dict]:
    """Every mapping under `node`, parents before children (depth first, in order): a loop,
    not nested generators, whose cost per node grew with its depth."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            yield n
            stack.extend(reversed(n.values()))
        elif isinstance(n, list):
            stack.extend(reversed(n))


def _refuse(ctx: Ctx, origin: Callable[[str], Location | None], text: str, what: str, limit: int) -> None:
    head = text[:40].encode("unicode_escape").decode()
    ctx.over_limit(f"the value makes {what} of {len(text.encode())} bytes (\"{head}...\"); Envoy takes at most "
                   f"{limit}", origin(text), "shorten the value, or build for another target")


def check(doc: dict, origin: Callable[[str], Location | None], ctx: Ctx) -> None:
    """A GWC350 for every value of `doc` over one of Envoy's limits, at the spec value behind
    it; each route configuration gets the direct response body size its bodies need."""
    for node in _nodes(doc):
        header = node.get("header")
        if isinstance(header, dict) and "key" in header:
            for part in ("key", "value"):
                text = header.get(part, "")
                if isinstance(text, str) and len(text.encode()) > HEADER_BYTES:
                    _refuse(ctx, origin, text, f"a header {'name' if part == 'key' else 'value'}", HEADER_BYTES)
        for q in node.get("query_parameters", ()) if isinstance(node.get("query_parameters"), list) else ():
            if len(q.get("name", "").encode()) > QUERY_NAME_BYTES:
                _refuse(ctx, origin, q["name"], "a query parameter name to match", QUERY_NAME_BYTES)
        if isinstance(node.get("route_config"), dict):
            longest = max((len(n["body"]["inline_string"].encode()) for n in _nodes(node["route_config"])
                           if isinstance(n.get("body"), dict) and "inline_string" in n["body"]
                           and "status" in n), default=0)
            if longest > DIRECT_BODY_DEFAULT:
                node["route_config"]["max_direct_response_body_size_bytes"] = longest
