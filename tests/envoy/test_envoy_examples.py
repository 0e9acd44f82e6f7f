"""Every example either builds for Envoy, passes `envoy --mode validate` and starts in the real
Envoy, or the build refuses with its reasons (every one in the same run, each with a code and
a position)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from envoy_harness import build as backend_build
from envoy_harness import run_envoy, stand_in_env, validate
from gatewayc.build import build
from gatewayc.compiler import compile_spec
from harness_common import with_free_ports, write_output

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(REPO.glob("examples/*/gateway.yml")) + sorted(REPO.glob("examples/*/*/gateway.yml"))


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: str(p.parent.relative_to(REPO / "examples")))
def test_example_runs_or_is_refused(spec, tmp_path):
    r = build(str(spec), ["envoy"], source=str(spec.relative_to(REPO)))
    if not r.ok:
        errors = [d for d in r.diagnostics if d.is_error]
        assert errors and not r.files
        for d in errors:
            assert d.code in ("GWC300", "GWC310"), str(d)
            assert d.location is not None and d.location.line, str(d)
        return
    # the files the spec names are where it names them, relative to the spec's directory
    here = tmp_path / "example"
    shutil.copytree(spec.parent, here)
    (here / "envoy.yaml").write_bytes(r.files["envoy.yaml"])
    env = stand_in_env(r.env["envoy"])
    validate(here / "envoy.yaml", env)
    spec_ir, ports = with_free_ports(compile_spec(str(spec)).ir)
    out = backend_build(spec_ir)
    write_output(here, out.files)
    gw = run_envoy(tmp_path / "run", here, out, ports, env)
    try:
        assert gw.request("GET", "/definitely/not/a/route").status in (404, 401, 403)
    finally:
        gw.stop()

