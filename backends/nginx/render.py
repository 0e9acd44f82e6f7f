"""Directive tree -> nginx.conf text. Every argument is double-quoted and escaped, so no
user string can end a directive, open a block or split into two arguments."""
from __future__ import annotations

import re
from typing import Protocol

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# what quote() escapes, the backslash first: the others' replacements add backslashes
_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))

# nginx reads its configuration through a 4096-byte buffer (limits.py). A token of at most
# FITS characters fits anywhere: quoted and UTF-8 encoded (at most 4 bytes a character), it
# takes at most 4 * 1023 + 2 = 4094 bytes.
BUFFER = 4096
FITS = (BUFFER - 1 - 2) // 4


class Watcher(Protocol):
    """Told of what render writes (limits.Scan): the checks of what nginx cannot read back
    then take no walk of the tree of their own."""

    special: frozenset[str]  # directive names it wants to see (each node of these)

    def node(self, node: dict) -> Watcher | None: ...  # a special node; the watcher for its block
    def token(self, node: dict, text: str) -> None: ...  # a token longer than FITS, at each occurrence


def quote(arg: str) -> str:
    # five replaces, each a C scan that finds nothing in most arguments, take a quarter of
    # the time of one str.translate (tests/nginx/test_render_shortcuts.py compares them)
    for char, escaped in _ESCAPES:
        arg = arg.replace(char, escaped)
    return f'"{arg}"'


def render(tree: list[dict], indent: int = 0, watcher: Watcher | None = None) -> str:
    return "".join(lines(tree, indent, watcher))


def lines(tree: list[dict], indent: int = 0, watcher: Watcher | None = None) -> list[str]:
    """The text as lines, for a caller that joins it with other text: one join of a large
    config instead of two (at 10k routes its http block is 20 MB)."""
    out: list[str] = []
    _emit(tree, indent, out, {}, ({}, {}), watcher, set())
    return out


def _emit(tree: list[dict], depth: int, out: list[str], done: dict[tuple[int, int], list[str]],
          written: tuple[dict[str, str], dict[str, str]], watcher: Watcher | None, watched: set[int]) -> None:
    """`done`: the lines of each block already written, by (id, depth): a route's body is
    one list shared by every location and server that holds it, written once. `written`:
    each directive name and each argument as written: a large config repeats the same few
    thousand of them millions of times. A token longer than FITS is never kept there: the
    watcher hears of each of its occurrences. `watched`: the blocks the watcher has seen (a
    block that several places share counts once); local to one render, as objects made
    during it and kept after would pin the memory of its lines once they are freed."""
    pad = "    " * depth
    names, args = written
    special = watcher.special if watcher is not None else ()
    for node in tree:
        name = node["directive"]
        if name == "#":
            out.append(f"{pad}# {node['comment']}\n")
            continue
        text = names.get(name)
        if text is None:
            # map/geo entries use the directive slot for a key, which may be user text
            text = name if IDENT.fullmatch(name) else quote(name)
            if len(name) <= FITS:
                names[name] = text
            elif watcher is not None:
                watcher.token(node, name)
        parts = [text]
        for a in node["args"]:
            q = args.get(a)
            if q is None:
                q = quote(a)
                if len(a) <= FITS:
                    args[a] = q
                elif watcher is not None:
                    watcher.token(node, a)
            parts.append(q)
        head = " ".join(parts)
        inner = watcher.node(node) if name in special else watcher  # type: ignore[union-attr]
        if "block" in node:
            out.append(f"{pad}{head} {{\n")
            block = node["block"]
            key = (id(block), depth + 1)
            if key not in done:
                done[key] = []
                if inner is not None:
                    if id(block) in watched:
                        inner = None
                    else:
                        watched.add(id(block))
                _emit(block, depth + 1, done[key], done, written, inner, watched)
            out.extend(done[key])
            out.append(f"{pad}}}\n")
        else:
            out.append(f"{pad}{head};\n")


def comment(text: str) -> dict:
    """A comment line; only for generator-owned text (a newline would end it)."""
    assert "\n" not in text
    return {"directive": "#", "args": [], "comment": text}
