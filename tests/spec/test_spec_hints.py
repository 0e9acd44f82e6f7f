"""Hints and positions that fit the mistake (issue 13): a limit key that is no key, and a bad
header name inside the `{name: value}` shorthand of a match, reported at that name."""
from __future__ import annotations

import json

import pytest

SPEC = """\
version: 1
services:
  users: {url: "http://127.0.0.1:3001"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: users
        match: {path: /users, headers: {X-Env: prod, "Bad Name": x}, query: {"bad name": "1", ok: [2]}}
        service: users
        policies:
          rate_limit: {requests: 10, per: 1m, key: KEY}
"""


def _diags(cli, tmp_path, key="client_ip"):
    (tmp_path / "gateway.yml").write_text(SPEC.replace("KEY", key))
    code, out, err = cli(["validate", "gateway.yml", "--format", "json"], cwd=tmp_path)
    assert code == 1, err
    return json.loads(out)["diagnostics"]


@pytest.mark.parametrize(("key", "hint"), [
    ("everyone", "no key puts every client in one budget"),
    ("all", "`scope: route | service | gateway`"),
    ("ip", "did you mean `key: client_ip`?"),
    ("client-ip", "did you mean `key: client_ip`?"),
    ("consumr", "did you mean `key: consumer`?"),
    ("fingerprint", "a limit key is `client_ip`, `consumer`, `{header: NAME}` or `{claim: NAME}`"),
])
def test_a_word_that_is_no_limit_key(cli, tmp_path, key, hint):
    (d,) = [d for d in _diags(cli, tmp_path, key) if d["line"] == 12]
    # a string is a limit key's shorthand: the value is wrong, not its type
    assert (d["code"], d["column"], d["message"]) == ("GWC103", 52, f"{key!r} is not a limit key")
    assert hint in d["hint"]
    if key in ("everyone", "all", "fingerprint"):
        assert "did you mean" not in d["hint"]


def test_a_bad_name_in_the_match_shorthand_is_reported_at_the_name(cli, tmp_path):
    found = [(d["code"], d["line"], d["column"], d["message"]) for d in _diags(cli, tmp_path) if d["line"] == 9]
    assert found == [
        ("GWC112", 9, 54, "'Bad Name' is not a valid header name"),
        ("GWC103", 9, 78, "'bad name' is not a valid query parameter name"),
        ("GWC101", 9, 99, "a header value must be a string, not a list"),
    ]
