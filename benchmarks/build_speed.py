"""How long `gatewayc build` takes at 1k, 10k and 50k routes, for every registered target
and for `--target all`, against the time ruamel.yaml's C loader takes to parse the same
file (issue 15's targets: every target at 10k <= 1.2x the parse, `all` <= 1.5x; growth
1k -> 10k and 10k -> 50k <= 11x for time and for peak memory).

Specs come from gen_mix.py (the route mix of a platform team's gateway). A target that cannot express
some feature of the mix (AWS API Gateway: regex paths, header matches, hostnames) still runs
its backend over the whole spec before the build fails: it is timed all the same and marked.
Every figure is
measured in a fresh process (so peak RSS is that one job's), best of `--runs`; the time is
the build itself (spec file -> generated files in memory, what `gatewayc build` does before
writing), after the imports, as CPU time of the process and of the worker processes it
waits for (`--target all` on a large spec runs the backends side by side, gatewayc/fanout.py;
GATEWAYC_SERIAL=1 runs them one after another): on a shared machine the wall time moves with
other load, which CPU time does not (both are printed per job; the table and ratios use CPU
time, and give the wall time too where workers ran). Peak RSS is the whole process's,
imports included, and the largest worker's beside it.

Run: python benchmarks/build_speed.py [--sizes 1000,10000,50000] [--runs 1] [--targets nginx,kong]
     [--markdown]   (prints figures; asserts nothing; 50k takes a few minutes per target)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_mix import spec_text  # noqa: E402

# Runs in the fresh process: one job, then one JSON line with its time and peak RSS.
CHILD = r"""
import json, resource, sys, time
job, path = sys.argv[1], sys.argv[2]
if job.startswith("parse"):
    if job == "parse-nogc":  # as build() runs: without the cyclic collector
        import gc
        gc.disable()
    from ruamel.yaml import YAML
    yaml = YAML(typ="safe", pure=False)
    assert "CParser" in repr(yaml.Parser), "ruamel.yaml.clib is not installed: no C loader to compare with"
    def run():
        with open(path, "rb") as fh:
            yaml.load(fh)
else:
    from gatewayc import backends, fanout
    from gatewayc.build import build
    _run = fanout.run
    def counted(jobs, n, first=()):  # how many processes the backends ran in
        workers.append(n)
        return _run(jobs, n, first)
    fanout.run = counted
    targets = backends.names() if job == "all" else [job]
    for t in targets:  # the imports a build needs, outside the timed part
        backends.load(t)
    def run():
        global errors
        r = build(path, targets, source="spec.yml", subdirs=job == "all")
        errors = sum(x.is_error for x in r.diagnostics)
errors = 0
workers = [1]
def children():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime
t, c, k = time.perf_counter(), time.process_time(), children()
run()
# the build's worker processes (`all` on a large spec) count too: they are waited for
cpu, wall, kids = time.process_time() - c, time.perf_counter() - t, children() - k
print(json.dumps({"time": cpu + kids, "wall": wall, "workers": max(workers) > 1, "worker_cpu": kids,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "worker_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "errors": errors}))
"""


def measure(job: str, path: str, runs: int) -> dict:
    best: dict | None = None
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c", CHILD, job, path], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"{job} on {path} failed:\n{r.stderr[-3000:]}")
        got = json.loads(r.stdout.strip().splitlines()[-1])
        best = got if best is None or got["time"] < best["time"] else best
    assert best is not None
    return best


def main() -> None:
    from gatewayc import backends

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--targets", default=",".join([*backends.names(), "all"]),
                    help="comma-separated; default: every registered target, then all")
    ap.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    jobs = args.targets.split(",")
    results: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = os.path.join(tmp, f"mix{n}.yml")
            with open(path, "w") as fh:
                fh.write(spec_text(n))
            mb = os.path.getsize(path) / 1e6
            results[("parse", n)] = p = measure("parse", path, args.runs)
            nogc = measure("parse-nogc", path, args.runs)
            print(f"{n:>6} routes, {mb:.1f} MB: parse {p['time']:.3f}s CPU ({p['wall']:.3f}s wall), "
                  f"{p['rss_kb'] / 1024:.0f} MB; without the cyclic GC (as build runs) {nogc['time']:.3f}s CPU",
                  flush=True)
            for job in jobs:
                results[(job, n)] = m = measure(job, path, args.runs)
                print(f"{'':>6}  {job:<8} {m['time']:8.3f}s CPU = {m['time'] / p['time']:5.2f}x parse "
                      f"({m['wall']:.3f}s wall), peak RSS {m['rss_kb'] / 1024:6.0f} MB"
                      + (f"; {m['worker_cpu']:.3f}s CPU of it in worker processes (peak RSS "
                         f"{m['worker_rss_kb'] / 1024:.0f} MB each at most), wall {m['wall'] / p['wall']:.2f}x "
                         "the parse's" if m["workers"] else "")
                      + (f"  [{m['errors']} capability errors: nothing written]" if m["errors"] else ""), flush=True)
    rows = []
    for job in ["parse", *jobs]:
        cells = []
        for i, n in enumerate(sizes):
            m = results[(job, n)]
            ratio = m["time"] / results[("parse", n)]["time"]
            cell = f"{m['time']:.2f} s ({ratio:.2f}x), {m['rss_kb'] / 1024:.0f} MB" + (" †" if m["errors"] else "")
            if m["workers"]:  # run in worker processes: their CPU is in the time; the wall time is what shrinks
                cell += (f" + workers {m['worker_rss_kb'] / 1024:.0f} MB each; wall {m['wall']:.2f} s "
                         f"({m['wall'] / results[('parse', n)]['wall']:.2f}x the parse's wall)")
            if i:
                prev = results[(job, sizes[i - 1])]
                cell += f"; growth {m['time'] / prev['time']:.1f}x / {m['rss_kb'] / prev['rss_kb']:.1f}x"
            cells.append(cell)
        rows.append((job, cells))
    print("\nCPU time (ratio to parse), peak RSS; growth from the previous size: time / peak RSS; "
          "†: the target refuses features of the mix (capability errors, nothing written), timed all the same: "
          "every backend runs over the whole spec before the build fails")
    for job, cells in rows:
        print(f"{job:<8} " + " | ".join(cells))
    if args.markdown:
        print("\n| target | " + " | ".join(f"{n:,} routes" for n in sizes) + " |")
        print("|---|" + "---|" * len(sizes))
        for job, cells in rows:
            print(f"| {job} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
