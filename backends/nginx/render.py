"""Directive tree -> nginx.conf text. Every argument is double-quoted and escaped, so no
user string can end a directive, open a block or split into two arguments."""
from __future__ import annotations

import re

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def quote(arg: str) -> str:
    return '"' + arg.translate(_ESCAPES) + '"'


def render(tree: list[dict], indent: int = 0) -> str:
    lines: list[str] = []
    _emit(tree, indent, lines, {}, ({}, {}))
    return "".join(lines)


def _emit(tree: list[dict], depth: int, out: list[str], done: dict[tuple[int, int], list[str]],
          written: tuple[dict[str, str], dict[str, str]]) -> None:
    """`done`: the lines of each block already written, by (id, depth): a route's body is
    one list shared by every location and server that holds it, written once. `written`:
    each directive name and each argument as written: a large config repeats the same few
    thousand of them millions of times."""
    pad = "    " * depth
    names, args = written
    for node in tree:
        name = node["directive"]
        if name == "#":
            out.append(f"{pad}# {node['comment']}\n")
            continue
        text = names.get(name)
        if text is None:
            # map/geo entries use the directive slot for a key, which may be user text
            text = names[name] = name if IDENT.fullmatch(name) else quote(name)
        parts = [text]
        for a in node["args"]:
            q = args.get(a)
            if q is None:
                q = args[a] = quote(a)
            parts.append(q)
        head = " ".join(parts)
        if "block" in node:
            out.append(f"{pad}{head} {{\n")
            key = (id(node["block"]), depth + 1)
            if key not in done:
                done[key] = []
                _emit(node["block"], depth + 1, done[key], done, written)
            out.extend(done[key])
            out.append(f"{pad}}}\n")
        else:
            out.append(f"{pad}{head};\n")


def comment(text: str) -> dict:
    """A comment line; only for generator-owned text (a newline would end it)."""
    assert "\n" not in text
    return {"directive": "#", "args": [], "comment": text}
