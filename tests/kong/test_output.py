"""Output contract: determinism, file naming, header, ids, secrets, capability table."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from gatewayc.backends import capabilities as registry_capabilities, load
from gatewayc.backends.base import BuildOptions, header
from gatewayc.backends.kong import BACKEND, CAPABILITIES, deck, ids, pem
from gatewayc.capabilities import FEATURES
from gatewayc.compiler import compile_spec

import kong_cases as cases
import kong_harness as harness
import kongcheck

FULL = Path(__file__).parent / "specs" / "full" / "gateway.yml"


def test_registered():
    assert load("kong") is BACKEND
    assert registry_capabilities("kong") is CAPABILITIES


def test_capabilities_cover_every_feature_with_a_note():
    assert set(CAPABILITIES) == set(FEATURES)
    for f, s in CAPABILITIES.items():
        assert s.level in ("native", "emulated", "unsupported")
        if s.level != "native":
            assert s.note, f


def test_capabilities_import_alone():
    code = ("import sys; sys.path.insert(0, 'tests/kong'); import conftest; "
            "import gatewayc.backends.kong.capabilities as c; "
            "assert 'gatewayc.backends.kong.document' not in sys.modules; print(len(c.CAPABILITIES))")
    out = subprocess.run([sys.executable, "-c", code], cwd=cases.ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(FEATURES)


def test_same_ir_same_bytes():
    ir = compile_spec(str(FULL)).ir
    opts = BuildOptions("x/gateway.yml", "1.2.3")
    a = BACKEND.build(ir, ir.gateways, opts)
    b = BACKEND.build(compile_spec(str(FULL)).ir, ir.gateways, opts)
    assert a.files == b.files and a.env == b.env


def test_bytes_do_not_depend_on_hash_seed():
    code = ("import sys, hashlib; sys.path.insert(0, 'tests/kong'); import conftest, kong_cases as cases; "
            "print(hashlib.sha256(b''.join(cases.built(s).files[n] for s, n in cases.files())).hexdigest())")
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], cwd=cases.ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_header_first_and_format_version():
    ir = compile_spec(str(FULL)).ir
    opts = BuildOptions("specs/full/gateway.yml", "9.9.9")
    text = BACKEND.build(ir, ir.gateways, opts).files["kong.yml"].decode()
    assert text.startswith(header(opts))
    assert text[len(header(opts)):].startswith('_format_version: "3.0"\n')


def test_ids_are_uuid5_of_names_and_unique():
    doc = kongcheck.load(harness.build_file(FULL).files["kong.yml"])
    seen = []

    def walk(v):
        if isinstance(v, dict):
            if "id" in v and isinstance(v["id"], str):
                seen.append(v["id"])
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(doc)
    assert len(seen) == len(set(seen)) > 20
    assert all(uuid.UUID(i).version == 5 for i in seen)
    svc = next(s for s in doc["services"] if s["name"] == "orders")
    assert svc["id"] == str(uuid.uuid5(ids.NAMESPACE, "main/service/orders"))


def test_collections_sorted():
    doc = kongcheck.load(harness.build_file(FULL).files["kong.yml"])
    for key, field in (("services", "name"), ("upstreams", "name"), ("consumers", "username"), ("plugins", "name")):
        names = [e[field] for e in doc[key]]
        assert names == sorted(names), key
    for s in doc["services"]:
        assert [r["name"] for r in s["routes"]] == sorted(r["name"] for r in s["routes"])
        assert [p["name"] for p in s.get("plugins", [])] == sorted(p["name"] for p in s.get("plugins", []))
    for u in doc["upstreams"]:
        assert [t["target"] for t in u["targets"]] == sorted(t["target"] for t in u["targets"])


def test_secrets_are_placeholders_listed_in_env():
    b = harness.build_file(FULL)
    text = b.files["kong.yml"].decode()
    assert b.env == {"DECK_JWT_SECRET", "DECK_USER_KEYS", "DECK_USER_BASIC_USERNAME", "DECK_USER_BASIC_PASSWORD"}
    assert set(kongcheck.PLACEHOLDER.findall(text)) == b.env
    rendered = kongcheck.load(kongcheck.render(text, {"DECK_USER_KEYS": 'k"e\\y:1'}).encode())
    keys = [c for c in rendered["consumers"] if c.get("keyauth_credentials")][0]["keyauth_credentials"]
    # decK renders with Go's %q; json.dumps stands in for it here: a value with quotes stays one string
    assert keys[0]["key"] == 'k"e\\y:1'


def test_several_gateways_one_file_each():
    spec = cases.ROOT / "examples" / "multi-gateway" / "gateway.yml"
    if not spec.exists():
        pytest.skip("the multi-gateway example is not there")
    b = cases.built(spec)
    names = {g.name for g in compile_spec(str(spec)).ir.gateways}
    assert set(b.files) == {f"{n}.kong.yml" for n in names}


def test_one_gateway_selected_gives_kong_yml():
    spec = cases.ROOT / "examples" / "multi-gateway" / "gateway.yml"
    if not spec.exists():
        pytest.skip("the multi-gateway example is not there")
    ir = compile_spec(str(spec)).ir
    out = BACKEND.build(ir, ir.gateways[:1], BuildOptions("g.yml", "0"))
    assert list(out.files) == ["kong.yml"]


@pytest.mark.parametrize("jwk,error", [
    ({"kty": "oct", "k": "x"}, "not supported"),
    ({"kty": "EC", "crv": "P-521", "x": "", "y": ""}, "not supported"),
    ({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}, "coordinate length"),
    ({"kty": "RSA", "n": 5}, "without n/e"),
])
def test_pem_refuses_bad_keys(jwk, error):
    with pytest.raises(ValueError, match=error):
        pem.jwk_to_pem(jwk)


def test_upstream_names_are_hostnames():
    assert ids.upstream_name("orders") == "orders.upstream"
    odd = ids.upstream_name("Orders_V2")
    assert odd.endswith(".upstream") and odd == odd.lower() and "_" not in odd
    assert ids.upstream_name("Orders_V2") != ids.upstream_name("orders-v2")


def test_docs_list_every_capability_as_declared():
    doc = (cases.ROOT / "docs" / "targets" / "kong.md").read_text()
    for f, s in CAPABILITIES.items():
        row = f"| `{f}` | {s.level} | {s.note.replace('|', chr(92) + '|')} |"
        assert row in doc, f


def test_raw_file_is_yaml_and_placeholders_are_plain_scalars():
    """Before decK renders it, the file is still YAML (for linters and diff tools), and a
    placeholder is one plain scalar, so that the rendered quoted value replaces it exactly."""
    import io

    from ruamel.yaml import YAML

    text = harness.build_file(FULL).files["kong.yml"].decode()
    raw = YAML(typ="safe", pure=True).load(io.StringIO(text))
    keys = [c for c in raw["consumers"] if c.get("keyauth_credentials")][0]["keyauth_credentials"]
    assert keys[0]["key"] == deck.placeholder("DECK_USER_KEYS")
    assert f"key: {deck.placeholder('DECK_USER_KEYS')}\n" in text
