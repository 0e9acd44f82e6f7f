"""Which spec value a piece of generated text came from.

A backend that finds something wrong with the text it wrote (an nginx argument longer than
nginx reads, say) points the user at the spec value behind it. Generated text rarely holds
a value verbatim: it is escaped, quoted, JSON-encoded, percent-decoded, or made of several
values (a JSON body from a mapping). So both sides are reduced to their letters and digits
(or, for a value without any, to its characters without escapes and spaces), and the answer
is the deepest node of the spec (a scalar, or the mapping or list around several) whose
values make up at least half of the text, or the value that holds the middle half of the text
(a base path inside a URL); failing that, the largest value found in it."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import unquote

from ..diagnostics import Location
from ..loader.locate import position
from ..loader.yamltree import YMap, YSeq

_MIN = 4  # shorter values occur by accident in any text
_DOLLAR = "${gwc_dollar}"  # how the NGINX backend writes a literal "$"


def _alnum(text: str) -> str:
    text = re.sub(r"\\u[0-9a-fA-F]{4}", "", text.replace(_DOLLAR, "$"))
    return re.sub(r"[^0-9a-z]", "", unquote(text).lower())


def _plain(text: str) -> str:
    # JSON writes non-ASCII as \uXXXX: back to characters, then no escapes, no spaces
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text.replace(_DOLLAR, "$"))
    return re.sub(r"[\\\s]", "", text)


def _scalar(v) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float, bool)) or v is None:
        return json.dumps(v)
    return None


def origin_finder(tree) -> Callable[[str], Location | None]:
    def find(text: str) -> Location | None:
        if not isinstance(tree, (YMap, YSeq)):
            return None
        return _search(tree, _alnum(text), _alnum) or _search(tree, _plain(text), _plain)

    return find


def _search(tree, target: str, norm: Callable[[str], str]) -> Location | None:
    if not target:
        return None
    half = len(target) / 2
    best: list = [0, None, -1]  # weight, location, depth of the deepest node holding half
    largest: list = [0, None]

    def leaf(value, loc: Location) -> int:
        s = _scalar(value)
        n = norm(s) if s is not None else ""
        weight = len(n) if len(n) >= _MIN and n in target else 0
        if not weight and len(target) >= 2 * _MIN:
            q = len(target) // 4
            if target[q:len(target) - q] in n:
                weight = len(target) - 2 * q  # the text is mostly part of one value (a base path in a URL)
        if weight > largest[0]:
            largest[:] = [weight, loc]
        return weight

    def walk(node, loc: Location, depth: int) -> int:
        if isinstance(node, YMap):
            weight = sum(leaf(k, position(node, node.kpos[k])) + walk(v, position(node, node.vpos[k]), depth + 1)
                         for k, v in node.items())
        elif isinstance(node, YSeq):
            weight = sum(walk(v, position(node, node.ipos[i]), depth + 1) for i, v in enumerate(node))
        else:
            weight = leaf(node, loc)
        if weight and weight >= half and depth > best[2]:
            best[:] = [weight, loc, depth]
        return weight

    walk(tree, Location(tree.file, *tree.pos), 0)
    return best[1] or largest[1]
