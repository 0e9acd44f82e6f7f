"""NGINX cost per request of gatewayc's generated configs, counted in instructions (issue 3).

Companion to nginx_throughput.py. That script measures requests/s with wrk, which is the
figure issue 3 names, but on a shared or virtual machine req/s and even CPU time per
request move by 5-10 % between runs, more than the 3 % the target allows. This script
counts what does not move: the user-space instructions the nginx worker executes per
proxied request (valgrind's callgrind), and the system calls it makes per request (its
/proc/PID/syscall is not enough, so strace -c counts them). Same configs, same request as
nginx_throughput.py:

  ref        hand-written nginx.conf: upstream with keepalive 64, proxy_pass, nothing else
  ref-fwd    the same plus the forwarding headers gatewayc sends, written the usual way
  gen-1      `gatewayc build` of one plain proxy route
  gen-1000   `gatewayc build` of 1,000 routes (900 prefix, 50 exact, 50 regex)
  gen-mix    `gatewayc build` of gen_mix.py's 10,000-route mix (--mix N; 0 leaves it out): issue
             15 asks that it serve >= 90 % of gen-1's requests/s. Starting it under callgrind
             takes about two minutes (nginx compiles its thousands of regexes at start-up).

Each gateway runs as a single process (`master_process off`) under callgrind. wrk warms it
up, the counters are zeroed, wrk runs again, the counters are dumped; the backend's
stub_status says exactly how many requests went through the gateway meanwhile. A second
pass, without valgrind, counts system calls per request with strace -c. When both configs
make the same system calls, the kernel does the same work for each, and the difference in
user-space instructions is the whole difference in work. It is not a throughput ratio:
most of a proxied request's CPU time on Linux is in the kernel (loopback TCP), so a 10 %
difference in instructions costs a few per cent of requests/s. Figures repeat to within
about 1 % between runs.

Run:  python benchmarks/nginx_instructions.py [--mix 0]    (~5 minutes, ~1 without gen-mix; prints figures)
Needs: Linux, nginx, wrk, valgrind (callgrind_control) and strace on PATH; installs nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nginx_throughput as tp  # noqa: E402  (same configs, same request)

SINGLE = "daemon off; master_process off;"


def backend_requests(port: int) -> int:
    """Requests the backend has served so far, this stub_status request included."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__stub_status", timeout=30) as resp:  # noqa: S310
        return int(resp.read().decode().splitlines()[2].split()[2])


def wait_listen(port: int, proc: subprocess.Popen, what: str, log: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port}:\n{_tail(log)}")


def _tail(path: str) -> str:
    with contextlib.suppress(OSError), open(path, errors="replace") as fh:
        return fh.read()[-2000:]
    return ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def callgrind_total(path: str) -> int:
    """Total Ir of one callgrind dump ('totals:' or 'summary:' line)."""
    with open(path) as fh:
        for line in fh:
            if line.startswith(("totals:", "summary:")):
                return int(line.split()[1])
    raise RuntimeError(f"{path}: no totals line")


def instructions_per_request(name: str, prefix: str, port: int, backend_port: int, url: str,
                             seconds: int, connections: int) -> tuple[float, int]:
    out = os.path.join(prefix, "callgrind.out")
    log = os.path.join(prefix, "valgrind.log")
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "--dump-instr=no",
             "nginx", "-p", prefix, "-c", "nginx.conf", "-g", SINGLE],
            stdin=subprocess.DEVNULL, stdout=fh, stderr=fh, preexec_fn=tp._die_with_parent)
    try:
        wait_listen(port, proc, f"{name} under callgrind", log)
        # a large config listens long before it answers (under callgrind gen-mix: half a minute)
        tp.check_ok(url, timeout=600)
        tp.run_wrk(url, 2, 1, connections)  # warm-up: keepalive pool, lazy initialisation
        subprocess.run(["callgrind_control", "--zero", str(proc.pid)], check=True, capture_output=True)
        r0 = backend_requests(backend_port)
        tp.run_wrk(url, seconds, 1, connections)
        r1 = backend_requests(backend_port)
        for f in os.listdir(prefix):
            if f.startswith("callgrind.out."):
                os.unlink(os.path.join(prefix, f))
        subprocess.run(["callgrind_control", "--dump", str(proc.pid)], check=True, capture_output=True)
        dumps = sorted(f for f in os.listdir(prefix) if f.startswith("callgrind.out."))
        if not dumps:
            raise RuntimeError(f"{name}: callgrind wrote no dump:\n{_tail(log)}")
        n = r1 - r0 - 1  # the second stub_status request counts itself
        return callgrind_total(os.path.join(prefix, dumps[-1])) / n, n
    finally:
        _stop(proc)


def syscalls_per_request(name: str, prefix: str, port: int, backend_port: int, url: str,
                         requests: int, connections: int) -> tuple[float, dict[str, float]]:
    log = os.path.join(prefix, "strace.log")
    counts = os.path.join(prefix, "strace.counts")
    with open(log, "wb") as fh:
        nginx = subprocess.Popen(["nginx", "-p", prefix, "-c", "nginx.conf", "-g", SINGLE],
                                 stdin=subprocess.DEVNULL, stdout=fh, stderr=fh, preexec_fn=tp._die_with_parent)
    try:
        wait_listen(port, nginx, name, log)
        tp.check_ok(url)
        tp.run_wrk(url, 1, 1, connections)
        tracer = subprocess.Popen(["strace", "-c", "-q", "-o", counts, "-p", str(nginx.pid)],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)  # strace attaches asynchronously
        r0 = backend_requests(backend_port)
        # a fixed number of requests over `connections` keepalive connections (ab-like, stdlib only)
        per = requests // connections
        socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(connections)]
        path = url.split(str(port), 1)[1]
        req = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        for _ in range(per):
            for s in socks:
                s.sendall(req)
            for s in socks:
                _read_response(s)
        for s in socks:
            s.close()
        r1 = backend_requests(backend_port)
        tracer.send_signal(signal.SIGINT)
        tracer.wait(30)
        n = r1 - r0 - 1
        per_call: dict[str, float] = {}
        with open(counts) as fh:
            for line in fh:
                f = line.split()
                if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
                    calls = int(f[3])
                    per_call[f[-1]] = calls / n
        return sum(per_call.values()), per_call
    finally:
        _stop(nginx)


