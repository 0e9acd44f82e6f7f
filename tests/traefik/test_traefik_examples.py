"""Every example either builds for Traefik and loads in the real Traefik with all its objects
enabled, or the build refuses with its reasons (every one in the same run, each with a code
and a position)."""
from __future__ import annotations

from pathlib import Path

import pytest

from gatewayc.build import build
from harness_common import with_free_ports, write_output
from traefik_harness import build as backend_build
from traefik_harness import run_traefik

from gatewayc.compiler import compile_spec

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(REPO.glob("examples/*/gateway.yml")) + sorted(REPO.glob("examples/*/*/gateway.yml"))


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: str(p.parent.relative_to(REPO / "examples")))
def test_example_loads_or_is_refused(spec, tmp_path):
    r = build(str(spec), ["traefik"], source=str(spec.relative_to(REPO)))
    if not r.ok:
        errors = [d for d in r.diagnostics if d.is_error]
        assert errors and not r.files
        for d in errors:
            assert d.code in ("GWC300", "GWC310"), str(d)
            assert d.location is not None and d.location.line, str(d)
        return
    c = compile_spec(str(spec))
    ir, ports = with_free_ports(c.ir)
    out = backend_build(ir)
    write_output(tmp_path / "out", out.files)
    env = {v: "x" for v in out.env}
    gw = run_traefik(tmp_path, tmp_path / "out", out, ports, env)
    try:
        assert gw.request("GET", "/definitely/not/a/route").status in (404, 401, 403)
    finally:
        gw.stop()


def test_at_least_one_example_builds():
    assert any(build(str(s), ["traefik"], source="x").ok for s in EXAMPLES)
