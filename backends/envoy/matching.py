"""IR matches -> Envoy RouteMatch objects.

Envoy takes the first route of a virtual host that matches, so the order of the routes
carries Gateway API precedence (routes.py); this module only says what one route matches.
Envoy's regexes are RE2 and match the whole value (path, header, query parameter), as the
spec's do."""
from __future__ import annotations

from gatewayc.ir import model as ir

IDEMPOTENT = ("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE")


def string_match(kind: str, value: str) -> dict:
    return {"exact": value} if kind == "exact" else {"safe_regex": {"regex": value}}


def methods_matcher(methods: tuple[str, ...]) -> dict:
    if len(methods) == 1:
        return {"name": ":method", "string_match": {"exact": methods[0]}}
    return {"name": ":method", "string_match": {"safe_regex": {"regex": "|".join(methods)}}}


def path_match(p: ir.PathMatch) -> dict:
    if p.kind == "exact":
        return {"path": p.value}
    if p.kind == "regex":
        return {"safe_regex": {"regex": p.value}}
    v = p.value.rstrip("/")
    # whole segments: /p and /p/..., never /px
    return {"prefix": "/"} if not v else {"path_separated_prefix": v}


def route_match(m: ir.Match, path: dict | None = None, methods: tuple[str, ...] | None = None) -> dict:
    """`path` replaces the match's own path matcher, `methods` its methods (a split route)."""
    out = dict(path or path_match(m.path))
    headers = []
    ms = m.methods if methods is None else methods
    if ms:
        headers.append(methods_matcher(ms))
    headers += [{"name": h.name.lower(), "string_match": string_match(h.kind, h.value)} for h in m.headers]
    if headers:
        out["headers"] = headers
    if m.query:
        out["query_parameters"] = [{"name": q.name, "string_match": string_match(q.kind, q.value)} for q in m.query]
    return out


def split_methods(m: ir.Match) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """(idempotent methods, the others) of a match, for routes whose retries differ by method.
    None: that part matches nothing; () for the others: any method (the route comes after the
    idempotent one, which takes those first)."""
    if not m.methods:
        return IDEMPOTENT, ()
    idem = tuple(x for x in m.methods if x in IDEMPOTENT)
    other = tuple(x for x in m.methods if x not in IDEMPOTENT)
    return (idem or None), (other or None)
