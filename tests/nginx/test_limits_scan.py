"""limits.Scan gathers what the output checks need while render() writes the directive tree
(issue 15: no walk of its own over a 10k-route config). It must find exactly what a plain
walk of the tree finds, in the same order (the first finding of a spec value is the one
reported): every example and test spec, a generated mix, and outputs with tokens longer
than FITS (as a name, a last argument, a middle argument, twice in one directive, in a
map entry and in a block that two servers share)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import gatewayc.backends.nginx as nginx
from gatewayc.backends.nginx import limits
from gatewayc.backends.nginx.limits import _HASHED_BY, BUFFER, MAP_PARAMETERS
from gatewayc.backends.nginx.render import FITS, lines, render
from gatewayc.build import build

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_mix import spec_text  # noqa: E402

_SPECIAL = {*_HASHED_BY, "map", "location", "rewrite", "if"}


def _walk(tree: list[dict], found: dict, seen: set[int]) -> None:
    """The plain walk (what the checks ran before they were told by render())."""
    for node in tree:
        name = node["directive"]
        if name == "#":
            continue
        args, block = node["args"], node.get("block")
        if len(name) > FITS:
            found["long"].append((id(node), name, BUFFER - (1 if args or block is not None else 0)))
        for i, a in enumerate(args):
            if len(a) > FITS:
                found["long"].append((id(node), a, BUFFER - (0 if block is None and i == len(args) - 1 else 1)))
        if name == "map":
            longest = found["hashed"].get("map_hash_bucket_size", 0)
            for entry in block:
                key, eargs = entry["directive"], entry["args"]
                if len(key) > FITS:
                    found["long"].append((id(entry), key, BUFFER - (1 if eargs else 0)))
                for i, a in enumerate(eargs):
                    if len(a) > FITS:
                        found["long"].append((id(entry), a, BUFFER - (0 if i == len(eargs) - 1 else 1)))
                if key.startswith("~"):
                    caseless = key.startswith("~*")
                    found["regexes"].append((id(node), key[2:] if caseless else key[1:], caseless))
                elif key not in MAP_PARAMETERS:
                    longest = max(longest, len(key.encode()))
            if longest:
                found["hashed"]["map_hash_bucket_size"] = longest
            continue
        if name in _HASHED_BY:
            size = _HASHED_BY[name]
            found["hashed"][size] = max(found["hashed"].get(size, 0), len(args[0].encode()))
        elif name == "location" and len(args) == 2 and args[0] in ("~", "~*"):
            found["regexes"].append((id(node), args[1], args[0] == "~*"))
        elif name == "rewrite" and args:
            found["regexes"].append((id(node), args[0], False))
        elif name == "if" and len(args) == 3 and args[1] in ("~", "~*", "!~", "!~*"):
            found["regexes"].append((id(node), args[2][:-1], args[1].endswith("*")))
        if block and id(block) not in seen:
            seen.add(id(block))
            _walk(block, found, seen)


def _as_walk(scan: limits.Scan) -> dict:
    return {"long": [(id(n), t, room) for n, t, room in scan.long], "hashed": scan.hashed,
            "regexes": [(id(n), rx, c) for n, rx, c in scan.regexes]}


def _compare(tree: list[dict]) -> dict:
    walked: dict = {"long": [], "hashed": {}, "regexes": []}
    _walk(tree, walked, set())
    scan = limits.Scan()
    render(tree, 1, scan)
    assert _as_walk(scan) == walked
    return walked


LONG = "x" * (FITS + 1)
SHARED = [{"directive": "return", "args": ["200", LONG]}]
TREES = {
    "name": [{"directive": LONG, "args": ["v"]}, {"directive": LONG, "args": []}],
    "last and middle": [{"directive": "add_header", "args": ["X", LONG]},
                        {"directive": "add_header", "args": [LONG, "v", "always"]}],
    "twice in one": [{"directive": "set", "args": [LONG, LONG]}],
    "map entry": [{"directive": "map", "args": ["$a", "$b"], "block": [
        {"directive": "default", "args": [LONG]}, {"directive": "~^" + LONG, "args": ["1", LONG]},
        {"directive": "if", "args": ["x"]}, {"directive": "location", "args": []}]}],
    "shared block": [{"directive": "server", "args": [], "block": [
                         {"directive": "location", "args": ["~", "^/a"], "block": SHARED},
                         {"directive": "location", "args": ["~*", "^/b"], "block": SHARED}]},
                     {"directive": "server", "args": [], "block": [
                         {"directive": "location", "args": ["~", "^/c"], "block": SHARED}]}],
    "hashed and if": [{"directive": "proxy_set_header", "args": ["X-" + "h" * 60, "v"]},
                      {"directive": "if", "args": ["($a", "!~*", "^b)"], "block": []},
                      {"directive": "rewrite", "args": ["^/x", "/y"]}],
}


@pytest.mark.parametrize("name", sorted(TREES))
def test_scan_agrees_with_the_walk_on_long_tokens(name):
    found = _compare(TREES[name])
    assert found["long"] or found["regexes"] or found["hashed"], "the case must find something"


def test_scan_agrees_with_the_walk_on_every_spec(tmp_path, monkeypatch):
    specs = sorted(ROOT.glob("examples/**/*.yml")) + sorted(ROOT.glob("tests/spec/cases/*.yml"))
    specs += sorted(ROOT.glob("tests/*/specs/**/*.yml"))
    (tmp_path / "mix.yml").write_text(spec_text(500))
    specs.append(tmp_path / "mix.yml")
    seen = []

    def checked(write):
        def run(tree, indent=0, watcher=None):
            if watcher is None:
                return write(tree, indent)
            walked: dict = {"long": [], "hashed": {}, "regexes": []}
            _walk(tree, walked, set())
            out = write(tree, indent, watcher)
            assert _as_walk(watcher) == walked
            seen.append(len(walked["regexes"]))
            return out
        return run

    monkeypatch.setattr(nginx, "render", checked(render))
    monkeypatch.setattr(nginx, "lines", checked(lines))
    for spec in specs:
        for form in ("full", "include"):
            build(str(spec), ["nginx"], source=spec.name, form=form)
    assert sum(seen) > 1000  # the mix alone has thousands of regexes
