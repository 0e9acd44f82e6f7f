"""docs/diagnostics.md, generated from the code table (gatewayc.diagnostics.codes) and the
examples below, so that the page lists every code with the severity the code really has.

    python -m gatewayc.diagnostics.docs            # rewrite docs/diagnostics.md
    python -m gatewayc.diagnostics.docs --check    # exit 1 when the page is stale

tests/meta/test_diagnostics_doc.py fails when the committed page is not this output.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .codes import CODES

# (code, what the row is about when a code has a second row, example, message said for it)
EXAMPLES: list[tuple[str, str | None, str, str | None]] = [
    ('GWC001', None, '`services: {users: {url: "http://127.0.0.1:3001"}` (a brace not closed)', "expected ',' or '}', but got '<stream end>' (while parsing a flow mapping)"),
    ('GWC002', None, '`url:` written twice in one service', "duplicate key 'url' (first defined at line 4)"),
    ('GWC003', None, 'a file saved as Latin-1 with `é` in a comment', 'invalid UTF-8 byte 0xe9'),
    ('GWC004', None, 'an empty `gateway.yml`', 'the file holds no YAML document'),
    ('GWC005', None, 'a file that is a list: `- version: 1`', 'the document is a list, not a mapping'),
    ('GWC006', None, 'nine levels of `&a [*b, *b, ...]` aliases', 'aliases expand the document beyond 1,000,000 nodes'),
    ('GWC007', None, 'a value nested 65 levels deep', 'nesting deeper than 64 levels'),
    ('GWC008', None, '`include: [teams/*.yml]` with no such files', "include pattern 'teams/*.yml' matches no file"),
    ('GWC009', None, '`main.yml` includes `b.yml`, which includes `main.yml`', 'include cycle: main.yml -> b.yml -> main.yml'),
    ('GWC010', None, '`port: !port 8080` (a custom tag)', "custom tag '!port' is not allowed"),
    ('GWC011', None, '`version: 2`', 'unsupported spec version 2'),
    ("GWC012", None, "`include: [../shared/team.yml]` in `specs/gateway.yml`", "included file '../shared/team.yml' is outside the spec's directory"),
    ('GWC100', None, '`servce: users` in a route', "unknown field 'servce'"),
    ('GWC101', None, '`methods: GET` (a string, not a list)', "methods: expected a list, got the string 'GET'"),
    ('GWC102', None, 'a listener without `port`', "missing required field 'port'"),
    ('GWC103', None, '`algorithm: sliding_windows`', "algorithm: the string 'sliding_windows' is not allowed"),
    ('GWC104', None, '`per: 15` (no unit)', 'duration 15 has no unit'),
    ('GWC105', None, '`body_limit: 1.5MB`', "'1.5MB' is not a size"),
    ('GWC106', None, '`url: 127.0.0.1:3001` (no scheme)', "URL '127.0.0.1:3001' must use http or https"),
    ('GWC107', None, '`allow: [10.0.0.1/8]` (host bits set)', "'10.0.0.1/8' is not an IP address or CIDR block: 10.0.0.1/8 has host bits set"),
    ('GWC108', None, '`regex: "/(a)\\\\1"` (a backreference)', "regex '/(a)\\\\1' uses '\\\\1', which RE2-based gateways reject"),
    ('GWC109', None, '`secret: s3cr3t` instead of `{env: JWT_SECRET}`', 'secrets must be references, not inline values'),
    ('GWC110', None, '`hostnames: [API.example.com]`', "'API.example.com' is not a valid hostname"),
    ('GWC111', None, '`prefix: /api//v1` (an empty segment)', "path '/api//v1' is not normalised"),
    ('GWC112', None, '`headers: {"X Token": abc}`', "'X Token' is not a valid header name"),
    ('GWC113', None, 'a path match with both `exact` and `prefix`', 'a path match takes exactly one of `exact`, `prefix`, `regex`; found exact, prefix'),
    ('GWC114', None, '`redirect: {status: 200}`', '200 is not a redirect status'),
    ("GWC115", None, "`match: {path: /api/users/*}`", "path '/api/users/*' contains '*', which gateways match literally, not as a wildcard"),
    ('GWC200', None, '`service: user` when the service is `users`', "no service named 'user'"),
    ('GWC201', None, 'two routes named `users` in one gateway', "route name 'users' is used twice in gateway 'public'"),
    ('GWC202', None, 'routes `users` and `users-v2` both match `/api/users`, to different services', "route 'users-v2' has the same match as route 'users' (prefix /api/users) but a different action"),
    ('GWC202', 'A route is written for the path the gateway serves its metrics at.', '`observability: {metrics: {}}` and a route `match: /metrics`', "route 'stats' matches '/metrics', the path the gateway serves its metrics at"),
    ('GWC203', None, 'route `write` matches `{path: /users, methods: [GET, POST]}`, a later route `read` `{path: /users, methods: [GET]}`', "route 'read' can never match: every request it accepts (GET prefix /users) goes to route 'write' first"),
    ('GWC204', None, '`strip_prefix: true` on a route that matches by regex', "`strip_prefix` needs prefix matches, but this route matches a path by regex ('/v[0-9]+')"),
    ('GWC205', None, 'a gateway with `routes: []`', "gateway 'public' has no routes"),
    ('GWC206', None, 'a service `orders` that no route names', "service 'orders' is not used by any route"),
    ('GWC300', None, '`gatewayc build --target kong` for a spec using a feature Kong lacks, e.g. `auth: {mtls: ...}`', None),
    ('GWC301', None, '`gatewayc build --target nginx` for a spec with a feature nginx emulates (shown by `build`, hidden by `validate`)', None),
    ('GWC302', None, '`accept_degraded: {kong: [rate_limit.sliding_window]}` and a sliding-window limit', None),
    ('GWC303', None, '`--accept-degraded auth.mtls`', None),
    ('GWC304', None, '`gatewayc build --target haproxy`', None),
    ('GWC305', None, '`gatewayc build --gateway admin` when the spec has no gateway `admin`', None),
    ('GWC306', None, '`gatewayc build --out /proc/x`', None),
    ('GWC307', None, '`--accept-degraded ratelimit` (not a feature id)', None),
    ("GWC308", None, "`gatewayc build --check` after the spec changed and the output was not rebuilt", None),
    ('GWC310', None, '`respond: {body: {message: <5000 characters>}}` built for nginx', 'nginx: the value makes a `return` argument of 5020 bytes ("{"message":"xxxx..."); nginx reads at most 4096 there, quotes and escapes included'),
    ("GWC311", None, "a Traefik build of a health check that expects two statuses", "service 'users': Traefik's health check expects one status; any 2xx or 3xx counts as healthy instead of 200, 204"),
    ('GWC900', None, 'any crash inside gatewayc; set `GATEWAYC_DEBUG=1` for the traceback', None),
]

HEADER = """\
# Diagnostic codes

