"""`PrefixIndex` answers by bisection and by looking up only the key lengths it holds; the
definitions below test every key. On generated keys and queries (built from few characters,
so that keys nest and collide), added at construction or one by one, both must give the same
items in the same order."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gatewayc.prefixindex import PrefixIndex

TEXT = st.text(alphabet="/ab", max_size=6)


def _naive_above(pairs, query, inclusive):
    keys = sorted({k for k, _ in pairs}, key=len)
    wanted = [k for k in keys if query.startswith(k) and (len(k) < len(query) or inclusive)]
    return [item for k in wanted for key, item in pairs if key == k]


def _naive_under(pairs, query):
    keys = sorted({k for k, _ in pairs})
    return [item for k in keys if k.startswith(query) for key, item in pairs if key == k]


@settings(max_examples=500, deadline=None)
@given(st.lists(TEXT, max_size=12), st.lists(TEXT, max_size=6), st.booleans())
def test_queries_equal_the_definitions(keys, queries, one_by_one):
    pairs = [(k, n) for n, k in enumerate(keys)]
    if one_by_one:
        index: PrefixIndex[int] = PrefixIndex()
        for k, n in pairs:
            index.add(k, n)
    else:
        index = PrefixIndex(pairs)
    for q in queries + keys:
        assert list(index.above(q)) == _naive_above(pairs, q, False), q
        assert list(index.above(q, inclusive=True)) == _naive_above(pairs, q, True), q
        assert list(index.under(q)) == _naive_under(pairs, q), q
        assert list(index.compatible(q)) == _naive_above(pairs, q, False) + _naive_under(pairs, q), q
        assert index.any_compatible(q) is bool(_naive_above(pairs, q, False) + _naive_under(pairs, q)), q
