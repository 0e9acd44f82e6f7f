"""The checkers the hardening tests rely on: one per registered target, and each can fail."""
from __future__ import annotations

from pathlib import Path

import pytest

import target_checks
from gatewayc.build import build

REPO = Path(__file__).resolve().parents[2]

# one way to break each target's build that its real checker must notice
BREAK = {
    "nginx": ("nginx.conf", lambda t: t.replace(b"http {", b"http {\n    no_such_directive on;", 1)),
    "kong": ("kong.yml", lambda t: t + b"\nservices_typo: []\n"),
    "traefik": ("dynamic.yml", lambda t: t.replace(b"service: ", b"service: missing-", 1)),
    "envoy": ("envoy.yaml", lambda t: t.replace(b"static_resources:", b"static_resourcez:", 1)),
    "aws": ("template.yaml", lambda t: t.replace(b"AWS::ApiGateway::RestApi", b"AWS::ApiGateway::RestAPI", 1)),
}


def good_build(target: str):
    """examples/portable, or else the first of the target's own test specs that builds."""
    for spec in [REPO / "examples" / "portable" / "gateway.yml", *sorted((REPO / "tests" / target).glob("specs/*.yml")),
                 *sorted((REPO / "tests" / target).glob("specs/*/gateway.yml"))]:
        r = build(str(spec), [target], source="gateway.yml")
        if r.ok:
            return r
    raise AssertionError(f"no spec builds for {target}")


def test_every_registered_target_has_a_checker():
    missing = set(target_checks.targets()) - set(target_checks.CHECKS)
    assert not missing, f"registered targets without a checker in tests/harden/target_checks.py: {missing}"
    assert set(target_checks.targets()) <= set(BREAK)


@pytest.mark.parametrize("target", target_checks.targets())
def test_the_checker_accepts_a_good_build_and_refuses_a_broken_one(checkers, target):
    r = good_build(target)
    checkers.check(target, r.files, r.env[target])
    name, breaker = BREAK[target]
    broken = dict(r.files)
    broken[name] = breaker(broken[name])
    assert broken[name] != r.files[name]
    with pytest.raises(AssertionError):
        checkers.check(target, broken, r.env[target])
