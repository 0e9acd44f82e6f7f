"""The Envoy output's version floor, checked offline (no Envoy runs here).

Every key of every output the tests can build (floor_outputs.py: the Envoy test specs, the
examples, api_1_30/broad.yml, the behaviour table, generated specs) must be a field of Envoy
1.30's API (api_1_30/fields.json, condensed from the envoyproxy/envoy protos), or one of the
fields that a feature in backends/envoy/floor.py declares as needing a newer Envoy, and then
the build must have said so (GWC301, naming the feature and the version). A field newer than
1.30 that nobody declared fails here: declare the feature in floor.py, its version in
docs/targets/envoy.md, and the field with its evidence under "after_1_30" in fields.json. A
field that 1.30 has but fields.json lacks also fails: add it from the 1.30 proto (NOTICE.md)."""
from __future__ import annotations

import copy
import re

import pytest
from floor_outputs import REPO, every_output

from api_floor import API, check
from gatewayc.backends.envoy.floor import FLOOR, NEWER


@pytest.fixture(scope="module")
def outputs():
    return every_output()


def announced(diagnostics) -> set[str]:
    return {k for k, n in NEWER.items() for d in diagnostics
            if d.code == "GWC301" and d.message.startswith(f"envoy: {n.title}: this output needs Envoy >= {n.version} ")}


def owners(field: str) -> list[str]:
    return [k for k, n in NEWER.items() if field in n.fields]


def test_every_field_is_in_envoy_1_30_or_a_declared_newer_feature(outputs):
    problems = []
    for o in outputs:
        beyond, newer = check(o.doc)
        problems += [f"{o.label}: {p}" for p in beyond]
        said = announced(o.diagnostics)
        for path, field in newer:
            if not owners(field):
                problems.append(f"{o.label}: {path}: {field} is newer than Envoy {FLOOR} and no feature in "
                                f"backends/envoy/floor.py declares it")
            elif not set(owners(field)) & said:
                problems.append(f"{o.label}: {path}: the build never says that {NEWER[owners(field)[0]].title} "
                                f"needs a newer Envoy")
        used = {k for _, f in newer for k in owners(f)}
        problems += [f"{o.label}: the build says {NEWER[k].title} needs a newer Envoy, but its output has none of "
                     f"that feature's newer fields" for k in sorted(said - used)]
    assert not problems, "\n".join(problems[:50])
    sources = {re.sub(r"-.*", "", o.label) for o in outputs}
    assert {"example", "broad", "table", "gen_mix", "hypothesis"} <= sources, sources


def test_every_declared_feature_is_built_somewhere(outputs):
    """A declaration no output needs is stale (or names its fields wrongly)."""
    seen = {k for o in outputs for _, f in check(o.doc)[1] for k in owners(f)}
    assert seen == set(NEWER)


def test_declared_versions_cover_their_fields():
    later = {f"{m}.{f}": v["since"] for m, fs in API["after_1_30"].items() for f, v in fs.items()}
    for key, n in NEWER.items():
        for f in n.fields:
            assert f in later, f"{key}: {f} is not listed as newer than {FLOOR} in fields.json"
            assert tuple(map(int, later[f].split("."))) <= tuple(map(int, n.version.split("."))), (key, f)
    assert set(later) == {f for n in NEWER.values() for f in n.fields}


def test_docs_name_each_feature_and_its_version():
    doc = (REPO / "docs" / "targets" / "envoy.md").read_text()
    assert f"**Version floor: {FLOOR}" in doc
    for n in NEWER.values():
        assert re.search(rf"^\| {re.escape(n.title)} \| {re.escape(n.version)} \|", doc, re.M), n.title


def _hcm(doc: dict) -> dict:
    return doc["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]


@pytest.mark.parametrize("mutate, expected", [
    # HttpConnectionManager.stream_flush_timeout arrived in 1.36
    (lambda d: _hcm(d).update(stream_flush_timeout="5s"), "stream_flush_timeout"),
    # the api_key_auth filter arrived in 1.33
    (lambda d: _hcm(d)["http_filters"].insert(0, {"name": "k", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuth"}}),
     "api_key_auth.v3.ApiKeyAuth"),
    # a field deep in a route (RouteAction.RequestMirrorPolicy.host_rewrite_literal: 1.36)
    (lambda d: _first_route(d)["route"].update(request_mirror_policies=[
        {"cluster": "c", "host_rewrite_literal": "x"}]), "host_rewrite_literal"),
    # camelCase: Envoy's YAML as gatewayc writes it uses the proto field names
    (lambda d: _hcm(d).update(statPrefix="x"), "statPrefix"),
    # a list where 1.30 takes one value
    (lambda d: _hcm(d).update(stat_prefix=["x"]), "stat_prefix"),
])
def test_the_check_finds_what_1_30_cannot_read(outputs, mutate, expected):
    base = next(o for o in outputs if o.label == "example-routing").doc
    assert check(base) == ([], [])
    doc = copy.deepcopy(base)
    mutate(doc)
    beyond, _ = check(doc)
    assert len(beyond) == 1 and expected in beyond[0], beyond


def _first_route(doc: dict) -> dict:
    return next(r for r in _hcm(doc)["route_config"]["virtual_hosts"][0]["routes"] if "route" in r)
