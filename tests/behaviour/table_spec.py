"""One group's spec text, assembled from its shared part and its cases' fragments, with the
lines each fragment holds (so a diagnostic can be traced back to the case it is about)."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

from table_model import Case, Group


@dataclass(frozen=True)
class Assembled:
    text: str
    spans: dict[str, tuple[tuple[int, int], ...]]  # case name -> its blocks' (first, last) lines, 1-based
    shared: tuple[tuple[int, int], ...]  # the lines of the group's shared part


def _block(yaml: str, indent: int) -> list[str]:
    body = textwrap.dedent(yaml).strip("\n")
    return [(" " * indent + ln) if ln.strip() else "" for ln in body.splitlines()] if body else []


def assemble(group: Group, cases: tuple[Case, ...], port: int) -> Assembled:
    lines = ["version: 1", "services:"]
    spans: dict[str, list[tuple[int, int]]] = {c.name: [] for c in cases}
    shared: list[tuple[int, int]] = []

    def add(block: list[str], owner: str | None) -> None:
        if not block:
            return
        span = (len(lines) + 1, len(lines) + len(block))
        lines.extend(block)
        (spans[owner] if owner else shared).append(span)

    add(_block(group.services, 2), None)
    for c in cases:
        add(_block(c.services, 2), c.name)
    if lines[-1] == "services:":
        lines[-1] = "services: {}"
    if any(c.policies for c in cases):
        lines.append("policies:")
        for c in cases:
            add(_block(c.policies, 2), c.name)
    lines += ["gateways:", "  main:", f"    listeners: [{{port: {port}, address: 127.0.0.1}}]"]
    add(_block(group.gateway, 4), None)
    lines.append("    routes:")
    for c in cases:
        add(_block(c.routes, 6), c.name)
    if lines[-1] == "    routes:":
        lines[-1] = "    routes: []"
    return Assembled("\n".join(lines) + "\n", {n: tuple(ss) for n, ss in spans.items()}, tuple(shared))


def owner(a: Assembled, line: int) -> str | None:
    """The case whose fragment holds `line`; None for the shared part."""
    for name, blocks in a.spans.items():
        if any(first <= line <= last for first, last in blocks):
            return name
    return None
