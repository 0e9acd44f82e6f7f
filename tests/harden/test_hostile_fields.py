"""Hostile text in every free-text string of a spec, for every registered target: refused at
validation with a diagnostic at the field, refused at build with a capability or limit error at
the field, or carried as inert data.

The spec is specs/strings.yml (every string field a user writes free text into, in a form every
target builds). Each of its strings (values, and the keys that are user data) gets text
appended: first a distinct benign marker per string (a string whose benign form the spec or a
target refuses is not free text and is left alone), then, one build per hostile string of
tests/hostile_strings.py, that hostile text in every free-text string at once. Whatever the spec
refuses must be refused with an error at a line holding the text; whatever a target refuses
must be a GWC3xx at such a line; the rest must build, pass the target's real checker
(target_checks.py), and read, as the target's consumer reads it (inert.py: nginx's parser,
decK's renderer and Kong's transformer reading, Traefik's template step and rule parser,
CloudFormation's Fn::Sub), exactly like the benign build with each marker replaced by the
hostile text in a form that carries it as data. njs and plugin code must not change at all.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

import inert
import target_checks
from gatewayc import backends
from gatewayc.build import build
from gatewayc.capabilities import is_auth
from gatewayc.compiler import compile_spec
from gatewayc.loader import load
from gatewayc.loader.yamltree import YMap, YSeq
from gatewayc.output.dump import to_yaml
from hostile_strings import ALL as HOSTILE

BASE = Path(__file__).parent / "specs" / "strings.yml"
# maps whose keys are user data (header, query and JSON field names), by the key holding them
USER_KEYED = {"set", "add", "rename", "body", "headers", "query"}


def _locations(node, path=()):
    """Every string the spec holds: ("v", path) for a value, ("k", path) for a user-data key."""
    if isinstance(node, dict):
        for k, v in node.items():
            if path and path[-1] in USER_KEYED and isinstance(k, str) and not isinstance(v, (dict, list)):
                yield ("k", path + (k,))
            yield from _locations(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _locations(v, path + (i,))
    elif isinstance(node, str) and path and path[0] != "version" and "regex" not in path:
        yield ("v", path)  # a regex is a language of its own (its tests: tests/nginx/test_regex_*)


def _plain(node):
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _variant(tree, texts: dict) -> dict:
    """`tree` with texts[loc] appended to each location's string."""
    def walk(node, path):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                key = k + texts[("k", path + (k,))] if ("k", path + (k,)) in texts else k
                out[key] = walk(v, path + (k,))
            return out
        if isinstance(node, list):
            return [walk(v, path + (i,)) for i, v in enumerate(node)]
        if ("v", path) in texts:
            return node + texts[("v", path)]
        return node
    return walk(tree, ())


def _write(path: Path, tree, base=None) -> dict[int, set]:
    """The tree as YAML; returns line -> the locations whose text is on that line."""
    path.write_text(to_yaml(tree), encoding="utf-8")  # the project's dumper: long keys, escapes
    loaded = load(str(path))
    assert loaded.tree is not None, [str(d) for d in loaded.diagnostics]
    lines: dict[int, set] = {}

    def walk(node, orig_path):
        if isinstance(node, YMap):
            for (k, v), ok in zip(node.items(), _keys_of(orig_path)):
                for kind in ("k", "v"):
                    pos = node.kpos[k] if kind == "k" else node.vpos[k]
                    lines.setdefault(pos[0], set()).update({("k", orig_path + (ok,)), ("v", orig_path + (ok,))})
                if isinstance(v, YMap):  # a bad key (or a shorthand's value) is reported at its mapping
                    lines[node.vpos[k][0]].update((kind, orig_path + (ok, ck)) for ck in _keys_of(orig_path + (ok,))
                                                  for kind in ("k", "v"))
                walk(v, orig_path + (ok,))
        elif isinstance(node, YSeq):
            for i, v in enumerate(node):
                lines.setdefault(node.ipos[i][0], set()).add(("v", orig_path + (i,)))
                walk(v, orig_path + (i,))

    def _keys_of(orig_path):
        node = base if base is not None else tree
        for p in orig_path:
            node = node[p]
        return list(node)

    walk(loaded.tree, ())
    return lines


