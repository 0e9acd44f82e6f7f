"""The JSON Schema (what an editor checks) and gatewayc (what `validate` checks) agree on
the shape of every spec in the repository: the examples, the test specs and every bad-input
spec of the tests. Both read YAML 1.2 (`yes`/`on` are text, `"8080"` is a string).

The schema must never refuse a spec gatewayc accepts. Where gatewayc refuses a spec the
schema accepts, the refusal must be one of the checks a JSON Schema cannot make, listed in
BEYOND_SCHEMA with the reason (and in docs/spec.md, section 2).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from gatewayc.compiler.schema_errors import convert
from gatewayc.loader import load
from gatewayc.spec import Spec

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "schema" / "gatewayc.schema.json").read_text(encoding="utf-8"))


def _corpus() -> list[Path]:
    found = sorted(REPO.glob("examples/*/gateway.yml"))
    for p in sorted((REPO / "tests").rglob("*.yml")):
        # include fragments (parts/) are not specs on their own; snapshots are outputs
        if "__snapshots__" not in p.parts and "parts" not in p.parts:
            found.append(p)
    return found


CORPUS = _corpus()

# (code, what the message says, why a JSON Schema cannot check it)
BEYOND_SCHEMA = [
    ("GWC107", r"is not an IP address", "address arithmetic: octet ranges, prefix lengths, host bits"),
    ("GWC108", r"^regex ", "whether a regex compiles under RE2 and reads the same under PCRE"),
    ("GWC113", r"takes exactly one of|needs one of|needs `allow`", "exactly one of several optional fields"),
    ("GWC114", r"is not a redirect status", "a status allowed only on redirects (a field validator)"),
    ("GWC106", r"is not a valid URL: Port out of range", "a port number's range inside a URL"),
    ("GWC103|GWC106|GWC111|GWC112", r"contains (NUL|U\+|a line feed)|\\n' is not a valid header name",
     "Unicode format characters (bidi overrides, zero-width) and, under Python's `re`, a line feed "
     "before the end ($ matches there)"),
    ("GWC112", r"is not a valid header name", "a header name written as a mapping key (the schema leaves "
                                              "mapping keys of transforms free)"),
    ("GWC204", r".", "settings that contradict each other (model validators)"),
]


def _plain(node):
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _beyond(code: str, message: str) -> bool:
    return any(re.fullmatch(c, code) and re.search(m, message) for c, m, _ in BEYOND_SCHEMA)


def verdicts(path: Path):
    """(schema errors, gatewayc's shape errors) for one spec, or None when it is not YAML."""
    import jsonschema

    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        loaded = load(path.name)
    finally:
        os.chdir(cwd)
    if loaded.tree is None:
        # not a YAML mapping: neither side gets a document, and gatewayc says why
        assert any(d.is_error and d.code < "GWC100" for d in loaded.diagnostics), loaded.diagnostics
        return None
    schema_errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}"
                     for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(_plain(loaded.tree))]
    try:
        Spec.model_validate(loaded.tree)
        ours = []
    except ValidationError as exc:
        ours = [(d.code, d.message) for d in convert(exc, loaded.tree, Spec)]
    return schema_errors, ours


def test_the_corpus_is_large():
    assert len(CORPUS) >= 150, len(CORPUS)


@pytest.mark.parametrize("path", CORPUS, ids=[str(p.relative_to(REPO)) for p in CORPUS])
def test_schema_and_gatewayc_agree(path):
    found = verdicts(path)
    if found is None:
        return
    schema_errors, ours = found
    if schema_errors:
        assert ours, f"the schema refuses what gatewayc accepts: {schema_errors}"
    elif ours:
        unexplained = [o for o in ours if not _beyond(*o)]
        assert not unexplained, f"gatewayc refuses what the schema accepts: {unexplained}"


YAML11_BOOLEANS = ["yes", "no", "on", "off", "y", "n", "Yes", "ON"]


