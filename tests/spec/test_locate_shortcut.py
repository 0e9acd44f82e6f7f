"""locate() answers a path whose every part is present in the tree without the general walk
(issue 15: the lowering asks for tens of thousands of positions). Wherever the shortcut
answers, it must give the position the general walk gives: checked on every path of a tree
with merge keys, shorthands and keys that look like locate()'s markers, and on each of those
paths with one part changed, dropped or added."""
import pytest

from gatewayc.loader.locate import _walk, present_below
from gatewayc.loader.yamltree import YMap, YSeq, parse

DOC = """\
base: &base {a: 1, b: [x, y]}
gateways:
  web:
    <<: *base
    routes:
      - name: r0
        match:
          - path: {prefix: /a}
            headers: {X-Env: prod, X-B: q}
      - {name: r1, "1": one, 2: two}
    a: [[1, 2], {name: n, value: v}]
    "§tag": {name: t}
    "[key]": {a: k}
"""
TREE, _ = parse(DOC, "spec.yml")
PARTS = ["name", "value", "a", "X-Env", "1", "[key]", "§tag", "nope", 0, 1, 2, -1, True]


def _paths(node, at=()):
    yield at
    items = node.items() if isinstance(node, YMap) else enumerate(node) if isinstance(node, YSeq) else ()
    for k, v in items:
        yield from _paths(v, (*at, k))


def _variants():
    for p in _paths(TREE):
        yield p
        for i in range(len(p) + 1):
            yield p[:i] + p[i + 1:]
            for part in PARTS:
                yield (*p[:i], part, *p[i + 1:])
                yield (*p[:i], part, *p[i:])


@pytest.mark.parametrize("key", [False, True])
def test_the_shortcut_agrees_with_the_walk(key):
    answered = 0
    for path in _variants():
        found = present_below(TREE, path, key)
        if found is not None:
            answered += 1
            assert found == _walk(TREE, path, key), path
    assert answered > 30  # the shortcut is taken, not always passed over


def test_the_lowering_s_item_positions_agree_with_locate():
    """Lowering.item_loc() finds the node above once (a gateway's routes) and goes on from it:
    for every path, split anywhere, the position locate() gives for the whole path."""
    from gatewayc.compiler.lower import Lowering
    from gatewayc.loader.locate import locate

    lowering = Lowering.__new__(Lowering)  # only the tree and item_loc()'s memo are needed
    lowering.tree, lowering.main_file, lowering._nodes = TREE, "spec.yml", {}
    checked = 0
    for path in set(_variants()):
        for cut in range(len(path) + 1):
            assert lowering.item_loc(path[:cut], *path[cut:]) == (
                locate(TREE, path) or lowering.loc(*path)), (path, cut)
            checked += 1
    assert checked > 1000
