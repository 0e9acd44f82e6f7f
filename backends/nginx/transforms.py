"""Request header/query and response header transforms.

proxy_set_header replaces every inherited proxy_set_header, so the route body states the
complete list (forwarding headers included) in one place: request_headers() below."""
from __future__ import annotations

import re

from gatewayc.ir import model as ir

from . import credentials
from .context import Context, d, header_var, if_, literal


def _append_var(gw: ir.Gateway, route: ir.Route, name: str, ctx: Context) -> str:
    return ctx.var("add", ctx.route_id(gw, route), name.lower())


def _arg_ok(name: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_]+", name) is not None


def http_directives(gateways: tuple[ir.Gateway, ...], ctx: Context) -> list[dict]:
    """`add` keeps what the client sent: a map joins the old and new value with ", "."""
    out = []
    if ctx.dropping("transform.request.headers"):
        return out
    for gw in gateways:
        for r in gw.routes:
            gone = {h.lower() for h in credentials.claim_headers(gw) + credentials.hidden_headers(r)}
            for name, value in r.policies.transforms.request_headers.add:
                src = header_var(name)
                if src is None or name.lower() in gone:  # nothing of the client's to keep
                    continue
                out.append(d("map", src, _append_var(gw, r, name, ctx),
                             block=[d("default", f"{src}, {literal(value)}"), d("", literal(value))]))
    return out


def request_headers(gw: ir.Gateway, route: ir.Route, base: list[tuple[str, str]], ctx: Context,
                    last: list[tuple[str, str]] = (), gone: set[str] = frozenset()) -> list[dict]:
    """Every proxy_set_header of the route: `base` (forwarding headers, values already
    nginx expressions), then the spec's transforms in the order remove, rename, set, add,
    then `last` (also nginx expressions). `gone`: lower-case names whose client value
    was removed before the transforms (so `add` sets, `rename` finds nothing)."""
    headers: dict[str, str] = {k.lower(): v for k, v in base}
    names: dict[str, str] = {k.lower(): k for k, _ in base}
    ops = route.policies.transforms.request_headers
    if ops and not ctx.dropping("transform.request.headers"):
        def put(name: str, value: str) -> None:
            headers[name.lower()] = value
            names[name.lower()] = name

        for name in ops.remove:
            put(name, "")  # an empty value makes nginx leave the header out
        for old, new in ops.rename:
            if old.lower() in gone:
                continue
            src = header_var(old)
            if src is None:
                ctx.note("GWC310", f"route {route.name!r}: nginx cannot read header {old!r} to rename it", route.loc)
                continue
            put(new, src)
            put(old, "")
        for name, value in ops.set:
            put(name, literal(value))
        for name, value in ops.add:
            if name.lower() in gone:
                put(name, literal(value))
            elif header_var(name) is None:
                ctx.note("GWC311", f"route {route.name!r}: nginx cannot read header {name!r}; `add` sets it", route.loc)
                put(name, literal(value))
            else:
                put(name, _append_var(gw, route, name, ctx))
    for name, value in last:
        headers[name.lower()] = value
        names[name.lower()] = name
    return header_directives(headers, names)


def header_directives(headers: dict[str, str], names: dict[str, str]) -> list[dict]:
    """proxy_set_header lines, sorted: `headers` and `names` are keyed by lower-case name."""
    return [d("proxy_set_header", names[k], headers[k]) for k in sorted(headers)]


def query_directives(gw: ir.Gateway, route: ir.Route, ctx: Context) -> list[dict]:
    """Rewrites $args with regexes. Parameter values are left percent-encoded as sent;
    remove/rename/set act on one (the last) occurrence of a name."""
    ops = route.policies.transforms.request_query
    if not ops or ctx.dropping("transform.request.query"):
        return []
    out: list[dict] = []

    def strip(name: str) -> None:
        # "&a=1&b=2" style: work on "&$args&" so every parameter sits between '&'s
        pat = f"^(.*)&{re.escape(name)}(=[^&]*)?&(.*)$"
        out.append(if_("$gwc_q", "~", pat, [d("set", "$gwc_q", "$1&$3")]))

    out.append(d("set", "$gwc_q", "&$args&"))
    for name in ops.remove:
        strip(name)
    for old, new in ops.rename:
        pat = f"^(.*)&{re.escape(old)}(=[^&]*)?&(.*)$"
        out.append(if_("$gwc_q", "~", pat, [d("set", "$gwc_q", f"$1&{new}$2&$3")]))
    for name, value in ops.set:
        strip(name)
        out.append(d("set", "$gwc_q", f"${{gwc_q}}{name}={literal(_encode(value))}&"))
    for name, value in ops.add:
        out.append(d("set", "$gwc_q", f"${{gwc_q}}{name}={literal(_encode(value))}&"))
    # drop the guard '&'s (and doubled ones left by removals)
    out.append(if_("$gwc_q", "~", "^&*(.*?)&*$", [d("set", "$args", "$1")]))
    return out


def _encode(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


# headers nginx writes into every response itself, unless a module sets its own copy: the
# upstream's are hidden by default (proxy_hide_header), and only the headers-more module,
# absent from nginx 1.22's packages, can drop nginx's; njs 0.7.9 can neither delete them nor
# replace them (a `Server` it sets is a second one). Measured on the real nginx.
NGINX_OWN = {"server": "Server: nginx", "date": "Date"}


def nginx_own(ops: ir.HeaderOps) -> list[str]:
    """The headers of NGINX_OWN a response transform names (lower case)."""
    return sorted({n.lower() for n in (*ops.remove, *(n for n, _ in ops.set), *(n for n, _ in ops.add))}
                  & NGINX_OWN.keys())


def own_headers(ops: ir.HeaderOps, loc, ctx: Context) -> None:
    """GWC310 where a response transform names a header nginx always sends itself; routes
    that inherit one transform get one diagnostic, at that transform."""
    named = nginx_own(ops)
    if named and not ctx.dropping("transform.response.headers"):
        own = " and ".join(f"`{NGINX_OWN[n]}`" for n in named)
        ctx.note("GWC310", f"sends its own {own} in every response; `response.headers` cannot remove, set or add it "
                 "(that needs the headers-more module, which nginx 1.22 lacks)", loc)


def response_headers(route: ir.Route, ctx: Context) -> list[dict]:
    ops = route.policies.transforms.response_headers
    if not ops or ctx.dropping("transform.response.headers"):
        return []
    own_headers(ops, route.policies.transforms.loc, ctx)
    out: list[dict] = []
    for name in ops.remove:
        out.append(d("proxy_hide_header", name))
    for name, value in ops.set:
        out += [d("proxy_hide_header", name), d("add_header", name, literal(value), "always")]
    for name, value in ops.add:
        out.append(d("add_header", name, literal(value), "always"))
    return out
