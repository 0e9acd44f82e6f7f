"""Property: any valid spec hypothesis builds from the feature space below (matches, rewrites,
fixed answers, aggregation, mirrors, retries, timeouts, rate limits, header transforms, CORS,
body limits, IP filters, caching, JWT / API key / basic auth) either builds for a
target into output that the target's real checker accepts (target_checks.py), or is refused
with capability errors (GWC300/GWC310, at a position) -- never a crash, never output the
target refuses.

Profiles (hypothesis settings profiles, chosen with HYPOTHESIS_PROFILE): `ci` (the default: 15
specs per target, derandomized, so CI is repeatable) and `long` (300 specs per target, random:
`HYPOTHESIS_PROFILE=long pytest tests/harden/test_properties.py` before a release or after a
backend change)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import target_checks
from gatewayc.build import build
from gatewayc.compiler import compile_spec
from gatewayc.output.dump import to_yaml

settings.register_profile("ci", max_examples=15, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
_SEGMENT = st.text("abcdefghijklmnopqrstuvwxyz0123456789-._~", min_size=1, max_size=10).filter(
    lambda s: s not in (".", ".."))  # dot segments are refused (GWC111): not a valid spec
_PATH = st.lists(_SEGMENT, min_size=1, max_size=3).map(lambda s: "/" + "/".join(s))
_HEADER = st.sampled_from(["X-Tenant", "X-Api-Version", "X-Client", "Accept-Language"])
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
_DURATION = st.sampled_from(["1s", "500ms", "2s", "10s", "1m"])


@st.composite
def _policies(draw):
    p = {}
    if draw(st.booleans()):
        p["rate_limit"] = {"requests": draw(st.integers(1, 1000)), "per": draw(st.sampled_from(["1s", "1m", "1h"])),
                           "key": draw(st.sampled_from(["client_ip", {"header": "X-Client"}]))}
    if draw(st.booleans()):
        p["request"] = {"headers": {"set": {draw(_HEADER): draw(_TEXT.filter(lambda s: s.strip() == s and s))}}}
    if draw(st.booleans()):
        p["response"] = {"headers": {"set": {"X-Served-By": draw(_WORD)}}}
    if draw(st.booleans()):
        p["cors"] = {"origins": [f"https://{draw(_WORD)}.example.com"], "methods": ["GET", "POST"]}
    if draw(st.booleans()):
        p["body_limit"] = draw(st.sampled_from(["1KB", "64KB", "1MB"]))
    if draw(st.booleans()):
        p["ip"] = {"allow": draw(st.lists(st.sampled_from(["10.0.0.0/8", "192.168.0.0/16", "127.0.0.1"]),
                                          min_size=1, max_size=2, unique=True))}
    if draw(st.integers(0, 5)) == 0:
        p["auth"] = draw(_AUTH)
    if draw(st.integers(0, 5)) == 0:
        p["cache"] = {"ttl": draw(_DURATION), **({"vary": {"headers": [draw(_HEADER)]}} if draw(st.booleans()) else {})}
    return p


_AUTH = st.sampled_from([
    {"jwt": {"algorithms": ["HS256"], "secret": {"env": "PROP_JWT"}, "issuer": "https://id.example.com/"}},
    {"api_key": {"header": "X-Api-Key", "keys": {"env": "PROP_KEYS"}}},
    {"basic": {"credentials": {"env": "PROP_BASIC"}, "realm": "prop"}},
])


@st.composite
def specs(draw):
    services = {f"s{i}": {"url": f"http://127.0.0.1:{7000 + i}" + draw(st.sampled_from(["", "/api", "/v1/base"])),
                          **({"timeouts": {"connect": draw(_DURATION), "read": draw(_DURATION)}}
                             if draw(st.booleans()) else {}),
                          **({"retries": {"attempts": draw(st.integers(1, 4))}} if draw(st.integers(0, 2)) == 0
                             else {})}
                for i in range(draw(st.integers(1, 3)))}
    paths = draw(st.lists(_PATH, min_size=1, max_size=6, unique=True))
    routes = []
    for i, path in enumerate(paths):
        kind = draw(st.sampled_from(["prefix", "exact"]))
        match = {"path": {kind: path}}
        if draw(st.booleans()):
            match["methods"] = draw(st.lists(st.sampled_from(["GET", "POST", "PUT", "DELETE"]), min_size=1,
                                             max_size=3, unique=True))
        route = {"name": f"r{i}", "match": match}
        action = draw(st.integers(0, 11))
        if action == 0:
            route["respond"] = {"status": draw(st.sampled_from([200, 204, 404, 418])),
                                "body": draw(st.one_of(_TEXT, st.dictionaries(_WORD, _TEXT, max_size=3)))}
        elif action == 1:
            keys = draw(st.lists(_WORD, min_size=1, max_size=3, unique=True))
            route["aggregate"] = {"parts": [{"key": k, "service": draw(st.sampled_from(sorted(services))),
                                             "path": draw(_PATH)} for k in keys],
                                  "on_failure": draw(st.sampled_from(["null", "omit", "fail"]))}
        else:
            route["service"] = draw(st.sampled_from(sorted(services)))
            if kind == "prefix" and draw(st.booleans()):
                route["rewrite"] = {"path": {"strip_prefix": True}}
            if draw(st.integers(0, 5)) == 0:
                route["mirror"] = {"service": draw(st.sampled_from(sorted(services))),
                                   "percent": draw(st.sampled_from([1, 50, 100]))}
        pol = draw(_policies()) if draw(st.booleans()) else {}  # a route without policies, often
        if pol:
            route["policies"] = pol
        routes.append(route)
    used = {r["service"] for r in routes if "service" in r} | {r["mirror"]["service"] for r in routes if "mirror" in r} \
        | {p["service"] for r in routes for p in r.get("aggregate", {}).get("parts", ())}
    gw = {"listeners": [{"port": draw(st.integers(1024, 65000))}], "routes": routes}
    if draw(st.booleans()):
        gw["policies"] = draw(_policies())
    return {"version": 1, "services": {k: v for k, v in services.items() if k in used}, "gateways": {"main": gw}}


@pytest.mark.parametrize("target", target_checks.targets())
def test_every_generated_spec_builds_valid_output_or_is_refused(checkers, target):
    work = Path(tempfile.mkdtemp(prefix=f"gwc-prop-{target}-"))
    outcomes = {"built": 0, "refused": 0}

    @given(specs())
    def prop(tree):
        path = work / "gateway.yml"
        path.write_text(to_yaml(tree))
        c = compile_spec(str(path))
        if not c.ok:  # the generator may combine routes into a conflict: not this test's subject
            assert all(d.code.startswith("GWC2") for d in c.diagnostics if d.is_error), \
                [str(d) for d in c.diagnostics if d.is_error]
            return
        r = build(str(path), [target], source="gateway.yml")
        errors = [d for d in r.diagnostics if d.is_error]
        if errors:
            for d in errors:
                assert d.code in ("GWC300", "GWC303", "GWC310"), str(d)
                assert d.location is not None and d.location.line >= 1, str(d)
            assert not r.files
            outcomes["refused"] += 1
            return
        checkers.check(target, r.files, r.env[target])
        outcomes["built"] += 1

    prop()
    target_checks.cleanup(work)
    assert outcomes["built"] >= 1, outcomes  # the feature space reaches every target