_BASE_TREE = _plain(load(str(BASE)).tree)


def _accept(target: str) -> list[str]:
    return [f for f, s in backends.capabilities(target).items() if s.level == "unsupported" and not is_auth(f)]


def _refused_at(diags, lines, active, codes) -> set:
    """The locations the errors point at; each error must point at one and have an allowed code."""
    out = set()
    for d in diags:
        if not d.is_error:
            continue
        assert d.location is not None, str(d)
        at = lines.get(d.location.line, set()) & active
        if not at and d.code >= "GWC300":  # some build refusals point at the route, not the value
            routes = {loc[1][:4] for loc in lines.get(d.location.line, set()) if loc[1][:3] == ("gateways", "main", "routes")}
            at = {loc for loc in active if loc[1][:4] in routes}
        assert at, f"{d.code} at {d.location.line}:{d.location.col} holds no tried text: {d.message[:200]}"
        assert codes(d.code), str(d)
        out |= at
    return out


def _settle(work: Path, tree, texts_for, active: set, run, codes) -> tuple[set, object]:
    """Drop what is refused until the rest goes through; returns (accepted, last result)."""
    for _ in range(len(active) + 1):
        path = work / "gateway.yml"
        lines = _write(path, _variant(tree, texts_for(active)), tree)
        result = run(path)
        diags = result.diagnostics
        if not any(d.is_error for d in diags):
            return active, result
        active = active - _refused_at(diags, lines, active, codes)
    raise AssertionError("refused with no tried text left")


def _prefixes(active) -> dict:
    """A distinct marker per location, written before the text tried there."""
    return {loc: f"zqx{i:03d}q" for i, loc in enumerate(sorted(active, key=repr))}


def _markers(active) -> dict:
    return _prefixes(active)


def twin(h: str) -> str:
    """A benign text shaped like `h`: the same length, the same spaces, control and non-ASCII
    characters and percent escapes (which decide how a backend writes a value), but every
    other ASCII letter turned into q, so that a keyword, variable, function or field name in
    `h` is none in its twin; a text without letters gets its ASCII punctuation turned into q
    instead (what is left, if anything, is the text itself)."""
    def letters(m):
        g = m.group()
        return g if g.startswith("%") else re.sub("[A-Z]", "Q", re.sub("[a-z]", "q", g))
    t = re.sub(r"%[0-9A-Fa-f]{2}|[A-Za-z]+", letters, h)
    return t if t != h else re.sub(r"%[0-9A-Fa-f]{2}|[!-/:-@\[-`{-~]", lambda m: m.group() if len(m.group()) == 3 else "q", h)


def _with(prefixes: dict, text: str) -> dict:
    return {loc: p + text for loc, p in prefixes.items()}


def _run(target):
    return lambda p: build(str(p), [target], source="gateway.yml", accept=_accept(target))


@lru_cache(maxsize=None)
def base_tree(target: str | None, work: Path) -> dict:
    """The base spec, without the routes `target` refuses as they are (e.g. an auth method it
    lacks): every error of that build must be inside one route."""
    tree = json.loads(json.dumps(_BASE_TREE))
    if target is None:
        return tree
    d = work / f"base-{target}"
    d.mkdir(parents=True, exist_ok=True)
    for _ in range(8):
        lines = _write(d / "gateway.yml", tree)
        r = _run(target)(d / "gateway.yml")
        bad = set()
        for e in (x for x in r.diagnostics if x.is_error):
            routes = {loc[1][3] for loc in lines.get(e.location.line, set()) if loc[1][:3] == ("gateways", "main", "routes")
                      and len(loc[1]) > 3}
            assert routes, f"{target} refuses the base outside a route: {e}"
            bad |= routes
        if not bad:
            return tree
        tree["gateways"]["main"]["routes"] = [x for i, x in enumerate(tree["gateways"]["main"]["routes"]) if i not in bad]
    raise AssertionError(target)


