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
    ok = True
    for ip, patterns in filtered.items():
        for path, methods in ops.items():
            for method, op in methods.items():
                if op.route.policies.ip == ip:
                    continue
                if any(_covers(p, path, method) for p in patterns):
                    ok = ctx.limitation("ip_filter", f"route {owners[ip].name!r}: its IP filter, a resource policy "
                                        f"on {', '.join(sorted(set(patterns)))}, would also cover {method} {path} "
                                        f"of route {op.route.name!r}", ip.loc,
                                        hint="give the routes under this prefix the same `ip` filter") and ok
                    if not ok:
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


def _covers(pattern: str, path: str, method: str) -> bool:
    """Whether the policy pattern matches a request that `method` on `path` answers (a greedy
    path: one a segment deeper)."""
    concrete = path.replace(GREEDY, "x") if path.endswith(GREEDY) else path
    return any(fnmatch.fnmatchcase(f"{m}{concrete}", pattern) for m in (METHODS if method == ANY else (method,)))
