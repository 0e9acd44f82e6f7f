"""Every output the Envoy tests snapshot passes the real `envoy --mode validate`."""
from __future__ import annotations

import shutil

import envoy_cases as cases
import pytest

from envoy_harness import stand_in_env, validate

SPECS = cases.specs()


@pytest.mark.parametrize("spec", SPECS, ids=[cases.label(s) for s in SPECS])
def test_validates(spec, tmp_path):
    r = cases.built(spec)
    here = tmp_path / "conf"
    shutil.copytree(spec.parent, here)  # the files a spec names, relative to its directory
    (here / "envoy.yaml").write_bytes(r.files["envoy.yaml"])
    validate(here / "envoy.yaml", stand_in_env(r.env["envoy"]))
