"""Small-spec latency, as a pre-commit hook sees it: `gatewayc validate` and `gatewayc build
--target nginx` on the shop example as whole processes, beside `python -c pass` and beside
a bare import of the libraries those commands need, beside that import plus gatewayc's spec
and IR models (which `validate` needs whatever else is lazy), and which top-level packages
each command imports (nothing it does not use should be there).

Run: python benchmarks/cli_latency.py [-n 15]   (prints figures; asserts nothing; ~1 minute)
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOP = os.path.join(ROOT, "examples", "shop", "gateway.yml")


def timed(argv: list[str], n: int) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds of the child) over n runs."""
    walls, cpus = [], []
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run(argv, capture_output=True, cwd=tempfile.gettempdir())
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if r.returncode not in (0,):
            raise SystemExit(f"{argv} failed:\n{r.stdout.decode()[-2000:]}{r.stderr.decode()[-2000:]}")
    return statistics.median(walls), statistics.median(cpus)


def packages(argv: list[str]) -> list[str]:
    """Top-level packages outside the standard library that the process imports."""
    r = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True, text=True,
                       cwd=tempfile.gettempdir())
    names = {line.split("|")[-1].strip().split(".")[0] for line in r.stderr.splitlines()
             if line.startswith("import time:") and "|" in line}
    return sorted(n for n in names if n and " " not in n and n not in sys.stdlib_module_names
                  and not n.startswith("_") and n != "sitecustomize")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=15, help="runs per command [15]")
    args = ap.parse_args()
    py = sys.executable
    out = tempfile.mkdtemp(prefix="gwc-latency-")
    jobs = [
        ("python -c pass", [py, "-c", "pass"]),
        ("import click, pydantic, ruamel.yaml", [py, "-c", "import click, pydantic, ruamel.yaml"]),
        # what `validate` cannot do without: pydantic building the spec models, and the IR's dataclasses
        ("... + gatewayc's spec and IR models", [py, "-c", "import click, pydantic, ruamel.yaml, gatewayc.spec, "
                                                          "gatewayc.ir.model"]),
        ("gatewayc validate shop", [py, "-m", "gatewayc", "validate", "-q", SHOP]),
        ("gatewayc build --target nginx shop", [py, "-m", "gatewayc", "build", SHOP, "--target", "nginx",
                                                "--out", out]),
    ]
    print(f"median of {args.n} runs each; CPU = user + system of the child process")
    for label, argv in jobs:
        wall, cpu = timed(argv, args.n)
        print(f"  {label:<40} {wall * 1000:7.0f} ms wall  {cpu * 1000:7.0f} ms CPU")
    for label, argv in jobs[3:]:
        print(f"  {label} imports: {', '.join(packages(argv))}")


if __name__ == "__main__":
    main()
