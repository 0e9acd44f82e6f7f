"""NGINX throughput of gatewayc's generated configs (issue 3): wrk on loopback.

Targets from issue 3 (reported here, not asserted; this is a benchmark, not a test):
  * the generated config for ONE plain proxy route serves >= 97 % of the requests/s of a
    minimal hand-written reference config (upstream block with keepalive) on the same
    backend;
  * a generated config with 1,000 routes serves >= 95 % of the 1-route figure.

Run:  python benchmarks/nginx_throughput.py            (~3 minutes; prints figures)
      python benchmarks/nginx_throughput.py -d 4 -r 40  (~12 minutes: intervals narrow enough for a verdict)
      python benchmarks/nginx_throughput.py --help     (duration, rounds, connections, ...)
Needs: Linux, nginx on PATH and wrk (Debian/Ubuntu: `apt-get install wrk`); the script
installs nothing. Everything listens on 127.0.0.1 only, on free ports, and every nginx it
starts is stopped on exit (and gets SIGTERM if the script itself is killed).

What runs:
  backend    a separate nginx (worker_processes 1, no access log) answering
             `return 200 "ok"` for every path, so the backend is not the bottleneck. Its
             stub_status counts the connections the gateways open to it.
  ref        a minimal hand-written nginx.conf (REFERENCE_CONF below): one upstream with
             `keepalive 64` (--ref-keepalive), `proxy_http_version 1.1`,
             `proxy_set_header Connection ""`, proxy_pass for every path. It is the
             baseline, not user input; the issue-3 ratio is gen-1 / ref.
  ref-kaN    the same with the generated config's own keepalive value N (only when N
             differs from --ref-keepalive): it shows how much of a gap is the pool size.
  ref-fwd    `ref` plus the forwarding headers every gatewayc route sends (Host,
             X-Forwarded-For/-Proto/-Host, the WebSocket Upgrade/Connection pair), written
             the usual hand-written way. Not the issue's baseline: gen-1 / ref-fwd shows
             what the generated config costs beyond those headers, ref-fwd / ref what
             the headers themselves cost.
  gen-1      `gatewayc build` of a spec with one plain proxy route (prefix /api -> the
             backend service, no policies), built through the CLI in a temp dir.
  gen-1000   `gatewayc build` of a spec with 1,000 routes to the same service: 900
             prefixes /api/r0 .. /api/r899, 50 exact paths and 50 regex paths; wrk hits
             a prefix route in the middle (/api/r450/items), and sends that same request
             to the other configs, so only the configs differ. The regex routes could
             cost a regex scan per request; gatewayc skips it (`^~`) where no regex
             route can match below a prefix.
  gen-mix    `gatewayc build` of gen_mix.py's 10,000-route mix (--mix N): 44 % regex
             routes, methods, headers, hostnames, policies, 3 gateways, every service
             pointing at the backend. wrk hits a prefix route in the middle that has two
             regex routes below it (/api/v5/svc21/res1671/items): nginx tries only those
             (nested under the prefix, docs/targets/nginx.md), not the 4,400 regexes.
             Issue 15's target: >= 90 % of gen-1's requests/s. The script also reports
             this config's `nginx -t` time and start-up time (start to listening).

Fairness choices:
  * worker_processes: the references use the generated config's value (gatewayc writes
    "auto"), so all gateways run with as many workers; the backend has 1 worker. With
    the default pinning every worker of the gateway under test shares CPU 0, so each
    config gets the same single CPU.
  * access logging: the references copy the generated config's http-level access_log:
    gatewayc's full configs write `access_log off` unless the spec asks for a log, so no
    config logs. Were a generated config to log, the references would copy its
    log_format/access_log lines, and the output says which applies.
  * upstream keepalive: `keepalive` is the number of idle connections each worker keeps;
    with more concurrent requests than that (wrk -c32 on one worker), idle connections
    beyond the pool are closed and new ones opened, which costs far more than any other
    directive here. A hand-written config sized for the load keeps more than the
    concurrency, hence 64 in `ref`; `ref-kaN` is the like-for-like pool size. The column
    "new upstream conns/1k req" shows the churn. --gen-keepalive N is a what-if that
    rewrites the generated configs' value (the output marks such runs).
  * CPU placement (default; --no-pin to disable): the gateway under test on CPU 0, the
    backend and wrk on the other CPUs, so the gateway is the one process that saturates.
  * noise: the order of the configs rotates every round; figures are medians over the
    rounds, "paired" ratios are medians of within-round ratios, each with a bootstrap 90 %
    confidence interval. The verdict is "meets" or "BELOW" only when the whole interval is
    on one side of the target, else "inconclusive" (run more rounds). Besides req/s the
    script reports the gateway worker's CPU time per request, and the CPU used by processes
    outside the benchmark during each run: on a shared machine req/s moves with other
    load (which tends to land on the gateway's CPU whenever the gateway idles), CPU/request
    much less. Rounds that were not "quiet" (>= 10 % of a CPU used by other processes) are
    left out of the paired ratios when quiet ones remain.
  * On a virtual machine a config's req/s can move by 20 % between rounds; the paired
    ratios need many rounds to settle to +-2 %. benchmarks/nginx_instructions.py counts
    instructions and system calls per request instead, which do not move between runs.
"""
from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TARGET_GEN_VS_REF = 0.97
TARGET_MIX_VS_1 = 0.90
TARGET_1000_VS_1 = 0.95
QUIET = 0.10  # a run is "quiet" if other processes used less than this share of one CPU meanwhile

