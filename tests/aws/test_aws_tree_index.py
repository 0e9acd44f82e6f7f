"""`tree.operations` finds each resource's candidate routes through indexes by path segments;
the simple version below tests every route against every resource (pairwise, quadratic: 29 s
at 10k routes). On thousands of generated route tables both must give the same resources,
the same routes on each method, in the same order. Likewise the IP filters' resource policy
check: which methods of other routes a filter's ARN patterns cover, through an index of the
patterns' literal starts, against every pattern tested on every method."""
from __future__ import annotations

import time
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatewayc.backends.aws import policy, tree
from gatewayc.backends.aws.tree import ANY, Op, _assign, _exact, resource_path, segments

# few segments, so that paths often share prefixes, nest and collide (and "" for empty segments)
SEGMENTS = ["a", "ab", "b", "", "{id}", "a*", "[b]", "?"]
METHODS = ["GET", "POST", "DELETE"]


def simple_operations(gw) -> dict[str, dict[str, Op]]:
    table = [d for d in gw.dispatch if d.match.path.kind in ("exact", "prefix")]
    nodes: set[tuple[str, ...]] = set()
    prefixes: list[tuple[str, ...]] = []
    for d in table:
        segs = segments(d.match.path.value) if d.match.path.kind == "prefix" else _exact(d.match.path.value)
        for i in range(len(segs) + 1):
            nodes.add(segs[:i])
        if d.match.path.kind == "prefix":
            prefixes.append(segs)
    out: dict[str, dict[str, Op]] = {}
    for node in sorted(nodes):
        here = _assign(node, False, [(d, _prefix(d)) for d in table if _reaches(d.match.path, node)])
        if here:
            out[resource_path(node)] = here
        if any(node[:len(p)] == p for p in prefixes):
            below = _assign(node, True, [(d, _prefix(d)) for d in table if d.match.path.kind == "prefix"
                                         and node[:len(segments(d.match.path.value))] == segments(d.match.path.value)])
            if below:
                out[resource_path(node, True)] = below
    return {p: out[p] for p in sorted(out)}


def _prefix(d):
    return segments(d.match.path.value) if d.match.path.kind == "prefix" else None


def simple_conflicts(filtered, ops):
    for ip, patterns in filtered.items():
        for path, methods in ops.items():
            for method, op in methods.items():
                if op.route.policies.ip != ip and any(policy._covers(p, path, method) for p in patterns):
                    yield ip, path, method, op


def _reaches(path, node) -> bool:
    if path.kind == "exact":
        return _exact(path.value) == node
    prefix = segments(path.value)
    return node[:len(prefix)] == prefix


@st.composite
def entries(draw):
    kind = draw(st.sampled_from(["exact", "prefix", "regex"]))
    segs = draw(st.lists(st.sampled_from(SEGMENTS), max_size=3))
    value = "/" + "/".join(segs) + draw(st.sampled_from(["", "/"]))
    methods = tuple(draw(st.lists(st.sampled_from(METHODS), max_size=2, unique=True)))
    return kind, value, methods, draw(st.sampled_from([None, "ip1", "ip2"]))


def _gateway(rows):
    dispatch = []
    for n, (kind, value, methods, ip) in enumerate(rows):
        match = SimpleNamespace(path=SimpleNamespace(kind=kind, value=value), methods=methods)
        route = SimpleNamespace(name=f"r{n}", policies=SimpleNamespace(ip=ip))
        dispatch.append(SimpleNamespace(route=route, match=match))
    return SimpleNamespace(dispatch=dispatch)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entries(), max_size=14))
def test_indexed_operations_equal_the_pairwise_ones(rows):
    gw = _gateway(rows)
    fast, simple = tree.operations(gw), simple_operations(gw)
    assert list(fast) == list(simple)
    for path in simple:
        assert list(fast[path]) == list(simple[path]), path
        for method, op in simple[path].items():
            got = fast[path][method]
            assert (got.route.name, got.node, got.greedy, got.prefix) == (op.route.name, op.node, op.greedy,
                                                                          op.prefix), (path, method)
    assert all(ANY not in ops or list(ops)[-1] == ANY for ops in fast.values())


def _filtered(ops) -> dict[str, list[str]]:
    """IP filter -> its ARN patterns, as resource_policy collects them."""
    filtered: dict[str, list[str]] = {}
    for path, methods in ops.items():
        for method, op in methods.items():
            if op.route.policies.ip is not None:
                filtered.setdefault(op.route.policies.ip, []).append(policy.arn(path, method))
    return filtered


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entries(), max_size=14))
def test_indexed_policy_conflicts_equal_the_pairwise_ones(rows):
    ops = tree.operations(_gateway(rows))
    filtered = _filtered(ops)
    got = [(ip, path, method, op.route.name) for ip, path, method, op in policy._conflicts(filtered, ops)]
    want = [(ip, path, method, op.route.name) for ip, path, method, op in simple_conflicts(filtered, ops)]
    assert got == want


def _api_routes(n: int):
    """n routes the way APIs have them: per resource a prefix route, an exact status route
    below it and an exact item route with methods; every fourth resource IP-filtered."""
    rows = []
    for i in range(n // 3):
        ip = "ip" if i % 4 == 0 else None
        base = f"/api/v{i % 7}/svc{i % 50}/res{i}"
        rows += [("prefix", base, (), ip), ("exact", base + "/status", ("GET",), ip),
                 ("exact", base + "/items/x", ("POST", "PUT"), ip)]
    return _gateway(rows)


def _cpu(gw) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        ops = tree.operations(gw)
        policy._conflicts(_filtered(ops), ops)
        best = min(best, time.process_time() - start)
    return best


def test_the_resources_and_the_policy_check_grow_linearly():
    """8x the routes: about 8x the time (sorting adds a little); pairwise would be 64x. CPU time
    of this process, best of two, so other load on the machine moves it little."""
    small, large = _cpu(_api_routes(300)), _cpu(_api_routes(2400))
    assert large / small < 24, (small, large)