@pytest.mark.parametrize("word", YAML11_BOOLEANS)
def test_yaml_1_1_booleans_are_text_for_both(word, tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text("version: 1\nservices:\n  chat: {url: 'http://127.0.0.1:3001'}\ngateways:\n  web:\n"
                    "    listeners: [{port: 8080}]\n    routes:\n"
                    f"      - {{name: chat, match: /chat, service: chat, websocket: {word}}}\n")
    schema_errors, ours = verdicts(spec)
    assert schema_errors and ours
    assert ours[0][0] == "GWC101" and "expected true or false" in ours[0][1]


def test_a_quoted_number_is_a_string_for_both(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text("version: 1\ngateways:\n  web:\n    listeners: [{port: '8080'}]\n")
    schema_errors, ours = verdicts(spec)
    assert schema_errors and ours and ours[0][0] == "GWC101"


def test_the_documented_match_shorthand_is_valid_for_both(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text("version: 1\nservices:\n  users: {url: 'http://127.0.0.1:3001'}\ngateways:\n  web:\n"
                    "    listeners: [{port: 8080}]\n    routes:\n"
                    "      - {name: users, match: /api, service: users}\n")
    assert verdicts(spec) == ([], [])


def test_bad_shorthand_paths_are_refused_by_both(tmp_path):
    for path in ("/a//b", "/users/../admin", "'/users list'", "'/a?b'"):
        spec = tmp_path / "gateway.yml"
        spec.write_text("version: 1\nservices:\n  users: {url: 'http://127.0.0.1:3001'}\ngateways:\n  web:\n"
                        "    listeners: [{port: 8080}]\n    routes:\n"
                        f"      - {{name: users, match: {path}, service: users}}\n")
        schema_errors, ours = verdicts(spec)
        assert schema_errors and ours, path


# every place an integer is meant, each with its own placeholder (a valid spec once filled in)
INTEGERS = {"weight": "2", "attempts": "2", "failures": "3", "half_open": "1", "healthy": "2", "unhealthy": "3",
            "port": "8080", "requests": "100", "burst": "5", "limit_status": "429", "max": "10", "size": "1024",
            "mirror": "50", "respond": "201", "redirect_port": "8443", "not_found": "404", "database": "0"}
WITH_INTEGERS = """\
version: 1
services:
  users:
    targets: [{url: "http://127.0.0.1:3001", weight: {weight}}]
    retries: {attempts: {attempts}}
    circuit_breaker: {consecutive_failures: {failures}, half_open_requests: {half_open}}
    health_check: {healthy_threshold: {healthy}, unhealthy_threshold: {unhealthy}}
  copies: {url: "http://127.0.0.1:3002"}
gateways:
  web:
    listeners: [{port: {port}}]
    not_found: {status: {not_found}}
    routes:
      - name: users
        match: /users
        service: users
        mirror: {service: copies, percent: {mirror}}
        policies:
          rate_limit: {requests: {requests}, per: 1m, burst: {burst}, status: {limit_status},
                       store: {redis: {address: "127.0.0.1:6379", database: {database}}}}
          concurrency_limit: {max: {max}}
          body_limit: {size}
      - {name: made, match: /made, respond: {status: {respond}}}
      - {name: moved, match: /moved, redirect: {port: {redirect_port}}}
"""


def _with_integers(tmp_path, **values) -> Path:
    text = WITH_INTEGERS
    for name, default in INTEGERS.items():
        text = text.replace("{" + name + "}", values.get(name, default))
    spec = tmp_path / "gateway.yml"
    spec.write_text(text)
    return spec


def test_a_number_written_with_a_point_is_an_integer_for_both(tmp_path):
    """JSON Schema's `integer` is any number without a fractional part (8080.0 included), so
    gatewayc takes it too: editor and `validate` agree, and the IR holds the integer."""
    from gatewayc.compiler import compile_spec

    spec = _with_integers(tmp_path, **{k: v + ".0" for k, v in INTEGERS.items()})
    assert verdicts(spec) == ([], [])
    compiled = compile_spec(str(spec))
    assert compiled.ok, compiled.diagnostics
    (gw,) = compiled.ir.gateways
    port = gw.listeners[0].port
    assert port == 8080 and type(port) is int
    assert verdicts(_with_integers(tmp_path)) == ([], [])


@pytest.mark.parametrize("field", sorted(INTEGERS))
@pytest.mark.parametrize("value", ["true", "8080.5"])
def test_a_boolean_or_a_fraction_is_no_integer_for_either(tmp_path, field, value):
    schema_errors, ours = verdicts(_with_integers(tmp_path, **{field: value}))
    assert schema_errors and ours, field
    (code, message), = ours
    # said in the spec's words: `true`, never Python's True
    assert code in ("GWC101", "GWC105", "GWC114"), ours
    assert f"got the {'boolean' if value == 'true' else 'number'} {value}" in message or \
        message.startswith(f"{value} is not"), ours


def test_a_number_as_a_header_value_is_its_text_for_both(tmp_path):
    spec = tmp_path / "gateway.yml"
    spec.write_text("version: 1\nservices:\n  users: {url: 'http://127.0.0.1:3001'}\ngateways:\n  web:\n"
                    "    listeners: [{port: 8080}]\n    routes:\n"
                    "      - name: users\n        match: {path: /users, headers: {X-Version: 2}, query: {v: 3}}\n"
                    "        service: users\n        policies: {request: {headers: {set: {X-Api: 2.5}}}}\n")
    assert verdicts(spec) == ([], [])
    for bad in ("true", "[2]", "{a: 1}"):
        spec.write_text(spec.read_text().replace("X-Api: 2.5", f"X-Api: {bad}"))
        schema_errors, ours = verdicts(spec)
        assert schema_errors and ours, bad
        assert not re.search(r"\b(YSeq|YMap|bool|dict)\b", ours[0][1]), ours  # said in the spec's words
        spec.write_text(spec.read_text().replace(f"X-Api: {bad}", "X-Api: 2.5"))
