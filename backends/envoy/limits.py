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


def _refuse(ctx: Ctx, origin: Callable[[str], Location | None], text: str, what: str, limit: int) -> None:
    head = text[:40].encode("unicode_escape").decode()
    ctx.over_limit(f"the value makes {what} of {len(text.encode())} bytes (\"{head}...\"); Envoy takes at most "
                   f"{limit}", origin(text), "shorten the value, or build for another target")


def check(doc: dict, origin: Callable[[str], Location | None], ctx: Ctx) -> None:
    """A GWC350 for every value of `doc` over one of Envoy's limits, at the spec value behind
    it; each route configuration gets the direct response body size its bodies need.

    One walk over every mapping, parents before children (depth first, in order: the order of
    the diagnostics). The walk keeps a stack of iterators rather than recursing (no limit on
    the depth) or pushing every value (a scalar costs only its step of the loop), and looks
    into a plain mapping only when it holds one of the keys the checks read. A route
    configuration's longest direct response body is counted while its subtree is walked (a
    depth-first walk takes a subtree in one stretch); its size field, an int that changes no
    check, is set when the subtree is done."""
    route_configs: set[int] = set()  # the ids of the route configurations met as a parent's field
    walking: list[list] = []  # [route configuration, longest body, stack depth of its values]
    stack: list[Iterator] = [iter((doc,))]
    while stack:
        for node in stack[-1]:
            t = type(node)
            if t is str:
                continue
            if t is dict or isinstance(node, dict):
                if t is not dict or not _READ.isdisjoint(node) or id(node) in route_configs:
                    _visit(node, origin, ctx, route_configs, walking, len(stack) + 1)
                stack.append(iter(node.values()))
                break
            if isinstance(node, list):
                stack.append(iter(node))
                break
        else:
            stack.pop()
            if walking and walking[-1][2] > len(stack):
                rc, longest, _ = walking.pop()
                if longest > DIRECT_BODY_DEFAULT:
                    rc["max_direct_response_body_size_bytes"] = longest


def _visit(node: dict, origin: Callable[[str], Location | None], ctx: Ctx, route_configs: set[int],
           walking: list[list], depth: int) -> None:
    """The checks on one mapping, before its values are walked at `depth`."""
    if id(node) in route_configs:
        walking.append([node, 0, depth])
    header = node.get("header")
    if isinstance(header, dict) and "key" in header:
        for part in ("key", "value"):
            text = header.get(part, "")
            if isinstance(text, str) and len(text.encode()) > HEADER_BYTES:
                _refuse(ctx, origin, text, f"a header {'name' if part == 'key' else 'value'}", HEADER_BYTES)
    query = node.get("query_parameters")
    for q in query if isinstance(query, list) else ():
        if len(q.get("name", "").encode()) > QUERY_NAME_BYTES:
            _refuse(ctx, origin, q["name"], "a query parameter name to match", QUERY_NAME_BYTES)
    if walking and "status" in node:
        body = node.get("body")
        if isinstance(body, dict) and "inline_string" in body:
            size = len(body["inline_string"].encode())
            for w in walking:
                w[1] = max(w[1], size)
    if isinstance(node.get("route_config"), dict):
        route_configs.add(id(node["route_config"]))


# the keys `_visit` reads: a plain mapping without any (and not a route configuration) has nothing to check
_READ = frozenset(("header", "query_parameters", "status", "route_config"))