@lru_cache(maxsize=None)
def free_text(target: str | None, work: Path) -> frozenset:
    """The locations that take free text: the spec (target None) or also `target` accept their
    benign form."""
    tree = base_tree(target, work)
    start = set(_locations(tree))
    run = (lambda p: compile_spec(str(p))) if target is None else _run(target)
    d = work / f"benign-{target}"
    d.mkdir(parents=True, exist_ok=True)
    ok, _ = _settle(d, tree, _markers, start, lambda p: compile_spec(str(p)), lambda c: c < "GWC300")
    if target is not None:
        ok, _ = _settle(d, tree, _markers, ok, run, lambda c: c >= "GWC300")
    return frozenset(ok)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("injection")


def test_the_base_has_free_text_in_every_kind_of_field(work):
    spots = free_text(None, work)
    assert len(spots) >= 25, sorted(spots)
    for target in target_checks.targets():
        assert len(free_text(target, work)) >= 10, (target, sorted(free_text(target, work)))


@lru_cache(maxsize=None)
def _validated(h: str, target: str, work: Path) -> frozenset:
    d = work / f"validate-{target}-{abs(hash(h))}"
    d.mkdir(parents=True, exist_ok=True)
    ok, _ = _settle(d, base_tree(target, work), lambda act: _with(_prefixes(act), h), set(free_text(target, work)),
                    lambda p: compile_spec(str(p)), lambda c: c < "GWC300")
    return frozenset(ok)


# found by this test and not fixed yet (reported): each must fail until its fix lands
KNOWN = {
}


def _cases():
    for h in HOSTILE:
        for t in target_checks.targets():
            why = KNOWN.get((h, t))
            yield pytest.param(h, t, marks=[pytest.mark.xfail(strict=True, reason=why)] if why else [])


@pytest.mark.parametrize("hostile,target", list(_cases()),
                         ids=[f"{i // len(target_checks.targets()):03d}-{t}"
                              for i, t in enumerate(t for _ in HOSTILE for t in target_checks.targets())])
def test_hostile_text_is_refused_or_inert(checkers, work, target, hostile):
    accepted = _validated(hostile, target, work)
    if not accepted:
        return  # the spec refuses the text everywhere (each refusal checked in _settle)
    tree = base_tree(target, work)
    d = checkers.fresh(f"inj-{target}")
    carried, hostile_build = _settle(d, tree, lambda act: _with(_prefixes(act), hostile), set(accepted),
                                     _run(target), lambda c: c >= "GWC300")
    if not carried:
        return
    markers = _prefixes(carried)
    benign = twin(hostile)
    bd = d / "benign"
    bd.mkdir()
    _write(bd / "gateway.yml", _variant(tree, _with(markers, benign)))
    benign_build = build(str(bd / "gateway.yml"), [target], source="gateway.yml", accept=_accept(target))
    assert benign_build.ok, [str(x) for x in benign_build.diagnostics if x.is_error]
    env_names = sorted(set(hostile_build.env[target]) | set(benign_build.env[target]))  # env names are text too
    checkers.check(target, hostile_build.files, hostile_build.env[target], d / "check")
    env = target_checks.deck_env(env_names) if target == "kong" else \
        {n: target_checks.TRAEFIK_ENV_VALUE for n in env_names}
    deck = checkers.deck() if target == "kong" else None
    b = inert.read(target, benign_build.files, env, deck)
    h = inert.read(target, hostile_build.files, env, deck)
    marks = list(markers.values())
    if target == "nginx":
        confs = [n for n in b if n.endswith(".conf")]
        for name in confs:
            assert not inert.nginx_differences(b[name], h[name], marks, benign, hostile), \
                (name, inert.nginx_differences(b[name], h[name], marks, benign, hostile)[:10])
        b = {n: v for n, v in b.items() if n not in confs}
        h = {n: v for n, v in h.items() if n not in confs}
    diffs = inert.differences(inert.canonical(b), inert.canonical(h), marks, benign, hostile)
    assert not diffs, diffs[:10]
