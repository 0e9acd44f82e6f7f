"""nginx refuses a configuration token over 4096 bytes, and a regex its PCRE2 does not
compile; gatewayc refuses the spec instead, at the value behind it, and exactly there: the
longest value it builds loads in `nginx -t`, one byte (or repetition) more is refused by
gatewayc, and that same output, written anyway, fails `nginx -t`."""
from __future__ import annotations

import pytest
from nginx_harness import nginx_test, write_output

from gatewayc.backends.nginx import limits, pcre2
from gatewayc.build import build

SPEC = """version: 1
services:
  echo: {{url: "http://127.0.0.1:9"}}
gateways:
  web:
    listeners: [{{port: 8080}}]
    routes:
{route}
"""
# (name, route with @V@ where the value goes, the value for a length n)
PLACES = [
    ("body", '      - {name: r, match: /r, respond: {body: {message: "@V@"}}}', lambda n: "b" * n),
    ("quotes-in-body", '      - {name: r, match: /r, respond: {body: "@V@"}}', lambda n: '"' * n),
    ("header-value",
     '      - {name: r, match: /r, service: echo, policies: {request: {headers: {set: {X-A: "@V@"}}}}}',
     lambda n: "é" * n),
    ("exact-path", '      - {name: r, match: {path: {exact: "@V@"}}, service: echo}', lambda n: "/" + "p" * n),
    ("regex-path", '      - {name: r, match: {path: {regex: "@V@"}}, service: echo}', lambda n: "/" + "r" * n),
    ("query-value", '      - {name: r, match: {path: /q, query: {k: "@V@"}}, service: echo}', lambda n: "q" * n),
]


def _spec(tmp_path, route: str, value: str) -> tuple[str, int, int]:
    text = SPEC.format(route=route.replace("@V@", value.replace("\\", "\\\\").replace('"', '\\"')))
    path = tmp_path / "gateway.yml"
    path.write_text(text)
    lines = text.splitlines()
    line = next(i for i, s in enumerate(lines) if "route" not in s and s.startswith("      - "))
    col = lines[line].index('"' + value.replace("\\", "\\\\").replace('"', '\\"')[:20]) + 1
    return str(path), line + 1, col


def _build(path: str):
    return build(path, ["nginx"], source="gateway.yml")


def _longest(tmp_path, route, value, hi: int = 5000) -> int:
    lo = 1  # lo builds, hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _build(_spec(tmp_path, route, value(mid))[0]).ok else (lo, mid)
    return lo


@pytest.mark.parametrize("route, value", [p[1:] for p in PLACES], ids=[p[0] for p in PLACES])
def test_the_limit_is_exactly_nginx(tmp_path, monkeypatch, route, value):
    n = _longest(tmp_path, route, value)
    path, _, _ = _spec(tmp_path, route, value(n))
    ok = _build(path)
    write_output(tmp_path / "ok", ok.files)
    checked = nginx_test(tmp_path / "ok")
    assert checked.returncode == 0, checked.stderr

    path, line, col = _spec(tmp_path, route, value(n + 1))
    refused = _build(path)
    assert not refused.ok and not refused.files
    (diag,) = [d for d in refused.diagnostics if d.is_error]
    assert diag.code == "GWC350" and "nginx reads at most 409" in diag.message
    assert (diag.location.line, diag.location.col) == (line, col), diag

    monkeypatch.setattr(limits, "BUFFER", 10**9)
    unchecked = _build(path)
    assert unchecked.ok
    write_output(tmp_path / "over", unchecked.files)
    checked = nginx_test(tmp_path / "over")
    assert checked.returncode == 1 and "too long parameter" in checked.stderr, checked.stderr


def test_pcre2_is_asked_as_nginx_would(tmp_path, monkeypatch):
    # a short regex PCRE2 compiles to more than its 64 KiB of code: RE2 takes it, nginx does not
    assert pcre2.available()  # libpcre2-8 comes with nginx: without it this test fails
    route = '      - {name: r, match: {path: {regex: "@V@"}}, service: echo}'
    value = lambda n: "/x(?:[a-z][0-9]){%d}" % n  # noqa: E731
    n = _longest(tmp_path, route, value, hi=1000)
    path, _, _ = _spec(tmp_path, route, value(n))
    write_output(tmp_path / "ok", _build(path).files)
    assert nginx_test(tmp_path / "ok").returncode == 0

    path, line, col = _spec(tmp_path, route, value(n + 1))
    refused = _build(path)
    (diag,) = [d for d in refused.diagnostics if d.is_error]
    assert diag.code == "GWC310" and "regular expression is too large" in diag.message
    assert (diag.location.line, diag.location.col) == (line, col), diag

    monkeypatch.setattr(pcre2, "compile_error", lambda rx, caseless=False: None)
    unchecked = _build(path)
    assert unchecked.ok
    write_output(tmp_path / "over", unchecked.files)
    checked = nginx_test(tmp_path / "over")
    assert checked.returncode == 1 and "regular expression is too large" in checked.stderr, checked.stderr
