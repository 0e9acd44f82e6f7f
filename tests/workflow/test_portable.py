"""examples/portable builds unchanged for every registered target, AWS API Gateway (REST API,
the default `--aws-api`) included: no error, no warning, no accepted degradation. A new backend
must build it too. examples/self-hosted builds unchanged for every self-hosted target.

AWS API Gateway is a managed gateway: it has no load balancing over several targets, no
retries, no per-client rate limit, no regular-expression or hostname routing and a fixed 10 MB
body limit, and a REST proxy integration passes the service's response unchanged, so it cannot
build examples/self-hosted without dropping what the spec says (docs/targets/aws.md). It is
refused instead, with every reason in one run; the last test pins that list."""
from __future__ import annotations

from pathlib import Path

import pytest

from gatewayc import backends
from gatewayc.build import build

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = EXAMPLES / "portable" / "gateway.yml"
SELF_HOSTED_SPEC = EXAMPLES / "self-hosted" / "gateway.yml"

MANAGED = {"aws"}
SELF_HOSTED = [t for t in backends.names() if t not in MANAGED]


def _loud(r) -> list[str]:
    return [f"{d.code} {d.message}" for d in r.diagnostics if d.effective_severity.name in ("ERROR", "WARNING")]


@pytest.mark.parametrize("target", backends.names())
def test_portable_builds_unchanged(target):
    r = build(str(SPEC), [target], source="gateway.yml")
    assert r.ok and not _loud(r), _loud(r)
    assert r.files


def test_portable_builds_for_all_targets_at_once():
    r = build(str(SPEC), backends.names(), source="gateway.yml", subdirs=True)
    assert r.ok
    assert {p.split("/", 1)[0] for p in r.files} == set(backends.names())


@pytest.mark.parametrize("target", SELF_HOSTED)
def test_self_hosted_builds_unchanged(target):
    r = build(str(SELF_HOSTED_SPEC), [target], source="gateway.yml")
    assert r.ok and not _loud(r), _loud(r)
    assert r.files


def test_aws_refuses_self_hosted_for_exactly_what_it_cannot_do():
    from gatewayc.capabilities import FEATURES

    r = build(str(SELF_HOSTED_SPEC), ["aws"], source="gateway.yml")
    refused = {f for d in r.diagnostics if d.code == "GWC300" for f in FEATURES if f"({f})" in d.message}
    assert not r.ok and r.files == {}
    assert refused == {"upstream.retry", "upstream.weighted", "routing.path.regex", "routing.hostname", "body_limit",
                       "transform.response.headers"}
    limits = [d.message for d in r.diagnostics if d.code == "GWC310"]
    for part in ("61000 ms", "remove", "CORS headers", "cannot count per client address", "would also cover"):
        assert any(part in m for m in limits), (part, limits)
