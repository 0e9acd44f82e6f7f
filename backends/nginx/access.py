"""IP allow/deny, request body size, required headers/query: refusals nginx makes itself,
answered through the route's error_page (answers.py)."""
from __future__ import annotations

import re

from gatewayc.ir import model as ir

from .context import Context, d, header_var, if_


def server_directives() -> list[dict]:
    """The spec's default: no body limit (docs/spec.md, Body limit). Set once per server,
    so every location a request passes through inherits it: the dispatch location that
    picks among routes split by method, the internal auth location of the auth_request
    subrequest (which shares the main request's Content-Length), error and named
    locations. Where nginx's own 1 MiB default applied, a larger body got 413 or, from
    the auth subrequest, 500. A route's body_limit overrides it in its own location."""
    return [d("client_max_body_size", "0")]


def location_directives(gw: ir.Gateway, route: ir.Route, ctx: Context) -> list[dict]:
    p = route.policies
    out: list[dict] = []
    if p.ip and not ctx.dropping("ip_filter"):
        # deny first: an address in both lists is refused (nginx stops at the first hit)
        out += [d("deny", c) for c in p.ip.deny] + [d("allow", c) for c in p.ip.allow]
        if p.ip.allow:
            out.append(d("deny", "all"))
    if p.body_limit is not None and not ctx.dropping("body_limit"):
        # 0 would mean "no limit" to nginx; the spec's 0 means no body at all
        out += [d("client_max_body_size", max(1, p.body_limit)),
                # nginx checks Content-Length against client_max_body_size only while
                # choosing a location, never in the named location a dispatch jumps to
                if_("$content_length", "~", _greater_than(p.body_limit), [d("return", "413")])]
    return out


def _greater_than(n: int) -> str:
    """A regex matching decimal numbers above n."""
    s = str(n)
    alts = [f"[1-9][0-9]{{{len(s)},}}"]
    for i, ch in enumerate(s):
        if ch != "9":
            alts.append(f"{s[:i]}[{int(ch) + 1}-9][0-9]{{{len(s) - i - 1}}}")
    return "^0*(?:" + "|".join(alts) + ")$"


def validation_directives(route: ir.Route, ctx: Context) -> list[dict]:
    v = route.policies.validation
    if not v or ctx.dropping("validation.required"):
        return []
    out: list[dict] = []
    conds = []
    for h in v.required_headers:
        var = header_var(h)
        if var is None:
            ctx.note("GWC310", f"route {route.name!r}: nginx cannot read header {h!r} to require it", v.loc)
        else:
            conds.append(var)
    for q in v.required_query:
        if re.fullmatch(r"[A-Za-z0-9_]+", q):
            conds.append("$arg_" + q)
        else:
            ctx.note("GWC310", f"route {route.name!r}: nginx cannot read query parameter {q!r} to require it", v.loc)
    for var in conds:
        # an empty value counts as missing: nginx cannot tell them apart
        out.append(if_(var, "~", "^$", [d("return", v.status)]))
    return out
