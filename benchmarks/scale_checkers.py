"""The route mix of gen_mix.py at scale (10k routes by default), built for every target and
passed through its real checker, with the time of each: the figures behind
tests/harden/test_scale_outputs.py (which runs the same at 100 routes in CI, 10k under the
`long` profile). Prints one JSON line per target, then a Markdown table.

Run: python benchmarks/scale_checkers.py [--routes 10000] [--targets nginx,envoy]
(nginx -t alone takes minutes at 10k on a loaded machine.)"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "harden")] + [
    str(ROOT / "tests" / t) for t in ("nginx", "kong", "traefik", "aws", "envoy")]

import target_checks  # noqa: E402
from test_scale_outputs import build_and_check  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--routes", type=int, default=10000)
    ap.add_argument("--targets", default=",".join(target_checks.targets()))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scale-checkers-"))
    checkers = target_checks.Checkers(work)
    rows = []
    for target in args.targets.split(","):
        try:
            row = build_and_check(checkers, target, args.routes, checkers.fresh(target))
        except Exception as exc:  # noqa: BLE001 - a failing target is a figure too; the others still run
            row = {"target": target, "routes": args.routes, "checker_refused": str(exc)[:300]}
        print(json.dumps(row), flush=True)
        rows.append(row)
    print("\n| target | routes | build (s) | checker (s) | output (bytes) | result |\n|---|---|---|---|---|---|")
    for r in rows:
        result = ("refused " + ", ".join(r["refused"]) + ": " + r["first"] if "refused" in r
                  else "CHECKER REFUSED: " + r["checker_refused"] if "checker_refused" in r else "accepted")
        print(f"| {r['target']} | {r['routes']} | {r.get('build_s', '')} | {r.get('check_s', '')} | "
              f"{r.get('bytes', '')} | {result} |")


if __name__ == "__main__":
    main()