<!-- generated by `python -m gatewayc.diagnostics.docs` from gatewayc/diagnostics/codes.py: do not edit -->

Every diagnostic gatewayc prints has a stable code. A code keeps its meaning forever;
`python3 -m gatewayc explain CODE` prints the long explanation, `python3 -m gatewayc explain`
lists them all. Errors make `validate` and `build` fail (exit 1); warnings and notes do not.

The *message* column is what gatewayc says for the example (positions left out).

| Code | Name | Severity | Meaning | Example | Message |
|---|---|---|---|---|---|
"""

FOOTER = """
Codes are grouped by range: `GWC0xx` reading files (YAML, includes), `GWC1xx` the shape
of the spec (fields, types, value formats), `GWC2xx` its meaning (references, names,
route conflicts, contradictions), `GWC3xx` building for a target, `GWC9xx` bugs in
gatewayc itself.
"""

PAGE = Path("docs") / "diagnostics.md"


def _cell(text: str | None) -> str:
    return "—" if text is None else text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    by_code: dict[str, list] = {}
    for code, also, example, message in EXAMPLES:
        by_code.setdefault(code, []).append((also, example, message))
    rows = []
    for c in CODES.values():
        for also, example, message in by_code.get(c.code) or [(None, None, None)]:
            meaning = f"(also) {also}" if also else c.summary
            rows.append(f"| `{c.code}` | {c.name} | {c.severity.value} | {_cell(meaning)} | {_cell(example)} | "
                        f"{_cell(message)} |")
    return HEADER + "\n".join(rows) + "\n" + FOOTER


def check(page: Path) -> bool:
    return page.is_file() and page.read_text(encoding="utf-8") == render()


def main(argv: list[str]) -> int:
    page = Path(__file__).resolve().parents[2] / PAGE
    if "--check" in argv:
        if not check(page):
            print(f"{PAGE} is stale: run python -m gatewayc.diagnostics.docs", file=sys.stderr)
            return 1
        return 0
    page.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
