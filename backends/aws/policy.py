"""IP filters as the REST API's resource policy (`x-amazon-apigateway-policy`): everyone may
invoke the API, except that each filtered route's methods are denied to addresses outside its
`allow` list and to addresses in its `deny` list (aws:SourceIp, the client's address as API
Gateway sees it). A denied request gets the ACCESS_DENIED gateway response (403).

A policy names methods by ARN patterns, where `*` matches any characters: a greedy resource
`/a/{proxy+}` is `/a/*`, which also covers every deeper resource. So a filtered route's
patterns must not cover a method another route (with another filter, or none) answers: then
the build fails rather than filter that route too."""
from __future__ import annotations

import fnmatch

from gatewayc.ir import model as ir
from gatewayc.prefixindex import PrefixIndex

from .context import Ctx
from .tree import ANY, GREEDY, Op


def resource_policy(ctx: Ctx, ops: dict[str, dict[str, Op]]) -> dict | None:
    filtered: dict[ir.IpFilter, list[str]] = {}
    owners: dict[ir.IpFilter, ir.Route] = {}
    for path, methods in ops.items():
        for method, op in methods.items():
            ip = op.route.policies.ip
            if ip is None or ctx.dropping("ip_filter"):
                continue
            if not ctx.only_rest("an IP filter (resource policy)", ip.loc, "ip_filter"):
                return None
            filtered.setdefault(ip, []).append(arn(path, method))
            owners.setdefault(ip, op.route)
    if not filtered:
        return None
    for ip, path, method, op in _conflicts(filtered, ops):
        patterns = filtered[ip]
        if not ctx.limitation("ip_filter", f"route {owners[ip].name!r}: its IP filter, a resource policy "
                              f"on {', '.join(sorted(set(patterns)))}, would also cover {method} {path} "
                              f"of route {op.route.name!r}", ip.loc,
                              hint="give the routes under this prefix the same `ip` filter"):
            return None
    statements: list[dict] = [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                               "Resource": "execute-api:/*"}]
    for ip, patterns in sorted(filtered.items(), key=lambda kv: sorted(kv[1])):
        resources = [f"execute-api:/*/{p}" for p in sorted(set(patterns))]
        if ip.allow:
            statements.append({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
                               "Resource": resources, "Condition": {"NotIpAddress": {"aws:SourceIp": list(ip.allow)}}})
        if ip.deny:
            statements.append({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
                               "Resource": resources, "Condition": {"IpAddress": {"aws:SourceIp": list(ip.deny)}}})
    return {"Version": "2012-10-17", "Statement": statements}


def arn(path: str, method: str) -> str:
    """`METHOD/path` as a policy pattern (after `execute-api:/<stage>/`)."""
    p = path.replace("/" + GREEDY, "/*") if path.endswith(GREEDY) else path
    return f"{'*' if method == ANY else method}{p if p != '/' else '/'}"


METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")


def _conflicts(filtered: dict[ir.IpFilter, list[str]], ops: dict[str, dict[str, Op]]):
    """(filter, path, method, op) for each method of another route that a filter's patterns
    cover, by filter then in path order. A pattern `GET/a/*` can only match a path that starts
    with its literal part `/a/`; a pattern `*/a` (any method), whose `*` also matches the start of
    a path, only a path with `/a` starting at one of its slashes. So each method is tested
    against the patterns indexed under its path's prefixes (and its suffixes' prefixes), not
    against every pattern."""
    order = {ip: n for n, ip in enumerate(filtered)}
    named: PrefixIndex[tuple[str, ir.IpFilter]] = PrefixIndex()
    anymethod: PrefixIndex[tuple[str, ir.IpFilter]] = PrefixIndex()
    for ip, patterns in filtered.items():
        for p in dict.fromkeys(patterns):
            (anymethod if p.startswith("*") else named).add(_literal(p), (p, ip))
    found = []
    for n, (path, methods) in enumerate(ops.items()):
        concrete = _concrete(path)
        candidates = list(named.above(concrete, inclusive=True))
        k = concrete.find("/")
        while k >= 0:
            candidates.extend(anymethod.above(concrete[k:], inclusive=True))
            k = concrete.find("/", k + 1)
        for method, op in methods.items():
            hits = {ip for p, ip in candidates if ip != op.route.policies.ip and _covers(p, path, method)}
            found.extend((order[ip], n, ip, path, method, op) for ip in hits)
    found.sort(key=lambda f: f[:2])
    return [f[2:] for f in found]


def _literal(pattern: str) -> str:
    """The pattern's path before its first wildcard (its method part is matched apart)."""
    path = pattern[pattern.index("/"):]
    cut = min((i for i in (path.find(c) for c in "*?[") if i >= 0), default=len(path))
    return path[:cut]


def _concrete(path: str) -> str:
    """A request path the resource answers (a greedy resource: one a segment deeper)."""
    return path.replace(GREEDY, "x") if path.endswith(GREEDY) else path


def _covers(pattern: str, path: str, method: str) -> bool:
    """Whether the policy pattern matches a request that `method` on `path` answers (a greedy
    path: one a segment deeper)."""
    concrete = _concrete(path)
    return any(_matches(f"{m}{concrete}", pattern) for m in (METHODS if method == ANY else (method,)))


def _matches(text: str, pattern: str) -> bool:
    """`fnmatch.fnmatchcase(text, pattern)`. A pattern whose only wildcard is `*` (every pattern
    `arn` makes from a path without `?` or `[`) is matched by its literal pieces, leftmost
    first, which needs no regular expression: fnmatch compiles one per distinct pattern, most
    of the policy check's time on a large API."""
    if "?" in pattern or "[" in pattern:
        return fnmatch.fnmatchcase(text, pattern)
    first, *middle, last = pattern.split("*") if "*" in pattern else (pattern, None)
    if last is None:
        return text == pattern
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    at = len(first)
    for piece in middle:
        at = text.find(piece, at, end)
        if at < 0:
            return False
        at += len(piece)
    return True
