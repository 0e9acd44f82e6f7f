"""The AWS backend's refusals are reproducible: the same spec gives the same diagnostics
whatever the hash seed (tests/determinism covers the examples; this covers a refusal that
picks one of several policies to point at)."""
from __future__ import annotations

import os
import subprocess
import sys

SPEC = """\
version: 1
services:
  svc: {url: "http://127.0.0.1:3000"}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
""" + "".join(f"""\
      - name: r{i}
        match: /r{i}
        service: svc
        policies: {{cors: {{origins: ["https://app{i}.example.com"]}}}}
""" for i in range(6))


def test_a_refused_rest_cors_points_at_the_first_route_whatever_the_hash_seed(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text(SPEC)
    reports = set()
    for seed in ("0", "1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run([sys.executable, "-m", "gatewayc", "build", str(spec), "--target", "aws", "--out",
                            str(tmp_path / "out"), "--format", "json"], env=env, capture_output=True, text=True)
        assert r.returncode == 1 and "CORS headers" in r.stdout, r.stdout + r.stderr
        reports.add(r.stdout)
    assert len(reports) == 1
    assert '"line": 11' in reports.pop()  # r0's cors
