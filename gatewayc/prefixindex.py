"""Items under string keys, found by textual prefix relation: the filter that lets the route
analyses (which routes can take the same request) compare only candidates instead of every
pair. Two paths can only meet where one's literal start is a prefix of the other's, so a
query returns every item whose key is a prefix of the query or starts with it; the caller
then applies its exact test to those few."""
from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class PrefixIndex(Generic[T]):
    def __init__(self, pairs: Iterable[tuple[str, T]] = ()) -> None:
        self._by_key: dict[str, list[T]] = {}
        for key, item in pairs:
            self._by_key.setdefault(key, []).append(item)
        self._keys = sorted(self._by_key)
        self._lengths = sorted({len(k) for k in self._by_key})  # `above` tries only these

    def add(self, key: str, item: T) -> None:
        if key not in self._by_key:
            insort(self._keys, key)
            if len(key) not in self._lengths:
                insort(self._lengths, len(key))
        self._by_key.setdefault(key, []).append(item)

    def under(self, query: str) -> Iterator[T]:
        """Items whose key starts with `query` (the query's own key included)."""
        keys = self._keys
        i = bisect_left(keys, query)
        while i < len(keys) and keys[i].startswith(query):
            yield from self._by_key[keys[i]]
            i += 1

    def above(self, query: str, inclusive: bool = False) -> Iterator[T]:
        """Items whose key is a proper prefix of `query` ("" included); with `inclusive`,
        also those under `query` itself."""
        by_key = self._by_key
        end = len(query) + inclusive
        for n in self._lengths:
            if n >= end:
                break
            got = by_key.get(query[:n])
            if got:
                yield from got

    def compatible(self, query: str) -> Iterator[T]:
        """Items whose key is a prefix of `query` or starts with it; each once per key."""
        yield from self.above(query)
        yield from self.under(query)

    def any_compatible(self, query: str) -> bool:
        for _ in self.compatible(query):
            return True
        return False
