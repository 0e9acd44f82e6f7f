"""Generate large, valid specs with the route mix of a platform team's gateway, for the
build benchmark: N routes over 50 services and 3 gateways.

Routes come in families of three for one resource (`/api/v<k>/svc<s>/res<j>`): a prefix
route for the resource, then an exact status route or a regex route below it, then a regex
route for the ids below it (every fifth family's last regex is a file pattern under
`/files/` instead). About 44 % of the routes are regexes, and most regexes lie under a
prefix route, as real APIs do. Methods on about half of the routes, a header match on 15 %
(plus a header-matched canary match on every tenth family), hostnames on a quarter of the
families (exact and wildcard names), policies on 20 % of the routes (CORS, a shared rate
limit, IP filter, body limit, request header transform, in turn).

Run: python benchmarks/gen_mix.py N > spec.yml
"""
from __future__ import annotations

import sys

GATEWAYS = 3
SERVICES = 50
HOSTS = ["api.example.com", "partners.example.com", "*.tenants.example.com", "admin.example.com",
         "*.eu.example.com"]
POLICIES = [
    "cors: {origins: [\"https://app.example.com\"]}",
    "use: [standard]",
    "ip: {allow: [10.0.0.0/8]}",
    "body_limit: 1MB",
    "request: {headers: {set: {X-Source: gateway}}}",
]


def resource(j: int) -> str:
    """The path of family j's prefix route."""
    return f"/api/v{j % 7}/svc{j % SERVICES}/res{j}"


def _match(i: int) -> tuple[list[str], str | None]:
    """The route's match lines (YAML, indented for a route entry) and its hostname."""
    j, r = divmod(i, 3)
    base = resource(j)
    if r == 0:
        path, methods = f"{{prefix: {base}}}", "[GET, POST]" if j % 4 == 0 else None
    elif r == 1 and j % 3 == 0:
        path, methods = f"{{regex: \"{base}/[a-z0-9-]+/items(?:/[0-9]+)?\"}}", "[GET]"
    elif r == 1:
        path, methods = f"{{exact: {base}/status}}", "[GET, HEAD]"
    elif j % 5 == 0:
        path, methods = f"{{regex: \"/files/svc{j % SERVICES}/res{j}/.+\\\\.(?:pdf|png)\"}}", None
    else:
        path, methods = f"{{regex: \"{base}/[0-9]+\"}}", "[GET, PUT, DELETE]" if j % 2 else None
    first = [f"path: {path}"]
    if methods:
        first.append(f"methods: {methods}")
    if i % 7 == 3:
        first.append(f"headers: {{x-tenant: t{i % 13}}}")
    lines = ["        match:", "          - " + first[0], *("            " + x for x in first[1:])]
    if r == 0 and j % 10 == 0:
        lines = ["        match:", f"          - path: {path}", "            headers: {x-canary: \"1\"}",
                 *lines[1:]]
    host = HOSTS[(j // 4) % len(HOSTS)] if j % 4 == 0 else None
    return lines, host


def spec_text(n_routes: int, port: int = 8080, service_url: str | None = None, ports: list[int] | None = None,
              address: str | None = None) -> str:
    """`ports`: one listener port per gateway (default: `port` and the next ones);
    `service_url`: every service's URL (default: one local port per service)."""
    ports = ports or [port + g for g in range(GATEWAYS)]
    out = ["version: 1", "services:"]
    for s in range(SERVICES):
        url = service_url or f"http://127.0.0.1:{3000 + s}"
        out.append(f"  svc{s}:\n    url: {url}\n    timeouts: {{connect: 2s, read: 10s}}")
    out.append("policies:\n  standard:\n    rate_limit: {requests: 100, per: 1m}")
    out.append("gateways:")
    per_gw: list[list[str]] = [[] for _ in range(GATEWAYS)]
    for i in range(n_routes):
        lines, host = _match(i)
        route = [f"      - name: r{i}", *lines, f"        service: svc{(i // 3) % SERVICES}"]
        if host:
            route.append(f"        hostnames: [\"{host}\"]")
        if i % 5 == 0:
            route.append(f"        policies: {{{POLICIES[(i // 5) % len(POLICIES)]}}}")
        per_gw[(i // 3) % GATEWAYS].append("\n".join(route))
    for g, routes in enumerate(per_gw):
        listen = f"port: {ports[g]}" + (f", address: {address}" if address else "")
        out.append(f"  gw{g}:\n    listeners:\n      - {{{listen}}}\n    routes:")
        out += routes or ["      - {name: empty" + str(g) + ", respond: {status: 404}}"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(spec_text(int(sys.argv[1])))
