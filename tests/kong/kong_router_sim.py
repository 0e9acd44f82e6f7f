"""Two routers for the same requests: Kong's (over a generated kong.yml, after Kong 3.x
kong/router/transform.lua get_priority and the v0 upstream path rules of kong/router/utils.lua)
and Gateway API's (over the IR, with gatewayc.ir.precedence). Written independently of the
backend so that they can disagree with it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from gatewayc.ir import model as ir
from gatewayc.ir.precedence import dispatch_key, host_matches, host_specificity


@dataclass(frozen=True)
class Request:
    host: str
    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = field(default=())

    def header(self, name: str) -> str | None:
        return dict(self.headers).get(name.lower())


# --- Kong -----------------------------------------------------------------------
def _priority(r: dict) -> int:
    methods, hosts, headers, paths = r.get("methods"), r.get("hosts"), r.get("headers"), r.get("paths")
    weight = sum(1 for f in (methods, hosts, headers, paths) if f)
    plain = bool(hosts) and not any("*" in h for h in hosts)
    regex = bool(paths) and paths[0].startswith("~")
    length = 0 if regex or not paths else len(paths[0])
    return (weight << 61) | (int(plain) << 60) | (len(headers or {}) << 52) | (int(regex) << 51) | \
        ((r.get("regex_priority", 0) if regex else 0) << 19) | length


def _kong_route_match(r: dict, q: Request) -> str | None:
    """The matched path prefix, or None."""
    if r.get("hosts") and not any(h == q.host or (h.startswith("*") and q.host.endswith(h[1:]))
                                  for h in r["hosts"]):
        return None
    if r.get("methods") and q.method not in r["methods"]:
        return None
    for name, values in (r.get("headers") or {}).items():
        v = q.header(name)
        if v is None:
            return None
        ok = False
        for val in values:
            if val.startswith("~*"):
                ok = ok or re.search(val[2:].lower(), v.lower()) is not None
            else:
                ok = ok or val.lower() == v.lower()
        if not ok:
            return None
    for p in r.get("paths") or ["/"]:
        if p.startswith("~"):
            m = re.match(p[1:], q.path)
            if m:
                return m.group(0)
        elif q.path.startswith(p):
            return p
    return None


def _v0(strip: bool, base: str, req: str, matched: str) -> str:
    postfix = req[len(matched):] if strip else ""
    if base.endswith("/"):
        if strip:
            if postfix == "":
                if base == "/":
                    return "/"
                return base if req.endswith("/") else base[:-1]
            if postfix.startswith("/"):
                return base[:-1] + postfix
            return base + postfix
        return base + req[1:]
    if strip:
        if postfix == "":
            return base + "/" if len(req) > 1 and req.endswith("/") else base
        return base + postfix if postfix.startswith("/") else base + "/" + postfix
    return base if req == "/" else base + req


def kong_pick(doc: dict, q: Request) -> tuple[str, str | None]:
    """(service name, upstream path) Kong would use; raises on a tie between services."""
    best = None
    for s in doc["services"]:
        for r in s.get("routes", []):
            matched = _kong_route_match(r, q)
            if matched is None:
                continue
            prio = _priority(r)
            if best is None or prio > best[0]:
                best = (prio, s, r, matched)
            elif prio == best[0] and s["name"] != best[1]["name"]:
                raise AssertionError(f"Kong tie for {q}: {best[2]['name']} and {r['name']}")
    assert best is not None, f"no Kong route for {q} (the catch-all is missing)"
    _, s, r, matched = best
    if s.get("host") == "127.0.0.1":
        return s["name"], None
    uri = None
    for p in s.get("plugins", []):
        if p["name"] == "request-transformer":
            uri = p["config"]["replace"].get("uri")
    path = uri if uri is not None else _v0(r["strip_path"], s.get("path") or "/", q.path, matched)
    return s["name"], path


# --- Gateway API over the IR ------------------------------------------------------------
def _path_ok(pm: ir.PathMatch, path: str) -> bool:
    if pm.kind == "exact":
        return path == pm.value
    if pm.kind == "prefix":
        return pm.value == "/" or path == pm.value or path.startswith(pm.value + "/")
    return re.fullmatch(pm.value, path) is not None


def _match_ok(route: ir.Route, m: ir.Match, q: Request) -> bool:
    if route.hostnames and not any(h == q.host or host_matches(h, q.host) for h in route.hostnames):
        return False
    if m.methods and q.method not in m.methods:
        return False
    for h in m.headers:
        v = q.header(h.name)
        if v is None or (v != h.value if h.kind == "exact" else re.fullmatch(h.value, v) is None):
            return False
    if m.query:
        return False  # requests here carry no query string
    return _path_ok(m.path, q.path)


def gateway_pick(gw: ir.Gateway, q: Request, not_found: str) -> tuple[str, str | None]:
    cands = [d for d in gw.dispatch if _match_ok(d.route, d.match, q)]
    if not cands:
        return not_found, None
    d = min(cands, key=lambda d: (host_specificity(d.route.hostnames, q.host), dispatch_key(d)))
    a = d.route.action
    if not isinstance(a, ir.Forward):
        return d.route.name, None
    base = a.service.targets[0].base_path
    path = q.path
    pr = a.path_rewrite
    if pr is not None:
        if pr.kind == "full":
            path = pr.value
        else:
            prefix = "" if d.match.path.value == "/" else d.match.path.value
            rest = q.path[len(prefix):]
            new = "/" if pr.kind == "strip_prefix" else pr.value
            path = (new.rstrip("/") + rest) if rest else new
            path = path or "/"
    if base and path == "/":  # Kong v0 sends <base> for "/" (documented approximation)
        return d.route.name, base
    return d.route.name, base + path
