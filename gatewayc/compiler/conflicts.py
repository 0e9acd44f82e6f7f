"""Routes that fight over the same requests.

A match B can only be unreachable because of a higher-precedence match A when both have
the same hostnames, path, headers and query (anything else either ranks B higher or lets
B accept requests A refuses), and A's methods include B's. Regex paths are compared
textually: two different regexes may overlap, but deciding that is not worth guessing.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic
from ..ir import model as ir


def _group_key(d: ir.Dispatch) -> tuple:
    m = d.match
    return (tuple(sorted(d.route.hostnames)), m.path.kind, m.path.value, m.headers, m.query)


def _covers(a: ir.Match, b: ir.Match) -> bool:
    return not a.methods or (bool(b.methods) and set(b.methods) <= set(a.methods))


def _same_target(a: ir.Route, b: ir.Route) -> bool:
    return a.action == b.action and a.policies == b.policies


def find_conflicts(dispatch: list[ir.Dispatch]) -> list[Diagnostic]:
    groups: dict[tuple, list[ir.Dispatch]] = {}
    for d in dispatch:  # already in precedence order
        groups.setdefault(_group_key(d), []).append(d)
    out = []
    for entries in groups.values():
        for i, b in enumerate(entries[1:], 1):
            for a in entries[:i]:
                if not _covers(a.match, b.match):
                    continue
                where = ((a.match.loc, f"route {a.route.name!r} matches first"),)
                same = a.match.methods == b.match.methods
                if same and a.route is not b.route and not _same_target(a.route, b.route):
                    out.append(Diagnostic(
                        "GWC202", f"route {b.route.name!r} has the same match as route {a.route.name!r} "
                        f"({_describe(b.match)}) but a different action", b.match.loc,
                        hint="make the matches differ or remove one route", related=where))
                else:
                    out.append(Diagnostic(
                        "GWC203", f"route {b.route.name!r} can never match: every request it accepts "
                        f"({_describe(b.match)}) goes to route {a.route.name!r} first", b.match.loc,
                        hint="narrow or reorder the earlier match, or remove this one", related=where))
                break
    return out


def _describe(m: ir.Match) -> str:
    s = f"{m.path.kind} {m.path.value}"
    if m.methods:
        s = f"{'|'.join(m.methods)} {s}"
    if m.headers:
        s += " with headers " + ", ".join(h.name for h in m.headers)
    if m.query:
        s += " with query " + ", ".join(q.name for q in m.query)
    return s
