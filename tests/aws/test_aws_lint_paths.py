"""The lint's shortcuts against the simple definitions, on generated paths (few characters,
so that segments are empty, braced, greedy, nested and collide): `path_problem` answers a
plain path without checking each segment, and the REST resources are counted from the
paths' slashes rather than from their segments."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.backends.aws import lint

PIECES = ["/", "/", "a", "B9", "._:,-", "{proxy+}", "{id}", "{", "}", "+", "*", " ", "é", "\n", "proxy"]
PATHS = st.lists(st.sampled_from(PIECES), max_size=7).map(lambda parts: "/" + "".join(parts))


@settings(max_examples=1000, deadline=None)
@given(PATHS)
def test_path_problem_equals_the_segment_checks(path):
    assert lint.path_problem(path) == lint._path_problem(path)


def _simple_resources(paths):
    out = {"/"}
    for path in paths:
        segs = path[1:].split("/") if path != "/" else []
        out.update("/" + "/".join(segs[:i + 1]) for i in range(len(segs)))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(PATHS, max_size=8))
def test_resources_equal_the_segment_prefixes(paths):
    assert lint.resources(paths) == _simple_resources(paths)
