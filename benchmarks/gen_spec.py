"""Generate large, valid specs for benchmarks: N routes over 50 services, with the
mix of matches and policies a real gateway has."""
from __future__ import annotations

import sys


def spec_text(n_routes: int, port: int = 8080) -> str:
    out = ["version: 1", "services:"]
    for s in range(50):
        out.append(f"  svc{s}:\n    url: http://127.0.0.1:{3000 + s}\n    timeouts: {{connect: 2s, read: 10s}}")
    out.append("policies:\n  standard:\n    rate_limit: {requests: 100, per: 15m}")
    out.append(f"gateways:\n  main:\n    listeners:\n      - port: {port}\n    routes:")
    for i in range(n_routes):
        out.append(f"""      - name: r{i}
        match:
          - path: {{prefix: /api/v{i % 7}/res{i}}}
            methods: [GET, POST]
            headers: {{x-tenant: t{i % 13}}}
        service: svc{i % 50}
        policies:
          use: [standard]
          cors: {{origins: ["https://app.example.com"]}}""")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(spec_text(int(sys.argv[1])))
