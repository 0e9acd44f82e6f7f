"""Map a path into the data (('gateways', 'web', 'routes', 3, 'service')) back to file:line:col."""
from __future__ import annotations

from ..diagnostics import Location
from .yamltree import YMap, YSeq


def position(container, pos) -> Location:
    file = pos[2] if len(pos) > 2 else container.file
    return Location(file, pos[0], pos[1])


def locate(tree, path, *, key: bool = False) -> Location | None:
    """The position of the deepest node on `path` that exists in the tree.

    With key=True and the whole path present, the position of the last key rather than
    its value (where an unknown field is reported). Path parts that are not in the tree
    (pydantic's union tags, keys made by shorthand expansion) are passed over.
    """
    if not isinstance(tree, (YMap, YSeq)):
        return None
    return present_below(tree, path, key) or _walk(tree, path, key)


def _walk(tree, path, key: bool) -> Location:
    node = tree
    # the deepest position found, as (container, pos); made a Location once, at the end (the
    # lowering asks for every route's position: this runs tens of thousands of times)
    at = None
    parts = [p for p in path if not (isinstance(p, str) and p.startswith("§"))]
    parent, prev = None, None
    skip = False
    for i, part in enumerate(parts):
        if skip:
            skip = False
            continue
        last = i == len(parts) - 1
        if part == "[key]":
            # an invalid mapping key: point at the key itself
            if isinstance(parent, YMap) and prev in parent.kpos:
                return position(parent, parent.kpos[prev])
            break
        if isinstance(node, YMap) and isinstance(part, (str, int, float, bool)) and part in node.kpos:
            if last and key:
                return position(node, node.kpos[part])
            parent, prev = node, part
            at = node, node.vpos[part]
            node = node[part]
        elif isinstance(node, YMap) and isinstance(part, int):
            field = parts[i + 1] if not last else None
            if field in ("name", "value") and "name" not in node and 0 <= part < len(node):
                # `{X-Env: prod}` is shorthand for [{name: X-Env, value: prod}]: entry i is the i-th key
                k = list(node)[part]
                if field == "name":
                    return position(node, node.kpos[k])
                parent, prev = node, k
                at = node, node.vpos[k]
                node, skip = node[k], True
                continue
            continue  # a single mapping that a shorthand wrapped into a list
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            parent, prev = node, part
            at = node, node.ipos[part]
            node = node[part]
        else:
            break
    return Location(tree.file, *tree.pos) if at is None else position(*at)


def _has(node, part) -> bool:
    """Whether `part` is a key of `node` or an index into it, as written in the file (not a
    union tag, a shorthand's made-up key or an invalid key's marker)."""
    t = type(part)
    if type(node) is YMap:
        return (t is int or t is str and part != "[key]" and not part.startswith("§")) and part in node.kpos
    return type(node) is YSeq and t is int and 0 <= part < len(node)


def node_at(tree, path):
    """The node at `path` when every part of it is present in the tree, else None: for
    present_below(), which then starts there."""
    node = tree
    for part in path:
        if not _has(node, part):
            return None
        node = node[part]
    return node


def present_below(node, path, key: bool = False) -> Location | None:
    """The position locate() gives for `path` below `node` when every part of `path` is
    present (and `path` is not empty), else None: what the lowering asks for every route and
    match, without locate()'s general walk."""
    at = None
    last = len(path) - 1
    for i, part in enumerate(path):
        if not _has(node, part):
            return None
        if type(node) is YSeq:
            at = node, node.ipos[part]
        else:
            at = node, (node.kpos if key and i == last else node.vpos)[part]
        node = node[part]
    return None if at is None else position(*at)
