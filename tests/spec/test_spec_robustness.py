"""Hostile and random input: compile_spec returns diagnostics, it never raises, and it
refuses YAML bombs quickly without building them."""
from __future__ import annotations

import io
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from gatewayc.compiler import compile_spec
from gatewayc.diagnostics import Diagnostic

CASES = Path(__file__).parent / "cases"
_DIR = tempfile.mkdtemp(prefix="gatewayc-fuzz-")


def _check(text: str | bytes):
    path = os.path.join(_DIR, "fuzz.yml")
    with open(path, "wb") as fh:
        fh.write(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    c = compile_spec(path)  # must not raise
    assert isinstance(c.diagnostics, list)
    assert all(isinstance(d, Diagnostic) for d in c.diagnostics)
    if not c.ok:
        assert any(d.is_error for d in c.diagnostics) or c.ir is None
    if c.ir is None:
        assert any(d.is_error for d in c.diagnostics)
    for d in c.diagnostics:
        assert d.code.startswith("GWC") and d.code != "GWC900"
        if d.location is not None:
            assert d.location.line >= 0 and d.location.col >= 0
    return c


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)

# text built from YAML's punctuation and the spec's vocabulary
_TOKENS = st.sampled_from([
    "version", "1", "2", "services", "gateways", "policies", "include", "routes", "listeners", "port",
    "name", "match", "path", "prefix", "exact", "regex", "service", "url", "http://a:1", "rate_limit",
    "requests", "per", "1s", "auth", "jwt", "anonymous", "false", "true", "~", "null", "&a", "*a", "<<",
    "!!str", "!tag", "---", "...", ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "#", "'", '"', "\n",
    "\n  ", "\n    ", "\t", " ", "|", ">", "?", "%YAML 1.2", "\\", "\x00", "\ufeff", "é", "/x", "*",
])
yamlish_text = st.lists(_TOKENS, max_size=60).map("".join) | st.text(max_size=200)


@FUZZ
@given(yamlish_text)
def test_random_yamlish_text_never_raises(text):
    _check(text)


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_never_raise(data):
    _check(data)


_KEYS = st.sampled_from([
    "version", "services", "gateways", "policies", "include", "url", "targets", "weight", "listeners",
    "port", "tls", "routes", "name", "match", "path", "prefix", "exact", "regex", "methods", "headers",
    "query", "service", "redirect", "respond", "status", "rewrite", "replace_prefix", "hostnames", "auth",
    "jwt", "algorithms", "jwks", "secret", "env", "file", "rate_limit", "requests", "per", "burst", "key",
    "claim", "use", "cache", "ttl", "cors", "origins", "body_limit", "timeouts", "connect", "mtls",
    "any_of", "aggregate", "parts", "value", "x",
]) | st.text(max_size=8)
_SCALARS = (st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
            | st.sampled_from(["1", "1s", "10KB", "/", "/x", "http://127.0.0.1:1", "GET", "HS256", "web",
                               "s", "anonymous", "client_ip", "*.example.com", "10.0.0.0/8", "(?!x)"])
            | st.text(max_size=12))
nested = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
                      max_leaves=40)
spec_like = st.fixed_dictionaries({"version": st.sampled_from([1, 1, 1, 2, "1"])},
                                  optional={"services": nested, "gateways": nested, "policies": nested,
                                            "include": nested, "accept_degraded": nested}) | nested

_yaml = YAML(typ="safe", pure=True)
_yaml.allow_unicode = True


def _dump(data) -> str:
    buf = io.StringIO()
    _yaml.dump(data, buf)
    return buf.getvalue()


@FUZZ
@given(spec_like)
def test_random_nested_data_never_raises(data):
    _check(_dump(data))


@FUZZ
@given(st.lists(st.fixed_dictionaries(
    {"name": st.sampled_from(["a", "b", "c", "bad name"])},
    optional={"match": nested, "service": st.sampled_from(["s", "t", 1]), "respond": st.just({"status": 200}),
              "redirect": nested, "rewrite": nested, "policies": nested, "hostnames": nested}),
    max_size=4))
def test_random_routes_never_raise(routes):
    spec = {"version": 1, "services": {"s": {"url": "http://127.0.0.1:1"}},
            "gateways": {"web": {"listeners": [{"port": 8080}], "routes": routes}}}
    _check(_dump(spec))


# --- bombs ------------------------------------------------------------------------------
def _measure(path: Path):
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        c = compile_spec(str(path))
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return c, elapsed, peak


def test_alias_bomb_fails_fast_and_small():
    # nine levels of nine aliases: 9**9 (387 million) nodes if expanded
    c, elapsed, peak = _measure(CASES / "GWC006-alias-bomb.yml")
    assert [d.code for d in c.diagnostics] == ["GWC006"] and c.ir is None
    assert elapsed < 2.0
    assert peak < 50 * 1024**2