def _read_response(s: socket.socket) -> None:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("connection closed mid-response")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    need = int(m.group(1)) if m else 0
    while len(body) < need:
        body += s.recv(4096)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"unexpected response: {head[:80]!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-d", "--duration", type=int, default=8, help="seconds of counted wrk load per config [8]")
    ap.add_argument("-c", "--connections", type=int, default=8, help="wrk connections [8]")
    ap.add_argument("-n", "--syscall-requests", type=int, default=4000, help="requests in the strace pass [4000]")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir with configs and dumps")
    ap.add_argument("--mix", type=int, default=10_000, metavar="N",
                    help="routes of the gen-mix config (gen_mix.py) [10000]; 0 leaves it out")
    args = ap.parse_args()
    missing = [t for t in ("nginx", "wrk", "valgrind", "callgrind_control", "strace") if shutil.which(t) is None]
    if missing:
        print(f"missing on PATH: {', '.join(missing)}. On Debian/Ubuntu: `apt-get install nginx-light wrk "
              "valgrind strace`. This script installs nothing.", file=sys.stderr)
        return 2

    work = tempfile.mkdtemp(prefix="gwc-nginx-instr-")
    os.chmod(work, 0o755)
    backend = None
    try:
        backend_port, ref_port, fwd_port, one_port, many_port = (tp.free_port() for _ in range(5))
        one_dir = tp.gatewayc_build(tp.spec_one(one_port, backend_port), work, "gen-1")
        many_dir = tp.gatewayc_build(tp.spec_many(many_port, backend_port), work, "gen-1000")
        with open(os.path.join(one_dir, "nginx.conf")) as fh:
            workers = tp.describe(fh.read())["worker_processes"]
        ref_dir, fwd_dir = os.path.join(work, "ref"), os.path.join(work, "ref-fwd")
        for d, port, fwd in ((ref_dir, ref_port, False), (fwd_dir, fwd_port, True)):
            tp.write_conf(d, tp._fill(tp.REFERENCE_CONF, workers=workers, backend_port=backend_port, keepalive=64,
                                      port=port, access_log="off", server_extra="",
                                      http_extra=tp.FORWARDING_HTTP if fwd else "",
                                      location_headers=tp.FORWARDING_HEADERS if fwd else tp.MINIMAL_HEADERS))
        backend_dir = os.path.join(work, "backend")
        tp.write_conf(backend_dir, tp._fill(tp.BACKEND_CONF, port=backend_port))
        backend = tp.Nginx("backend", backend_dir, backend_port, role="load")
        backend.start()
        configs = [("ref", ref_dir, ref_port, tp.HIT_PATH), ("ref-fwd", fwd_dir, fwd_port, tp.HIT_PATH),
                   ("gen-1", one_dir, one_port, tp.HIT_PATH), ("gen-1000", many_dir, many_port, tp.HIT_PATH)]
        if args.mix:
            mix_dir, mix_port, mix_path, _, _ = tp.build_mix(args.mix, backend_port, work)
            configs.append(("gen-mix", mix_dir, mix_port, mix_path))
        print(f"{subprocess.run(['nginx', '-v'], capture_output=True, text=True).stderr.strip()}; every gateway "
              f"a single process; callgrind over {args.duration}s of wrk -c{args.connections}; strace over "
              f"{args.syscall_requests} requests; request {tp.HIT_PATH}"
              + (f" (gen-mix: {configs[-1][3]}, a prefix route of {args.mix})" if args.mix else ""))
        ir: dict[str, float] = {}
        sc: dict[str, float] = {}
        print(f"{'config':<10} {'instr/request':>14} {'(requests)':>11} {'syscalls/request':>17}  syscalls")
        for name, prefix, port, path in configs:
            url = f"http://127.0.0.1:{port}{path}"
            ir[name], n = instructions_per_request(name, prefix, port, backend_port, url,
                                                   args.duration, args.connections)
            sc[name], calls = syscalls_per_request(name, prefix, port, backend_port, url,
                                                   args.syscall_requests, args.connections)
            detail = ", ".join(f"{k} {v:.2f}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1]) if v >= 0.01)
            print(f"{name:<10} {ir[name]:>14,.0f} {n:>11} {sc[name]:>17.2f}  {detail}", flush=True)
        print()
        pairs = [("gen-1", "ref"), ("ref-fwd", "ref"), ("gen-1", "ref-fwd"), ("gen-1000", "gen-1")]
        for num, den in pairs + ([("gen-mix", "gen-1")] if args.mix else []):
            extra = ir[num] - ir[den]
            print(f"{num + ' / ' + den:<18} {extra:+7,.0f} user-space instructions per request "
                  f"({ir[num] / ir[den] - 1:+6.1%}), {sc[num] - sc[den]:+.2f} system calls per request")
        print("(equal system calls: the kernel's work per request is the same, so the throughput cost of the\n"
              " extra instructions is well under their percentage here: on Linux most of a proxied request's\n"
              " CPU time is spent in the kernel. nginx_throughput.py measures that time.)")
        if args.keep:
            print(f"\nconfigs and dumps kept in {work}")
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if backend is not None:
            backend.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
