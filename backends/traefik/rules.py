"""Router rules in Traefik v3 syntax, built from IR matches.

A rule is a Go expression (Traefik parses it with go/parser): every value is a Go string
literal, raw (backquoted) where it can be, otherwise interpreted ("..." with escapes), and the
whole rule stays on one line. v3 matchers take one value each (Header/Query two); alternatives
are joined with `||`. Traefik matches paths after percent-decoding and its regex matchers are
unanchored, so spec paths are decoded and regexes anchored here.
"""
from __future__ import annotations

import json
import re
from urllib.parse import unquote

from gatewayc.ir import model as ir


def go_string(s: str) -> str:
    """A Go string literal holding exactly `s`. Raw strings cannot hold a backquote and drop
    carriage returns, so those (and any other control character) get an interpreted string;
    JSON's escapes are a subset of Go's."""
    if _INTERPRETED.search(s):
        return json.dumps(s, ensure_ascii=False)
    return f"`{s}`"


_INTERPRETED = re.compile("[`\x00-\x1f\x7f]")  # what a raw string cannot hold as itself


def call(fn: str, *args: str) -> str:
    return f"{fn}({', '.join(go_string(a) for a in args)})"


def any_of(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " || ".join(parts) + ")"


def all_of(parts: list[str]) -> str:
    return " && ".join(parts)


def quote_meta(s: str) -> str:
    """Go's regexp.QuoteMeta: the text as a regex matching exactly it."""
    return "".join("\\" + c if c in "\\.+*?()|[]{}^$" else c for c in s)


def full_match(rx: str) -> str:
    """Traefik's regex matchers search; the spec's regexes match the whole value."""
    return f"^(?:{rx})$"


def path_rule(p: ir.PathMatch) -> str:
    if p.kind == "regex":
        return call("PathRegexp", full_match(p.value))
    v = unquote(p.value)  # Traefik matches the decoded path; spec paths may be percent-encoded
    if p.kind == "exact":
        return call("Path", v)
    if v == "/":
        return call("PathPrefix", "/")
    # whole segments: /p and /p/..., never /px
    return any_of([call("Path", v), call("PathPrefix", v + "/")])


def host_rule(hosts: tuple[str, ...]) -> str | None:
    """Traefik compares hosts case-insensitively and without the port. `*.example.com` in the
    spec matches any number of labels, Traefik's `Host(`*.x`)` exactly one: a regex instead."""
    parts = []
    for h in hosts:
        if h.startswith("*."):
            parts.append(call("HostRegexp", "^(?i).+" + quote_meta(h[1:]) + "$"))
        else:
            parts.append(call("Host", h))
    return any_of(parts) if parts else None


def match_rule(m: ir.Match, hosts: tuple[str, ...]) -> str:
    parts = []
    h = host_rule(hosts)
    if h:
        parts.append(h)
    parts.append(path_rule(m.path))
    if m.methods:
        parts.append(any_of([call("Method", x) for x in m.methods]))
    for hm in m.headers:
        parts.append(call("Header", hm.name, hm.value) if hm.kind == "exact"
                     else call("HeaderRegexp", hm.name, full_match(hm.value)))
    for q in m.query:
        parts.append(call("Query", q.name, q.value) if q.kind == "exact"
                     else call("QueryRegexp", q.name, full_match(q.value)))
    return all_of(parts)