# prefix-relative pid/temp paths so that `nginx -p DIR` touches nothing outside DIR
_PREFIX_PATHS = """\
pid nginx.pid;
error_log stderr notice;
"""
_HTTP_PATHS = """\
    client_body_temp_path tmp_client_body;
    proxy_temp_path tmp_proxy;
    fastcgi_temp_path tmp_fastcgi;
    uwsgi_temp_path tmp_uwsgi;
    scgi_temp_path tmp_scgi;
"""

BACKEND_CONF = _PREFIX_PATHS + """\
worker_processes 1;
events { worker_connections 1024; }
http {
    access_log off;
    server_tokens off;
""" + _HTTP_PATHS + """\
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:{port};
        location / {
            default_type text/plain;
            return 200 "ok";
        }
        # connections accepted so far = upstream connections the gateways opened (+1 per read)
        location = /__stub_status {
            stub_status;
        }
    }
}
"""

# The baseline: what a person would write by hand to proxy everything to one backend.
REFERENCE_CONF = _PREFIX_PATHS + """\
worker_processes {workers};
events { worker_connections 1024; }
http {
    access_log {access_log};
    server_tokens off;
""" + _HTTP_PATHS + """\
    upstream backend {
        server 127.0.0.1:{backend_port};
        keepalive {keepalive};
    }
{http_extra}    server {
        listen 127.0.0.1:{port};
{server_extra}        location / {
            proxy_http_version 1.1;
{location_headers}            proxy_pass http://backend;
        }
    }
}
"""
MINIMAL_HEADERS = """\
            proxy_set_header Connection "";
"""
# `ref-fwd`: the same, with the forwarding headers a production config sets and gatewayc
# sends on every route (the usual idioms: Host $host, the WebSocket upgrade map). Not the
# issue's baseline; it shows how much of a gap is the cost of those headers.
FORWARDING_HTTP = """\
    map $http_upgrade $connection_upgrade { default upgrade; "" ""; }
"""
FORWARDING_HEADERS = """\
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
"""


def _fill(template: str, **values: object) -> str:
    # str.format would trip over nginx's braces
    for k, v in values.items():
        template = template.replace("{" + k + "}", str(v))
    return template


# Every config serves the same request, so the ratios compare configs, not URLs: the
# 1-route spec's /api prefix takes it, the 1,000-route spec's /api/r450 route does.
HIT_PATH = "/api/r450/items"


