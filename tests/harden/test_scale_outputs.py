"""The build benchmark's route mix (benchmarks/gen_mix.py: 44 % regexes, header matches,
hostnames, policies on a fifth of the routes, over 50 services and 3 gateways) built for every
registered target and passed through its real checker (target_checks.py: nginx -t, envoy
--mode validate, Traefik loading every object, decK's renderer and Kong's schema and plugin
fields, openapi-spec-validator and cfn-lint). What a target cannot express is accepted as a
degradation, so the rest of the mix is built; what it still refuses must be a capability or
limit refusal (GWC3xx, AWS's quota of 300 resources per API), never output its checker refuses.

Size: 100 routes in CI (about a minute for the five checkers, cfn-lint and Traefik's start the
most of it); 10,000 under the `long` profile (HYPOTHESIS_PROFILE=long, as test_properties.py),
or any size with GWC_SCALE_ROUTES=N. benchmarks/scale_checkers.py prints the times of a run
(docs/benchmarks.md has the 10k figures)."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

import target_checks
from gatewayc import backends
from gatewayc.build import build
from gatewayc.capabilities import is_auth

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from gen_mix import spec_text  # noqa: E402

ROUTES = int(os.environ.get("GWC_SCALE_ROUTES") or (10000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 100))


def accepted(target: str) -> list[str]:
    """Every feature but auth: what the target cannot express, in general or in the form the mix
    uses it (AWS cannot count per client address), is left out, and the rest is checked."""
    return [f for f in backends.capabilities(target) if not is_auth(f)]


def build_and_check(checkers, target: str, routes: int, work: Path) -> dict:
    """Build the mix of `routes` routes for `target` and run its checker; the figures."""
    spec = work / "gateway.yml"
    spec.write_text(spec_text(routes))
    started = time.monotonic()
    result = build(str(spec), [target], source="gateway.yml", accept=accepted(target))
    figures = {"target": target, "routes": routes, "build_s": round(time.monotonic() - started, 1)}
    errors = [d for d in result.diagnostics if d.is_error]
    if errors:
        assert all(d.code >= "GWC300" and d.location is not None for d in errors), [str(d) for d in errors[:5]]
        return {**figures, "refused": sorted({d.code for d in errors}), "first": errors[0].message[:160]}
    started = time.monotonic()
    checkers.check(target, result.files, result.env[target], work / "check")
    return {**figures, "check_s": round(time.monotonic() - started, 1),
            "bytes": sum(len(v) for v in result.files.values())}


@pytest.mark.parametrize("target", target_checks.targets())
def test_the_route_mix_passes_the_real_checker(checkers, target):
    figures = build_and_check(checkers, target, ROUTES, checkers.fresh(f"scale-{target}"))
    print(figures)
    if target != "aws":
        assert "refused" not in figures, figures
    else:  # API Gateway's quota: 300 resources per API (backends/aws/lint.py), a GWC310
        assert "refused" not in figures or figures["refused"] == ["GWC310"], figures