def test_deep_nesting_fails_fast_and_small():
    # 10,000 nested lists
    c, elapsed, peak = _measure(CASES / "GWC007-deep-nesting.yml")
    assert [d.code for d in c.diagnostics] == ["GWC007"] and c.ir is None
    assert elapsed < 2.0
    assert peak < 50 * 1024**2


@pytest.mark.parametrize("opener", ["[", "{a: ", "- ", "a:\n"])
def test_deep_nesting_of_every_kind(tmp_path, opener):
    f = tmp_path / "deep.yml"
    if opener == "- ":
        text = "".join("  " * i + "-\n" for i in range(200))
    elif opener == "a:\n":
        text = "".join("  " * i + "a:\n" for i in range(200))
    else:
        text = opener * 10_000
    f.write_text(text)
    c, elapsed, peak = _measure(f)
    assert [d.code for d in c.diagnostics] == ["GWC007"]
    assert elapsed < 2.0 and peak < 50 * 1024**2


def test_nesting_at_the_limit_is_fine(tmp_path):
    from gatewayc.loader.yamltree import MAX_DEPTH, parse

    data, _ = parse("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", "t.yml")
    assert isinstance(data, dict)


def test_many_nodes_without_aliases_are_counted(tmp_path, monkeypatch):
    import gatewayc.loader.yamltree as yt

    monkeypatch.setattr(yt, "MAX_NODES", 1000)
    f = tmp_path / "wide.yml"
    f.write_text("version: 1\nx: [" + ", ".join(["1"] * 2000) + "]\n")
    c = compile_spec(str(f))
    assert [d.code for d in c.diagnostics] == ["GWC006"]


def test_shared_anchor_below_the_limit_is_fine(tmp_path):
    f = tmp_path / "ok.yml"
    f.write_text("""\
version: 1
services:
  a: &svc {url: 'http://127.0.0.1:1', timeouts: {connect: 1s}}
  b: *svc
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - {name: a, match: {path: /a}, service: a}
      - {name: b, match: {path: /b}, service: b}
""")
    c = compile_spec(str(f))
    assert c.ok, c.diagnostics


# --- mutations of real specs -------------------------------------------------------------
REPO = Path(__file__).resolve().parent.parent.parent
_SEEDS = sorted((REPO / "examples").glob("*/gateway.yml")) + [CASES / "ok-minimal.yml"]


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _get(node, path):
    for part in path:
        node = node[part]
    return node


def _replace(node, path, value):
    if not path:
        return value
    if isinstance(node, dict):
        out = dict(node)
    else:
        out = list(node)
    out[path[0]] = _replace(node[path[0]], path[1:], value)
    return out


_COPIES: dict[Path, Path] = {}
_TREES: dict[Path, object] = {}


def _seed_tree(seed: Path):
    if seed not in _TREES:
        _TREES[seed] = YAML(typ="safe").load(seed.read_text(encoding="utf-8"))
    return _TREES[seed]


def _copy_of(seed: Path) -> Path:
    """The seed's directory copied to a temp dir (its jwks/schema/include files resolve there)."""
    if seed not in _COPIES:
        import shutil

        dst = Path(tempfile.mkdtemp(prefix="gatewayc-mutant-")) / seed.parent.name
        shutil.copytree(seed.parent, dst)
        _COPIES[seed] = dst
    return _COPIES[seed]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.data())
def test_mutated_real_specs_never_raise(data):
    seed = data.draw(st.sampled_from(_SEEDS))
    tree = _seed_tree(seed)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_paths(tree))[1:]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        if data.draw(st.booleans()) and isinstance(path[-1], str):
            node = tree
            for part in path[:-1]:
                node = node[part]
            tree = _replace(tree, path[:-1], {k: v for k, v in node.items() if k != path[-1]})
        else:
            # a random value, or a piece of the spec from elsewhere (which often still passes
            # the schema and so reaches the semantic checks)
            donors = [_get(tree, q) for q in paths]
            tree = _replace(tree, path, data.draw(nested | st.sampled_from(donors)))
    workdir = _copy_of(seed)
    # JSON is YAML 1.2, and dumping it is much faster than ruamel's pure-Python emitter
    (workdir / "mutant.yml").write_text(json.dumps(tree, indent=1), encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        c = compile_spec("mutant.yml")  # must not raise
    finally:
        os.chdir(cwd)
    assert all(isinstance(d, Diagnostic) and d.code != "GWC900" for d in c.diagnostics)
    assert c.ok == (c.ir is not None)
