"""How long `gatewayc validate` takes on 1k- and 10k-route specs, against the time
ruamel.yaml's C loader needs just to parse the same file (issue 2's target: 10k-route
validate <= 1.5x that parse time, with line/column diagnostics kept).

Run: python benchmarks/validate_speed.py   (prints figures; asserts nothing)
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_spec import spec_text  # noqa: E402


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    from ruamel.yaml import YAML

    from gatewayc.compiler import compile_spec

    yaml = YAML(typ="safe", pure=False)
    assert "CParser" in repr(yaml.Parser), "ruamel.yaml.clib is not installed: no C loader to compare with"
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1_000, 10_000):
            path = os.path.join(tmp, f"spec{n}.yml")
            with open(path, "w") as fh:
                fh.write(spec_text(n))
            size = os.path.getsize(path)

            def parse():
                with open(path, "rb") as fh:
                    yaml.load(fh)

            def validate():
                c = compile_spec(path)
                assert c.ok, c.diagnostics[:3]

            def events():
                with open(path, "rb") as fh:
                    for _ in yaml.parse(fh):
                        pass

            t_parse = best(parse)
            t_events = best(events)
            t_validate = best(validate)
            cli = []
            for _ in range(3):
                t = time.perf_counter()
                r = subprocess.run([sys.executable, "-m", "gatewayc", "validate", "-q", path],
                                   capture_output=True)
                cli.append(time.perf_counter() - t)
                assert r.returncode == 0, r.stdout
            print(f"{n:>6} routes ({size / 1e6:.1f} MB): libyaml events only {t_events:.3f}s | "
                  f"C-loader parse {t_parse:.3f}s | "
                  f"validate in-process {t_validate:.3f}s = {t_validate / t_parse:.2f}x | "
                  f"CLI end-to-end {min(cli):.3f}s (median {statistics.median(cli):.3f}s)")
    print("target: 10k-route validate <= 1.50x the C-loader parse time. ruamel's C loader builds its "
          "objects in Python; 'events only' is libyaml's bare event stream, the floor for any validator")


if __name__ == "__main__":
    main()
