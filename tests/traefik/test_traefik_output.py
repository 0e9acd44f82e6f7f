"""Generated files, checked offline against Traefik's 3.7 field list, SchemaStore's schemas,
the static flags of the installed binary and Traefik's own rules."""
from __future__ import annotations

import pytest
from ruamel.yaml import YAML

import traefik_cases as cases
import traefikcheck as check
from traefik_harness import load_dynamic


@pytest.fixture(params=cases.specs(), ids=lambda p: p.stem)
def output(request):
    r = cases.built(request.param)
    return load_dynamic(r.files["dynamic.yml"]), YAML(typ="safe", pure=True).load(r.files["traefik.yml"])


def test_dynamic_fields_exist_in_traefik_3_7(output):
    assert check.field_errors(output[0]) == []


def test_dynamic_matches_schemastore(output):
    assert check.schema_errors(output[0]) == []


def test_references_rules_and_priorities(output):
    assert check.semantic_errors(*output) == []


def test_static_matches_schemastore(output):
    assert check.static_schema_errors(output[1]) == []


def test_static_options_are_known_to_the_binary(output):
    assert check.static_flag_errors(output[1]) == []


def test_checks_catch_what_traefik_refuses():
    """The checks are not vacuous: each catches a mistake Traefik refuses."""
    bad = {"http": {"routers": {"r": {"rule": "Path(`/a`)\n&& Method(`GET`)", "service": "nope",
                                      "entryPoints": ["x"], "middlewares": ["m"]}},
                    "middlewares": {"m": {"headers": {}}, "n": {"rateLimit": {"avrage": 1}},
                                    "p": {"plugin": {"gwc": {"identity": {}}}}},
                    "services": {"s": {"loadBalancer": {"servers": [{"url": "127.0.0.1:1", "weight": 1.5}]}}}}}
    fe = "\n".join(check.field_errors(bad))
    assert "empty Headers" in fe and "avrage" in fe and "weight" in fe and "gwc.identity: empty" in fe
    se = "\n".join(check.semantic_errors(bad, {"entryPoints": {"web": {}}}))
    assert "spans lines" in se and "unknown service" in se and "unknown entry point" in se
    assert "without a scheme" in se and "no explicit priority" in se
    assert check.static_flag_errors({"entryPoints": {"w": {"adress": ":80"}}})
    assert check.schema_errors({"http": {"routers": {"r": {"rule": "Path(`/`)", "servce": "s"}}}})
