"""The Kong backend's shortcuts (made for 10k-route specs) against the simple code they replace:
each one alone on generated inputs, and all of them together on whole builds (the examples,
every test spec, a generated mix): the same kong.yml and the same diagnostics."""
from __future__ import annotations

import re
import sys
import uuid
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.backends.kong import compiles, ids, paths, routes
from gatewayc.build import build
from kong_cases import ACCEPT_ALL

ROOT = Path(__file__).resolve().parents[2]

# pieces of regexes: mostly what the fast grammar accepts, and what `re` refuses or warns about
TOKENS = ["a", "/", "-", "é", " ", ":", "(", ")", "(?:", "(?i)", "(?P<n>", "[", "]", "[^", "a-z", "0-9", "z-a",
          "A-Z", "\\", "\\d", "\\W", "\\b", "\\z", "\\1", "\\.", "\\-", "\\[", "*", "+", "?", "*?", "|", "^", "$", ".",
          "{", "}", "{2}", "&&", "~~", "||", "--", "[:", "&"]
regexes = st.lists(st.sampled_from(TOKENS), max_size=12).map("".join)


def _re_compiles(rx: str) -> bool:
    try:
        re.compile(rx)
    except re.error:
        return False
    return True


@settings(max_examples=3000, deadline=None)
@given(regexes)
def test_the_fast_regex_grammar_accepts_only_what_re_compiles_silently(rx):
    if compiles._SIMPLE.fullmatch(rx):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            re.compile(rx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert compiles.compiles(rx) == _re_compiles(rx)


def test_the_fast_regex_grammar_decides_the_usual_path_regexes():
    for rx in ("/api/v1/[a-z0-9-]+/items(?:/[0-9]+)?", "/a|/b/c", "/x1/.+\\.(?:pdf|png)", "/(?:a|b)/c", "/files/.*"):
        assert compiles._SIMPLE.fullmatch(rx), rx


@given(regexes)
def test_alternatives_without_a_bar_is_the_scan(rx):
    assert paths.alternatives(rx) == paths._split(rx)


def _escape(literal: str) -> str:
    return "".join("\\" + c if c in paths._META else c for c in literal)


@given(st.text())
def test_escape_is_the_character_loop(text):
    assert paths.escape(text) == _escape(text)


def _rank(planned, any_methods, ctx):
    planned.sort(key=routes.Planned.sort_key)
    total = len(planned)
    for pos, p in enumerate(planned):
        p.entity = routes._entity(p, total - pos, any_methods, ctx)


def _simple(monkeypatch) -> None:
    monkeypatch.setattr(routes, "compiles", _re_compiles)
    monkeypatch.setattr(paths, "alternatives", paths._split)
    monkeypatch.setattr(paths, "escape", _escape)
    monkeypatch.setattr(routes, "escape", _escape)
    monkeypatch.setattr(routes, "_rank", _rank)
    monkeypatch.setattr(ids, "entity_id", lambda g, k, n: str(uuid.uuid5(ids.NAMESPACE, f"{g}/{k}/{n}")))
    routes._regex_keys.cache_clear()


def _specs(tmp_path: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from gen_mix import spec_text
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    mix = tmp_path / "mix.yml"
    mix.write_text(spec_text(600))
    return sorted(ROOT.glob("examples/**/*.yml")) + sorted(ROOT.glob("tests/**/*.yml")) + [mix]


@pytest.mark.filterwarnings("ignore")
def test_whole_builds_are_the_simple_builds(tmp_path, monkeypatch):
    # as written, and with every unsupported feature accepted (most examples build then)
    runs = [(spec, accept) for spec in _specs(tmp_path) for accept in (None, list(ACCEPT_ALL))]
    fast = [build(str(s), ["kong"], source=s.name, accept=a) for s, a in runs]
    _simple(monkeypatch)
    try:
        for (spec, accept), got in zip(runs, fast):
            want = build(str(spec), ["kong"], source=spec.name, accept=accept)
            assert (got.files, got.diagnostics) == (want.files, want.diagnostics), (spec, accept)
    finally:
        routes._regex_keys.cache_clear()
    assert sum(bool(f.files) for f in fast) >= 30  # the comparison covers real kong.yml files
