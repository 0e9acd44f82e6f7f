"""Harness for end-to-end tests against the real nginx binary (no mocks, no skips). The
fixtures are thin wrappers around nginx_harness.py's helpers, so every test, whatever the
scope of its gateway, runs the complete backend's output the same way.

Fixtures (usable by any test module under tests/nginx/):

- ``echo_upstream``, ``module_echo_upstream`` - the echo upstream (tests/conftest.py).
- ``gateway`` - factory: ``gateway(spec_yaml, upstreams={"ECHO": srv, ...}, env=None, files=None)``
  writes the spec (``__ECHO__`` in the text becomes ``srv.url``) and ``files`` (name ->
  content, next to the spec, where its relative paths point) into a fresh directory,
  compiles it, moves every listener of every gateway to a free port (in the IR, so the spec
  text needs no port tricks), builds with the complete nginx backend, checks ``nginx -t``,
  starts ``nginx -p RUNTIME -c DIR/nginx.conf -e stderr -g "daemon off;"`` with this process's
  environment plus ``env`` (as root, with ``user root;`` too, so workers can read files in
  pytest's private tmp dirs), waits for every port and returns a ``Gateway`` (``.url``,
  ``.port``, ``.ports``, ``.dir`` (the build output), ``.runtime`` (nginx's prefix: pid,
  temp dirs, cache, access log), ``.conf`` text, ``.output`` (backend Output),
  ``.request(method, path, headers=None, body=None, host=None, port=None) -> Reply``,
  ``.log()``). nginx is stopped (and waited for) at test end. A missing nginx binary fails
  the test.
- ``module_gateway`` - the same factory, but what they start
  lives until the end of the test module: for modules that send many tests to one nginx.
- ``build_spec`` - factory: ``build_spec(spec_yaml, upstreams=None, form="full", files=None)
  -> (IR, Output)`` without running anything.
- ``repo_root`` - the checkout's root directory.

``Reply`` has ``.status``, ``.headers`` (lower-case dict), ``.body`` (bytes), ``.json()`` and
``.values(name)`` (every value of a header that may repeat, such as WWW-Authenticate).
"""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from harness_common import stopping
from nginx_harness import EchoServer, build, compile_text, start_gateway  # tests/nginx is on sys.path


@pytest.fixture
def gateway(tmp_path):
    n = itertools.count()
    yield from stopping(lambda *a, **kw: start_gateway(tmp_path / f"gateway{next(n)}", *a, **kw))


@pytest.fixture(scope="module")
def module_gateway(tmp_path_factory):
    yield from stopping(lambda *a, **kw: start_gateway(tmp_path_factory.mktemp("gateway"), *a, **kw))


@pytest.fixture
def build_spec(tmp_path):
    def run(text: str, upstreams: dict[str, EchoServer] | None = None, form: str = "full",
            files: dict[str, str | bytes] | None = None):
        spec = compile_text(tmp_path, text, upstreams, files)
        return spec, build(spec, form)
    return run


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
