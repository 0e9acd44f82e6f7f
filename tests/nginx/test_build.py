"""Every example builds to a config nginx accepts, in both forms, the same bytes every time."""
from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from gatewayc.backends.base import BuildOptions
from gatewayc.backends.nginx import BACKEND, capabilities, njs_bridge
from gatewayc.capabilities import FEATURES
from gatewayc.compiler import compile_spec
from gatewayc.ir import model as ir
from nginx_harness import nginx_test, write_output

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.glob("examples/*/gateway.yml")) or sorted((ROOT / "tests/nginx/specs").glob("*.yml"))
OWN_SPECS = sorted((ROOT / "tests/nginx/specs").glob("*.yml"))


class ConfSnapshot(SingleFileSnapshotExtension):
    _file_extension = "conf"  # syrupy < 5 spelling
    file_extension = "conf"
    _write_mode = WriteMode.TEXT


def _id(p: Path) -> str:
    return f"{p.parent.name}-{p.stem}"


def _ir(path: Path) -> ir.IR:
    c = compile_spec(str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path))
    assert c.ok, [str(x) for x in c.diagnostics]
    return c.ir


def _build(spec: ir.IR, form: str = "full"):
    return BACKEND.build(spec, spec.gateways, BuildOptions("gateway.yml", "test", form=form))


def _self_signed(tmp: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gatewayc.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))
    return str(tmp / "cert.pem"), str(tmp / "key.pem")


def _local_tls(spec: ir.IR, tmp: Path) -> ir.IR:
    """The examples name certificates on a real gateway host; nginx -t opens them."""
    cert, key = _self_signed(tmp)
    gws = []
    for gw in spec.gateways:
        lst = tuple(dataclasses.replace(x, tls=dataclasses.replace(
            x.tls, certificate=cert, key=ir.SecretRef("file", key),
            client_ca=cert if x.tls.client_ca else None)) if x.tls else x for x in gw.listeners)
        gws.append(dataclasses.replace(gw, listeners=lst))
    return dataclasses.replace(spec, gateways=tuple(gws))


@pytest.mark.parametrize("path", EXAMPLES + OWN_SPECS, ids=_id)
def test_nginx_accepts_the_full_form(path, tmp_path):
    out = _build(_local_tls(_ir(path), tmp_path))
    write_output(tmp_path / "out", out.files)
    checked = nginx_test(tmp_path / "out")
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("path", EXAMPLES + OWN_SPECS, ids=_id)
def test_nginx_accepts_the_include_form(path, tmp_path):
    out = _build(_local_tls(_ir(path), tmp_path), form="include")
    assert "nginx.conf" not in out.files and "gatewayc-http.conf" in out.files
    write_output(tmp_path / "out" / "gatewayc", out.files)
    main = ["pid nginx.pid;", "error_log stderr;"]
    if "gatewayc-main.conf" in out.files:
        main.append("include gatewayc/gatewayc-main.conf;")
    (tmp_path / "out" / "host.conf").write_text(
        "\n".join(main) + "\nevents {}\nhttp {\n    include gatewayc/gatewayc-http.conf;\n}\n")
    checked = nginx_test(tmp_path / "out", "host.conf")
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("path", EXAMPLES + OWN_SPECS, ids=_id)
def test_output_is_deterministic(path):
    assert _build(_ir(path)).files == _build(_ir(path)).files


@pytest.mark.parametrize("path", EXAMPLES + OWN_SPECS, ids=_id)
def test_snapshot(path, snapshot):
    conf = _build(_ir(path)).files["nginx.conf"].decode()
    assert conf == snapshot(extension_class=ConfSnapshot)


def test_capabilities_cover_every_feature():
    assert set(capabilities.CAPABILITIES) == set(FEATURES)
    assert all(s.level == "native" or s.note for s in capabilities.CAPABILITIES.values())


def test_njs_features_unsupported_without_njs(monkeypatch):
    monkeypatch.setattr(njs_bridge, "NJS", None)
    table = capabilities._table()
    for f in ("auth.jwt.hmac", "auth.api_key", "aggregation", "transform.request.body", "observability.metrics"):
        assert table[f].level == "unsupported", f
    assert table["routing.path.exact"].level == "native"


def test_auth_without_njs_fails_closed(monkeypatch, build_spec):
    monkeypatch.setattr(njs_bridge, "NJS", None)
    _, out = build_spec("""
version: 1
services:
  a: {url: http://127.0.0.1:9}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: secret
        match: {path: /s}
        service: a
        policies:
          auth: {basic: {credentials: {env: BASIC_USERS}}}
""")
    conf = out.files["nginx.conf"].decode()
    assert "proxy_pass" not in conf and '"503"' in conf
    assert any(n.code == "GWC300" for n in out.notes)