def spec_one(port: int, backend_port: int) -> str:
    return f"""version: 1
services:
  backend:
    url: http://127.0.0.1:{backend_port}
gateways:
  bench:
    listeners:
      - port: {port}
        address: 127.0.0.1
    routes:
      - name: api
        match: {{path: /api}}
        service: backend
"""


def spec_many(port: int, backend_port: int, n_prefix: int = 900, n_exact: int = 50, n_regex: int = 50) -> str:
    out = [spec_one(port, backend_port).split("    routes:")[0] + "    routes:"]
    for i in range(n_prefix):
        out.append(f"      - name: p{i}\n        match: {{path: /api/r{i}}}\n        service: backend")
    for i in range(n_exact):
        out.append(f"      - name: e{i}\n        match: {{path: {{exact: /exact/e{i}}}}}\n        service: backend")
    for i in range(n_regex):
        out.append(f"      - name: x{i}\n        match: {{path: {{regex: \"/rx/{i}/[0-9]+/items\"}}}}\n"
                   f"        service: backend")
    return "\n".join(out) + "\n"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # Linux: nginx's master gets SIGTERM if this script dies without cleaning up
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# --pin: CPU sets for the gateway under test and for the load side (backend + wrk)
PIN: dict[str, set[int]] = {}


def _preexec(role: str):
    def fn() -> None:
        _die_with_parent()
        if role in PIN:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, PIN[role])
    return fn


class Nginx:
    """One nginx master in the foreground (`daemon off`), stopped by stop()."""

    def __init__(self, name: str, prefix: str, port: int, role: str = "gateway"):
        self.name, self.prefix, self.port, self.role = name, prefix, port, role
        self.log_path = os.path.join(prefix, "stderr.log")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(["nginx", "-p", self.prefix, "-c", "nginx.conf", "-g", "daemon off;"],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     preexec_fn=_preexec(self.role))
        log.close()
        deadline = time.monotonic() + 120  # a 10k-route config takes a while to load
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: nginx exited with {self.proc.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name}: nginx did not listen on 127.0.0.1:{self.port}:\n{self.log()}")

    def workers(self) -> list[int]:
        """PIDs of the master's worker processes (Linux /proc)."""
        assert self.proc is not None
        pid = self.proc.pid
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
        return []

    def log(self) -> str:
        with contextlib.suppress(OSError), open(self.log_path, errors="replace") as fh:
            return fh.read()[-2000:]
        return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # fast shutdown: master stops its workers
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def write_conf(prefix: str, text: str) -> None:
    os.makedirs(prefix, exist_ok=True)
    with open(os.path.join(prefix, "nginx.conf"), "w") as fh:
        fh.write(text)


