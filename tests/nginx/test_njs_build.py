"""What the njs half writes, checked without traffic: no secrets, user text only as data,
deterministic output, keys converted faithfully, capabilities consistent."""
from __future__ import annotations

import base64
import json
from importlib import resources

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gatewayc.backends.nginx import njs_policies as njs
from gatewayc.backends.nginx.context import Context
from gatewayc.capabilities.features import FEATURES

try:
    from . import njs_harness as H
except ImportError:
    import njs_harness as H

ENV_SECRET = "s3cret-env-value-that-must-not-leak-0123"
FILE_SECRET = "s3cret-file-value-that-must-not-leak-456"
KEYS_SECRET = "api-key-value-that-must-not-leak"

SPEC = """
version: 1
services:
  echo: {{url: "http://127.0.0.1:9"}}
gateways:
  main:
    listeners: [{{port: 8080}}]
    observability: {{metrics: {{path: /prom}}}}
    routes:
      - name: weird.name
        match: {{path: /a}}
        service: echo
        policies:
          auth:
            any_of:
              - jwt:
                  algorithms: [HS256]
                  secret: {{env: GWC_SECRET}}
                  issuer: "iss\\"'); r.return(200); ('$x"
                  forward_claims: {{"cl\\"aim": X-Claim}}
              - jwt:
                  algorithms: [RS256, ES256]
                  jwks: {{file: jwks.json}}
              - api_key: {{header: X-Key, keys: {{file: "{tmp}/keys.txt"}}}}
              - basic: {{credentials: {{file: "{tmp}/ht$passwd"}}, realm: "r\\"e$alm"}}
            failure: {{status: 401, body: {{error: "$x \\"quoted\\""}}}}
          rate_limit: {{requests: 5, per: 1s, key: consumer}}
          request:
            body: {{rename: {{"a\\"b": "c$d"}}, set: {{"x": "'); evil('"}}}}
      - name: agg
        match: {{path: /agg}}
        aggregate:
          parts:
            - {{key: "k\\"ey", service: echo, path: /p}}
"""


@pytest.fixture(scope="module")
def keypair():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def spec(tmp_path_factory, keypair):
    tmp = tmp_path_factory.mktemp("build")
    rk, ek = keypair
    rpub = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rk.public_key()))
    epub = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ek.public_key()))
    jwks = {"keys": [dict(rpub, kid="r1", use="sig"), dict(epub, kid="e1")]}
    (tmp / "keys.txt").write_text(KEYS_SECRET + "\n")
    (tmp / "ht$passwd").write_text("u:{PLAIN}" + FILE_SECRET + "\n")
    return H.compile_ir(tmp, SPEC.format(tmp=tmp), {"jwks.json": json.dumps(jwks)}), tmp


def test_no_secret_value_in_any_generated_file(spec, monkeypatch):
    ir_, _ = spec
    monkeypatch.setenv("GWC_SECRET", ENV_SECRET)
    built = H.build(ir_, 8080)
    everything = {**built.files, "nginx.conf": built.conf.encode()}
    for rel, data in everything.items():
        for secret in (ENV_SECRET, FILE_SECRET, KEYS_SECRET):
            assert secret.encode() not in data, (rel, secret[:8])
    assert 'env "GWC_SECRET";' in built.conf
    assert built.ctx.env == {"GWC_SECRET"}


def test_javascript_is_shipped_unchanged(spec):
    built = H.build(spec[0], 8080)
    for name in njs.MODULES:
        shipped = resources.files("backends.nginx").joinpath("njs", name).read_bytes()
        assert built.files[f"njs/{name}"] == shipped


def test_user_text_reaches_njs_only_as_data(spec):
    built = H.build(spec[0], 8080)
    conf = json.loads(built.files["njs/gwc_config.json"])
    (rid,) = [k for k, v in conf["routes"].items() if "auth" in v]
    auth = conf["routes"][rid]["auth"]
    assert auth["methods"][0]["issuer"] == "iss\"'); r.return(200); ('$x"
    assert auth["methods"][0]["forward"] == [["cl\"aim", "X-Gwc-Claim-0"]]
    assert conf["routes"][rid]["body"]["rename"] == [["a\"b", "c$d"]]
    assert "\"'); r.return(200)" not in built.conf


def test_config_passes_nginx_t(spec, tmp_path):
    built = H.build(spec[0], H.free_port())
    H.write(built, tmp_path / "out")
    H.check_config(tmp_path / "out")


def test_user_dollars_are_not_interpolated(spec):
    conf = H.build(spec[0], 8080).conf
    assert '"{\\"error\\":\\"${gwc_dollar}x \\\\\\"quoted\\\\\\"\\"}"' in conf
    assert "ht${gwc_dollar}passwd" not in conf  # under any_of, the file is read by njs, not nginx
    assert 'Basic realm=\\"r\\\\\\"e${gwc_dollar}alm\\"' in conf


def test_output_is_deterministic(spec):
    a, b = H.build(spec[0], 8080), H.build(spec[0], 8080)
    assert a.conf == b.conf and a.files == b.files
    text = a.files["njs/gwc_config.json"].decode()
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=1) + "\n"


def test_jwks_become_spki(spec, keypair):
    rk, ek = keypair
    conf = json.loads(H.build(spec[0], 8080).files["njs/gwc_config.json"])
    (route,) = [v for v in conf["routes"].values() if "auth" in v]
    keys = {k["kid"]: k for k in route["auth"]["methods"][1]["keys"]}
    assert set(keys) == {"r1", "e1"}
    for kid, key in (("r1", rk), ("e1", ek)):
        der = key.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        assert base64.b64decode(keys[kid]["spki"]) == der
        assert set(keys[kid]) == {"kid", "alg", "kty", "crv", "spki"}
    assert keys["e1"]["crv"] == "P-256" and keys["r1"]["kty"] == "RSA"


def test_nothing_njs_when_nothing_needs_it(tmp_path):
    ir_ = H.compile_ir(tmp_path, """
version: 1
services: {echo: {url: "http://127.0.0.1:9"}}
gateways:
  main:
    listeners: [{port: 8080}]
    routes: [{name: a, match: {path: /a}, service: echo}]
""")
    ctx = Context(ir_, ir_.gateways)
    assert njs.files(ir_.gateways, ctx) == {}
    assert njs.http_directives(ir_.gateways, ctx) == []
    assert njs.main_directives(ir_.gateways, ctx) == []
    assert njs.location_directives(ir_.gateways[0], ir_.gateways[0].routes[0], ctx) == []


def test_capabilities_are_consistent():
    assert set(njs.NJS_CAPABILITIES) <= set(FEATURES)
    for feature, support in njs.NJS_CAPABILITIES.items():
        assert njs.handles(feature) == (support.level != "unsupported")
        assert support.note
    assert not njs.handles("auth.jwt.jwks_url")
    assert not njs.handles("validation.body_schema")
