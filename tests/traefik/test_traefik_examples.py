"""Every example either builds for Traefik and loads in the real Traefik with all its objects
enabled, or the build refuses with its reasons (every one in the same run, each with a code
and a position). "Every one": the configuration made with exactly the refused features left
out has no further problem, the real Traefik loads it with all its objects enabled."""
from __future__ import annotations

from pathlib import Path

import pytest

from gatewayc.backends.base import BuildOptions
from gatewayc.backends.traefik import BACKEND
from gatewayc.build import build
from gatewayc.capabilities import unexpressible, uses
from gatewayc.compiler import compile_spec
from harness_common import with_free_ports, write_output
from traefik_harness import build as backend_build
from traefik_harness import run_traefik, with_stand_ins

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(REPO.glob("examples/*/gateway.yml")) + sorted(REPO.glob("examples/*/*/gateway.yml"))


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: str(p.parent.relative_to(REPO / "examples")))
def test_example_loads_or_is_refused(spec, tmp_path):
    r = build(str(spec), ["traefik"], source=str(spec.relative_to(REPO)))
    c = compile_spec(str(spec))
    ir, ports = with_free_ports(c.ir)
    if r.ok:
        out = backend_build(ir)
    else:
        errors = [d for d in r.diagnostics if d.is_error]
        assert errors and not r.files
        for d in errors:
            assert d.code in ("GWC300", "GWC310"), str(d)
            assert d.location is not None and d.location.line, str(d)
        refused = unexpressible(BACKEND.capabilities, uses(ir))
        assert {f for f in refused if any(f"({f})" in d.message for d in errors)} == refused
        out = BACKEND.build(ir, ir.gateways, BuildOptions("gateway.yml", "test", frozenset(refused)))
        backend_errors = [d for d in out.notes if d.is_error]
        if backend_errors:  # problems only the backend sees: reported in the same run
            assert {str(d) for d in backend_errors} <= {str(d) for d in errors}
            return
    write_output(tmp_path / "out", out.files)
    with_stand_ins(tmp_path / "out", tmp_path)
    env = {v: "x" for v in out.env}
    gw = run_traefik(tmp_path, tmp_path / "out", out, ports, env)
    try:
        assert gw.request("GET", "/definitely/not/a/route").status in (404, 401, 403)
    finally:
        gw.stop()


def test_the_portable_example_builds():
    r = build(str(REPO / "examples" / "portable" / "gateway.yml"), ["traefik"], source="x")
    assert r.ok, [str(d) for d in r.diagnostics if d.is_error]
