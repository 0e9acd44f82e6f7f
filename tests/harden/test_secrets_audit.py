"""No secret in any generated file: every spec the project ships (examples/ and the backends'
test specs) built with the real CLI for every registered target, with a known value in every
variable and every secret file it references, and every artifact scanned for every value in
every encoding that matters (secret_scan.py)."""
from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

import target_checks
from gatewayc import backends
from gatewayc.capabilities import is_auth
from gatewayc.build import build
from gatewayc.cli.app import app
from gatewayc.loader import load
from gatewayc.spec import Spec
from gatewayc.spec.secrets import SecretRef
from secret_scan import _base64_forms, forms, leaks

REPO = Path(__file__).resolve().parents[2]
SPECS = sorted(REPO.glob("examples/*/gateway.yml")) + sorted(REPO.glob("tests/kong/specs/*/gateway.yml")) \
    + sorted(REPO.glob("tests/nginx/specs/*.yml")) + sorted(REPO.glob("tests/traefik/specs/*.yml")) + sorted(REPO.glob("tests/aws/specs/*.yml")) \
    + sorted(REPO.glob("tests/harden/specs/secret*.yml"))


def _refs(node):
    if isinstance(node, SecretRef):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _refs(getattr(node, name))
    elif isinstance(node, dict):
        for v in node.values():
            yield from _refs(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _refs(v)


def secret_refs(spec: Path) -> list[SecretRef]:
    loaded = load(str(spec))
    assert loaded.tree is not None, [str(d) for d in loaded.diagnostics]
    return list(_refs(Spec.model_validate(loaded.tree)))


def value(name: str) -> str:
    """A secret that every encoding changes: '/', '+', '=', '&', quotes, a non-ASCII letter; a
    list of credentials, as key and basic-auth variables hold them."""
    return f"alice:S3cr3t/{name}+a=1&\"é'-one,bob:S3cr3t/{name}+b=2&-two"


def parts(secret: str) -> list[str]:
    """The value and each credential in it: a backend that splits a list must not leak a part."""
    out = [secret]
    for entry in secret.replace("\n", ",").split(","):
        out += [entry] + [p for p in entry.split(":", 1) if len(p) >= 8]
    return [p for p in dict.fromkeys(out) if len(p) >= 8]


def _case_ids():
    return [f"{s.relative_to(REPO).parent}/{s.name}:{t}" for s in SPECS for t in target_checks.targets()]


def test_the_scan_finds_every_encoding():
    s = value("X")
    blob = b"prefix " + base64.b64encode(b"ab" + s.encode() + b"cd") + b" suffix"
    assert leaks(blob, {"x": s})
    for f in forms(s):
        assert leaks(b"..." + f + b"...", {"x": s})
    assert not leaks(b"S3cr3t/ and unrelated text", {"x": s})
    for pad in (b"", b"a", b"ab"):
        urlsafe = base64.urlsafe_b64encode(pad + b"\xfb\xff" + s.encode() + b"?").rstrip(b"=")
        assert leaks(b"token=" + urlsafe, {"x": s}), pad
    assert len(_base64_forms(s.encode())) >= 3


@pytest.mark.parametrize("spec,target", [(s, t) for s in SPECS for t in target_checks.targets()], ids=_case_ids())
def test_no_secret_in_any_artifact(spec, target, tmp_path, monkeypatch):
    work = tmp_path / "spec"
    shutil.copytree(spec.parent, work, ignore=shutil.ignore_patterns("__snapshots__", "*.md"))
    main = work / spec.name
    secrets: dict[str, str] = {}
    env: dict[str, str] = {}
    files_written = 0
    for ref in secret_refs(spec):
        if ref.env:
            env[ref.env] = env.get(ref.env) or value(ref.env)
            env["DECK_" + ref.env] = env[ref.env]  # decK's name for it, should anything read that
            secrets |= {f"env {ref.env}: {p}": p for p in parts(env[ref.env])}
        else:
            # a path on the gateway host: moved under the test's directory (the spec text changes
            # only there), written with a known value
            local = tmp_path / "host" / ref.file.lstrip("/") if ref.file.startswith("/") else work / ref.file
            content = value("FILE_" + Path(ref.file).name.replace(".", "_"))
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_text(content + "\n")
            files_written += 1
            secrets |= {f"file {ref.file}: {p}": p for p in parts(content)}
            if ref.file.startswith("/"):
                for f in work.rglob("*.yml"):
                    f.write_text(f.read_text().replace(ref.file, str(local)))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    table = backends.capabilities(target)
    accept = [a for f, s in sorted(table.items()) if s.level == "unsupported" and not is_auth(f)
              for a in ("--accept-degraded", f)]
    runs = []
    for form in ("full", "include"):
        out = tmp_path / f"out-{form}"
        r = CliRunner().invoke(app, ["build", str(main), "--target", target, "--out", str(out), "--form", form,
                                     "--format", "json", *accept])
        assert r.exit_code in (0, 1), (r.exit_code, r.output, r.exception)
        runs.append(r)
        artifacts = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} if out.exists() else {}
        assert (r.exit_code == 0) == bool(artifacts), r.output
        artifacts[Path("<stdout and stderr>")] = r.output.encode() + r.stderr.encode()
        for path, data in artifacts.items():
            found = leaks(data, secrets)
            assert not found, f"{path}: {found}"


@pytest.mark.parametrize("target", target_checks.targets())
def test_every_target_builds_specs_holding_secrets(target):
    """The audit above is not empty for any target: each builds specs that hold secrets of every
    kind it supports (env everywhere; files where the target reads them at run time)."""
    table = backends.capabilities(target)
    if all(table[f].level == "unsupported" for f in SECRET_FEATURES):
        return  # the target builds nothing that takes a secret (today: aws)
    accept = [f for f, s in table.items() if s.level == "unsupported" and not is_auth(f)]
    kinds = set()
    for spec in SPECS:
        if build(str(spec), [target], source="x", accept=accept).ok:
            kinds |= {"env" if r.env else "file" for r in secret_refs(spec)}
    assert "env" in kinds
    assert "file" in kinds or target == "kong"  # decK fills secrets from DECK_* variables only


# the features whose spec takes a secret reference
SECRET_FEATURES = ("auth.jwt.hmac", "auth.api_key", "auth.basic", "rate_limit.shared", "listener.tls")