def gatewayc_build(spec_text: str, workdir: str, name: str) -> str:
    spec = os.path.join(workdir, f"{name}.yml")
    with open(spec, "w") as fh:
        fh.write(spec_text)
    out = os.path.join(workdir, name)
    r = subprocess.run([sys.executable, "-m", "gatewayc", "build", spec, "--target", "nginx", "--out", out],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"gatewayc build {name} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return out


def build_mix(n: int, backend_port: int, work: str) -> tuple[str, int, str, float, float]:
    """gen_mix.py's n-route spec built for nginx against the one backend: (dir, port of its
    first gateway, a path that hits a prefix route there, build seconds, `nginx -t` seconds)."""
    from gen_mix import GATEWAYS
    from gen_mix import resource as mix_resource
    from gen_mix import spec_text as mix_spec

    ports = [free_port() for _ in range(GATEWAYS)]
    t = time.perf_counter()
    out = gatewayc_build(mix_spec(n, service_url=f"http://127.0.0.1:{backend_port}", ports=ports,
                                  address="127.0.0.1"), work, "gen-mix")
    built = time.perf_counter() - t
    t = time.perf_counter()
    check = subprocess.run(["nginx", "-t", "-q", "-p", out, "-c", "nginx.conf"], capture_output=True, text=True)
    checked = time.perf_counter() - t
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t refuses gen-mix:\n{check.stderr[-2000:]}")
    # family 1671: gateway gw0, no hostname, methods, headers or policies on its prefix route
    return out, ports[0], f"{mix_resource(1671)}/items", built, checked


# --- reading the generated nginx.conf ---------------------------------------------------

def _unq(s: str) -> str:
    return s.strip().strip('"')


def directive_values(conf: str, name: str, indent: str | None = None) -> list[str]:
    """Argument strings of every `name ...;` (at the given indentation, if any)."""
    pat = (re.escape(indent) if indent is not None else r"\s*") + re.escape(name) + r"\s+([^;{]*);"
    return [" ".join(_unq(a) for a in m.group(1).split()) for m in re.finditer(r"(?m)^" + pat, conf)]


def location_body(conf: str, prefix: str) -> list[str]:
    """Directives of the first location whose (unquoted) argument is `prefix` (one level)."""
    m = re.search(r'(?m)^(\s*)location\s+(?:"[=~^*]+"\s+)?"' + re.escape(prefix) + r'"\s*\{\n', conf)
    if not m:
        return []
    indent = m.group(1)
    end = conf.index("\n" + indent + "}", m.end() - 1)
    return [ln.strip() for ln in conf[m.end():end].splitlines() if ln.strip()]


def describe(conf: str) -> dict:
    return {
        "worker_processes": (directive_values(conf, "worker_processes") or ["(nginx default: 1)"])[0],
        "access_log": directive_values(conf, "access_log") or ["(nginx default: logs/access.log combined)"],
        "keepalive": directive_values(conf, "keepalive") or ["(none: a new upstream connection per request)"],
        "locations": len(re.findall(r"(?m)^\s*location\s", conf)),
        "regex_locations": len(re.findall(r'(?m)^\s*location\s+"~\*?"', conf)),
        "maps": len(re.findall(r"(?m)^\s*map\s", conf)),
        "ifs": len(re.findall(r"(?m)^\s*if\s", conf)),
        "js_directives": len(re.findall(r"(?m)^\s*js_\w+", conf)),
        "proxy_buffering": directive_values(conf, "proxy_buffering") or ["(nginx default: on)"],
        "bytes": len(conf),
    }


# --- CPU accounting (Linux /proc; all figures 0 elsewhere) ------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError), open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / _TICK


def machine_busy() -> float:
    """CPU seconds spent in user/nice/system/steal over all CPUs so far (no idle, irq, softirq)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:]]
        return (v[0] + v[1] + v[2] + (v[7] if len(v) > 7 else 0)) / _TICK
    return 0.0


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def median_ci(values: list[float], level: float = 0.90, resamples: int = 2000) -> tuple[float, float, float]:
    """Median and a percentile-bootstrap confidence interval for it (fixed seed: the same
    figures give the same interval)."""
    rng = random.Random(0)
    meds = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples))
    lo = meds[int((1 - level) / 2 * resamples)]
    hi = meds[min(resamples - 1, int((1 + level) / 2 * resamples))]
    return statistics.median(values), lo, hi


# --- wrk ------------------------------------------------------------------------------

def run_wrk(url: str, seconds: float, threads: int, connections: int) -> tuple[float, int, int]:
    """(requests/s, requests, non-2xx/3xx responses + socket errors)."""
    r = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", url],
                       capture_output=True, text=True, timeout=seconds + 30, preexec_fn=_preexec("load"))
    if r.returncode != 0:
        raise RuntimeError(f"wrk failed ({r.returncode}): {r.stderr or r.stdout}")
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", r.stdout).group(1))
    total = int(re.search(r"(\d+) requests in", r.stdout).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s*(\d+)", r.stdout))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", r.stdout)
    if m:
        bad += sum(int(x) for x in m.groups())
    return rps, total, bad


def backend_accepts(port: int) -> int:
    """Connections the backend has accepted so far (including the one asking)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stub_status", timeout=5) as resp:  # noqa: S310
        return int(resp.read().decode().splitlines()[2].split()[0])


def check_ok(url: str, timeout: float = 120) -> None:
    """The backend's answer through the gateway. A large config's master listens before its
    workers (forked from a master of gigabytes) accept: wait for them."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (loopback only)
                body = resp.read()
                break
        except (TimeoutError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    if resp.status != 200 or body != b"ok":
        raise RuntimeError(f"{url}: expected 200 'ok' from the backend, got {resp.status} {body[:80]!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-d", "--duration", type=int, default=5, help="seconds per wrk run [5]")
    ap.add_argument("-r", "--runs", type=int, default=6, help="measured rounds (one run per config each) [6]")
    ap.add_argument("-c", "--connections", type=int, default=32, help="wrk connections [32]")
    ap.add_argument("-t", "--threads", type=int, default=1, help="wrk threads [1]")
    ap.add_argument("--warmup", type=int, default=2, help="warm-up seconds per config [2]")
    ap.add_argument("--ref-keepalive", type=int, default=64,
                    help="keepalive of the reference upstream [64: more than the wrk connections]")
    ap.add_argument("--gen-keepalive", type=int, default=None, metavar="N",
                    help="WHAT-IF: rewrite the generated configs' upstream `keepalive` to N before running "
                         "(the output says so; the figures are then not gatewayc's)")
    ap.add_argument("--no-pin", dest="pin", action="store_false",
                    help="do not pin the gateway to CPU 0 and backend + wrk to the other CPUs")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir with all configs")
    ap.add_argument("--mix", type=int, default=10_000, metavar="N",
                    help="routes of the gen-mix config (gen_mix.py) [10000]; 0 leaves it out")
    args = ap.parse_args()

    missing = [t for t in ("nginx", "wrk") if shutil.which(t) is None]
    if missing:
        print(f"missing on PATH: {', '.join(missing)}. On Debian/Ubuntu: `apt-get install {' '.join(missing)}` "
              "(wrk elsewhere: https://github.com/wg/wrk). This script installs nothing.", file=sys.stderr)
        return 2

    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if args.pin and len(cpus) >= 2:
        PIN.update(gateway={cpus[0]}, load=set(cpus[1:]))
    work = tempfile.mkdtemp(prefix="gwc-nginx-bench-")
    os.chmod(work, 0o755)  # nginx workers run as an unprivileged user when started as root
    servers: list[Nginx] = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        backend_port, ref_port, same_port, fwd_port, one_port, many_port = (free_port() for _ in range(6))
        one_dir = gatewayc_build(spec_one(one_port, backend_port), work, "gen-1")
        many_dir = gatewayc_build(spec_many(many_port, backend_port), work, "gen-1000")
        mix = build_mix(args.mix, backend_port, work) if args.mix else None
        with open(os.path.join(one_dir, "nginx.conf")) as fh:
            one_conf = fh.read()
        with open(os.path.join(many_dir, "nginx.conf")) as fh:
            many_conf = fh.read()
        info_one, info_many = describe(one_conf), describe(many_conf)
        if args.gen_keepalive is not None:  # what-if, on copies of gatewayc's output
            for d_ in (one_dir, many_dir):
                path = os.path.join(d_, "nginx.conf")
                with open(path) as fh:
                    text = fh.read()
                with open(path, "w") as fh:
                    fh.write(re.sub(r'(?m)^(\s*keepalive\s+)"?\d+"?;', rf'\g<1>"{args.gen_keepalive}";', text))
        # the generated configs decide worker_processes and access logging for the reference
        workers = info_one["worker_processes"]
        if not re.fullmatch(r"\d+|auto", workers):
            workers = "1"  # not set in the generated config: nginx's default
        gen_logs = sorted(set(info_one["access_log"]) | set(info_many["access_log"]))
        logging = [v for v in info_one["access_log"] if v != "off"]  # what the hit server writes
        gen_ka = [int(v) for v in info_one["keepalive"] if v.isdigit()]
        gen_ka_eff = args.gen_keepalive if args.gen_keepalive is not None else (gen_ka[0] if gen_ka else None)

        backend_dir = os.path.join(work, "backend")
        write_conf(backend_dir, _fill(BACKEND_CONF, port=backend_port))

        def reference(name: str, port: int, keepalive: int, forwarding: bool = False) -> tuple[str, Nginx, str]:
            conf = _fill(REFERENCE_CONF, workers=workers, backend_port=backend_port, keepalive=keepalive, port=port,
                         http_extra=FORWARDING_HTTP if forwarding else "",
                         location_headers=FORWARDING_HEADERS if forwarding else MINIMAL_HEADERS)
            extra = ""
            if logging:  # the generated config logs: the reference logs the same way
                formats = re.findall(r"(?m)^\s*log_format\s[^;]*;", one_conf)
                conf = conf.replace("    server_tokens off;\n",
                                    "    server_tokens off;\n" + "".join(f"    {f.strip()}\n" for f in formats))
                # gatewayc's formats use its own variables; give them a value in the reference
                for var in sorted(set(re.findall(r"\$(gwc_\w+)", "".join(formats)))):
                    extra += f'        set ${var} "";\n'
                extra += "".join(f"        access_log {v};\n" for v in logging)
            conf = _fill(conf, access_log="off", server_extra=extra)
            write_conf(os.path.join(work, name), conf)
            return name, Nginx(name, os.path.join(work, name), port), f"http://127.0.0.1:{port}{HIT_PATH}"

        configs = [reference("ref", ref_port, args.ref_keepalive)]
        if gen_ka_eff is not None and gen_ka_eff != args.ref_keepalive:
            configs.append(reference(f"ref-ka{gen_ka_eff}", same_port, gen_ka_eff))
        configs.append(reference("ref-fwd", fwd_port, args.ref_keepalive, forwarding=True))
        configs += [
            ("gen-1", Nginx("gen-1", one_dir, one_port), f"http://127.0.0.1:{one_port}{HIT_PATH}"),
            ("gen-1000", Nginx("gen-1000", many_dir, many_port), f"http://127.0.0.1:{many_port}{HIT_PATH}"),
        ]
        if mix:
            configs.append(("gen-mix", Nginx("gen-mix", mix[0], mix[1]), f"http://127.0.0.1:{mix[1]}{mix[2]}"))
        backend = Nginx("backend", backend_dir, backend_port, role="load")
        started: dict[str, float] = {}
        for srv, url in [(backend, None)] + [(c[1], c[2]) for c in configs]:
            servers.append(srv)
            t = time.perf_counter()
            srv.start()
            if url is not None:
                check_ok(url)  # start-up ends at the first answer, not when the port opens
            started[srv.name] = time.perf_counter() - t

        print(f"{subprocess.run(['nginx', '-v'], capture_output=True, text=True).stderr.strip()}; "
              f"{os.cpu_count()} CPUs; wrk -t{args.threads} -c{args.connections} -d{args.duration}s; "
              f"{args.runs} rounds, config order rotated per round; "
              + (f"gateway on CPU {sorted(PIN['gateway'])}, backend + wrk on CPU {sorted(PIN['load'])}"
                 if PIN else "not pinned"))
        print(f"worker_processes: generated {info_one['worker_processes']!r} -> references use {workers!r}; "
              "backend 1")
        print(f"access_log: generated {gen_logs} -> references "
              + ("'off' too" if not logging else f"copy it: access_log {logging} with the same log_format"))
        print(f"upstream keepalive: generated {info_one['keepalive']}"
              + (f" [WHAT-IF: rewritten to {args.gen_keepalive} for this run]" if args.gen_keepalive is not None
                 else "")
              + f"; ref {args.ref_keepalive}" + (f", ref-ka{gen_ka_eff} {gen_ka_eff} (as generated)"
                                                  if any(n.startswith("ref-ka") for n, _, _ in configs) else ""))
        if gen_ka_eff is not None and gen_ka_eff < args.connections:
            print(f"  note: keepalive {gen_ka_eff} < {args.connections} concurrent requests per worker: idle upstream "
                  "connections beyond the pool are closed and re-opened (see 'new upstream conns')")

        for name, _, url in configs:  # warm-up: connections, upstream keepalive pool, caches
            run_wrk(url, args.warmup, args.threads, args.connections)
        names = [c[0] for c in configs]
        results: dict[str, list[float]] = {n: [] for n in names}
        cpu_us: dict[str, list[float]] = {n: [] for n in names}  # gateway µs CPU per request
        conns: dict[str, list[float]] = {n: [] for n in names}  # new upstream connections per 1k requests
        others: dict[str, list[float]] = {n: [] for n in names}  # CPU of processes outside the benchmark
        bad: dict[str, int] = {n: 0 for n in names}
        backend_workers = backend.workers()
        print(f"{'':9}{'config':<10}{'req/s':>9}  {'gw CPU':>6}  {'gw µs/req':>9}  {'new upstream conns/1k req':>25}"
              f"  {'backend CPU':>11}  {'wrk CPU':>7}  {'other procs CPU':>15}")
        for i in range(args.runs):
            k = i % len(configs)
            for name, srv, url in configs[k:] + configs[:k]:
                gw_workers = srv.workers()
                acc0 = backend_accepts(backend_port)
                before = (proc_cpu(gw_workers), proc_cpu(backend_workers), children_cpu(), machine_busy(),
                          time.monotonic())
                rps, total, nbad = run_wrk(url, args.duration, args.threads, args.connections)
                after = (proc_cpu(gw_workers), proc_cpu(backend_workers), children_cpu(), machine_busy(),
                         time.monotonic())
                acc1 = backend_accepts(backend_port)
                gw, be, wrk, busy, wall = (a - b for a, b in zip(after, before))
                other = max(0.0, busy - gw - be - wrk)
                results[name].append(rps)
                cpu_us[name].append(gw / total * 1e6 if total else 0.0)
                conns[name].append((acc1 - acc0 - 1) / total * 1000 if total else 0.0)
                others[name].append(other / wall)
                bad[name] += nbad
                print(f"  round {i + 1} {name:<10}{rps:>9.0f}  {gw / wall:>6.0%}  {cpu_us[name][-1]:>9.1f}  "
                      f"{conns[name][-1]:>25.1f}  {be / wall:>11.0%}  {wrk / wall:>7.0%}  {other / wall:>15.0%}"
                      + (f"  ({nbad} errors/non-2xx)" if nbad else ""), flush=True)

        # "quiet" runs: other processes used < QUIET of a CPU meanwhile (a shared machine's other load
        # lands on whichever CPU idles, often the gateway's, and halves its req/s)
        quiet = {n: [i for i, o in enumerate(others[n]) if o < QUIET] for n in names}
        use_quiet = all(quiet[n] for n in names) and any(len(quiet[n]) < args.runs for n in names)

        def med_of(series: dict[str, list[float]], n: str, only_quiet: bool = False) -> float:
            v = [series[n][i] for i in quiet[n]] if only_quiet else series[n]
            return statistics.median(v)

        print()
        print(f"{'config':<10} {'median req/s':>13} {'min':>9} {'max':>9}  {'gw µs CPU/req':>13}  "
              f"{'new upstream conns/1k req':>25}  {'quiet runs: n, median req/s':>27}")
        for n in names:
            v = results[n]
            q = f"{len(quiet[n])}, {med_of(results, n, True):.0f}" if quiet[n] else "0, -"
            print(f"{n:<10} {med_of(results, n):>13.0f} {min(v):>9.0f} {max(v):>9.0f}  {med_of(cpu_us, n):>13.1f}  "
                  f"{med_of(conns, n):>25.1f}  {q:>27}" + (f"  [{bad[n]} errors/non-2xx!]" if bad[n] else ""))
        print()
        print(f"{'ratio':<20} {'of medians':>10}  {'paired [90% CI]':>21}  {'target':>6}  {'verdict':<12}  "
              f"{'CPU-efficiency paired [90% CI]':>30}")
        pairs = [("gen-1", "ref", TARGET_GEN_VS_REF)]
        pairs += [("gen-1", n, TARGET_GEN_VS_REF) for n in names if n.startswith("ref-ka")]
        pairs += [("ref-fwd", "ref", TARGET_GEN_VS_REF), ("gen-1", "ref-fwd", TARGET_GEN_VS_REF),
                  ("gen-1000", "gen-1", TARGET_1000_VS_1)]
        pairs += [("gen-mix", "gen-1", TARGET_MIX_VS_1)] if mix else []
        for num, den, target in pairs:
            r = med_of(results, num) / med_of(results, den)
            # rounds in which both runs were quiet, when that leaves some; else every round
            rounds = [i for i in range(args.runs) if i in quiet[num] and i in quiet[den]] if use_quiet else []
            rounds = rounds or list(range(args.runs))
            paired = [results[num][i] / results[den][i] for i in rounds]
            eff = [cpu_us[den][i] / cpu_us[num][i] for i in rounds if cpu_us[num][i]]
            p_med, p_lo, p_hi = median_ci(paired)
            e_med, e_lo, e_hi = median_ci(eff)
            verdict = "meets" if p_lo >= target else "BELOW" if p_hi < target else "inconclusive"
            print(f"{num + ' / ' + den:<20} {r:>10.3f}  {p_med:>7.3f} [{p_lo:.3f}, {p_hi:.3f}]  {target:>6.2f}  "
                  f"{verdict:<12}  {e_med:>14.3f} [{e_lo:.3f}, {e_hi:.3f}]"
                  + (f"  ({len(rounds)} quiet rounds)" if use_quiet and len(rounds) < args.runs else ""))
        print("(paired: median over rounds of the within-round ratio, which cancels slow drift between rounds;\n"
              " the interval is a bootstrap of that median. verdict: 'meets' when the whole interval is at or\n"
              " above the target, 'BELOW' when it is all under it, else 'inconclusive': more rounds (-r) or a\n"
              " quieter machine narrow it. Rounds during which processes outside the benchmark used more than\n"
              f" {QUIET:.0%} of a CPU are left out when others remain. CPU-efficiency: gateway-worker CPU per\n"
              " request of the baseline / of the config, the figure least moved by other load.)")
        print()
        print("generated configs, directives that bear on throughput:")
        for label, info in (("gen-1", info_one), ("gen-1000", info_many)):
            print(f"  {label}: worker_processes {info['worker_processes']}, access_log {info['access_log']}, "
                  f"upstream keepalive {info['keepalive']}, {info['locations']} locations "
                  f"({info['regex_locations']} regex, all tried on every request that no `=` location takes), "
                  f"{info['maps']} maps, {info['ifs']} ifs, {info['js_directives']} js_* directives, "
                  f"proxy_buffering {info['proxy_buffering']}, {info['bytes'] / 1024:.0f} KiB")
        if mix:
            with open(os.path.join(mix[0], "nginx.conf")) as fh:
                info_mix = describe(fh.read())
            print(f"  gen-mix ({args.mix} routes): {info_mix['locations']} locations ({info_mix['regex_locations']} "
                  f"regex, nested under the prefixes they can match below), {info_mix['bytes'] / 1024:.0f} KiB; "
                  f"gatewayc build {mix[3]:.1f} s, nginx -t {mix[4]:.2f} s, start-up to the first answer "
                  f"{started['gen-mix']:.2f} s (gen-1: {started['gen-1']:.2f} s)")
        print('  gen-1 location "/api/" (the one wrk hits):')
        for line in location_body(one_conf, "/api/"):
            print(f"      {line}")
        print('  ref location "/": proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://backend;')
        if args.keep:
            print(f"\nconfigs kept in {work}")
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for srv in reversed(servers):
            srv.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
