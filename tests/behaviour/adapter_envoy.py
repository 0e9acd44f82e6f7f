"""The table's Envoy, validated (`envoy --mode validate`) and run by tests/envoy/envoy_harness.py."""
from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

from envoy_harness import Envoy, run_envoy
from gatewayc.backends.base import Output

NAME = "envoy"


def start(work: Path, out_dir: Path, port: int, env: dict[str, str]) -> Envoy:
    # Envoy runs from out_dir: the files the spec names by a relative path must be found there
    for f in work.iterdir():
        if f.is_file() and f.name != "gateway.yml" and not (out_dir / f.name).exists():
            shutil.copyfile(f, out_dir / f.name)
    files = {p.relative_to(out_dir).as_posix(): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    return run_envoy(work, out_dir, Output(files=files), [port], {**env, **_jwks_forms(env)})


def _jwks_forms(env: dict[str, str]) -> dict[str, str]:
    """What a deployment adds for Envoy, as docs/targets/envoy.md says (the HS secret): NAME_JWKS,
    the `oct` JWKS of the secret in NAME (all jwt_authn reads an HMAC key from), made by the
    one-liner there (with its `alg`: the table's HS routes accept HS256)."""
    def jwks(secret: str) -> str:
        k = base64.urlsafe_b64encode(secret.encode()).rstrip(b"=").decode()
        return json.dumps({"keys": [{"kty": "oct", "k": k, "alg": "HS256"}]})
    return {f"{name}_JWKS": jwks(value) for name, value in env.items()}


def problems(gw: Envoy) -> list[str]:
    """Error and critical lines of Envoy's log (its harness fails a test on any)."""
    return gw.errors()
