"""Every generated kong.yml passes decK's JSON schema, Kong's plugin schemas and Kong's semantic
rules; and the checkers themselves catch the mistakes they are meant to catch."""
from __future__ import annotations

import copy

import pytest

import kong_cases as cases
import kongcheck


@pytest.mark.parametrize("spec,name", cases.files(), ids=[f"{cases.label(s)}:{n}" for s, n in cases.files()])
def test_generated_file_is_valid(spec, name):
    text = cases.built(spec).files[name]
    doc = kongcheck.load(text)
    assert kongcheck.schema_errors(doc) == []
    assert kongcheck.semantic_errors(doc) == []
    raw = text.decode()
    assert "_comment" not in raw and "_ignore" not in raw


def test_there_are_files_to_check():
    assert len(cases.SPECS) >= 2 and len(cases.files()) >= len(cases.SPECS)


@pytest.mark.parametrize("spec,name", cases.files(), ids=[f"{cases.label(s)}:{n}" for s, n in cases.files()])
def test_env_lists_every_placeholder(spec, name):
    b = cases.built(spec)
    used = set(kongcheck.PLACEHOLDER.findall(b.files[name].decode()))
    assert used <= b.env
    assert all(v.startswith("DECK_") for v in b.env)


# --- the checkers fail when they should -------------------------------------------------
def _good() -> dict:
    spec = next(s for s in cases.SPECS if s.parent.name == "full")
    return kongcheck.load(cases.built(spec).files["kong.yml"])


def _service(doc, name):
    return next(s for s in doc["services"] if s["name"] == name)


def _plugin(doc, service, name):
    return next(p for p in _service(doc, service)["plugins"] if p["name"] == name)


BROKEN = [
    ("comment", lambda d: d.update({"_comment": "x"}), "schema"),
    ("port-string", lambda d: _service(d, "orders").update({"port": "80"}), "schema"),
    ("typo", lambda d: _service(d, "orders")["routes"][0].update({"stip_path": True}), "schema"),
    ("enterprise-field", lambda d: d["upstreams"][0]["targets"][0].update({"failover": True}), "semantic"),
    ("duplicate-route", lambda d: _service(d, "users")["routes"].append(
        copy.deepcopy(_service(d, "orders")["routes"][0])), "semantic"),
    ("regex-without-tilde", lambda d: _service(d, "users")["routes"][0].update({"paths": ["/users(/.*)?"]}),
     "semantic"),
    ("relative-path", lambda d: _service(d, "users")["routes"][0].update({"paths": ["users"]}), "semantic"),
    ("lookahead", lambda d: _service(d, "users")["routes"][0].update({"paths": ["~/users(?=/|$)"]}), "semantic"),
    ("path-handling-v1", lambda d: _service(d, "users")["routes"][0].update({"path_handling": "v1"}), "semantic"),
    ("dangling-host", lambda d: _service(d, "users").update({"host": "nowhere.upstream"}), "semantic"),
    ("dangling-acl-group", lambda d: _plugin(d, "users", "acl")["config"]["allow"].append("ghosts"), "semantic"),
    ("dangling-anonymous", lambda d: _plugin(d, "users", "key-auth")["config"].update(
        {"anonymous": "00000000-0000-0000-0000-000000000000"}), "semantic"),
    ("unknown-plugin-key", lambda d: _plugin(d, "orders", "rate-limiting")["config"].update({"polcy": "x"}),
     "semantic"),
    ("plugin-type", lambda d: _plugin(d, "orders", "rate-limiting")["config"].update({"minute": "lots"}), "semantic"),
    ("plugin-enum", lambda d: _plugin(d, "orders", "rate-limiting")["config"].update({"policy": "cluster"}),
     "semantic"),
    ("plugin-conditional", lambda d: _plugin(d, "orders", "rate-limiting")["config"].update({"limit_by": "header"}),
     "semantic"),
    ("plugin-at-least-one", lambda d: _plugin(d, "orders", "rate-limiting")["config"].pop("minute"), "semantic"),
    ("ip-restriction-empty", lambda d: _plugin(d, "users", "ip-restriction")["config"].pop("allow"), "semantic"),
    ("proxy-cache-strategy", lambda d: _plugin(d, "orders", "proxy-cache")["config"].update({"strategy": "redis"}),
     "semantic"),
    ("proxy-cache-range", lambda d: _plugin(d, "orders", "proxy-cache")["config"].update({"response_code": [42]}),
     "semantic"),
    ("transformer-match", lambda d: _plugin(d, "users", "request-transformer")["config"]["add"].update(
        {"headers": ["no-colon"]}), "semantic"),
    ("consumer-scoped-jwt", lambda d: d["consumers"][0].setdefault("plugins", []).append(
        {"name": "jwt", "config": {}}), "semantic"),
    ("unknown-plugin", lambda d: _service(d, "orders")["plugins"].append({"name": "oauth3", "config": {}}),
     "semantic"),
    ("duplicate-credential", lambda d: next(c for c in d["consumers"] if c.get("keyauth_credentials"))[
        "keyauth_credentials"].append({"key": next(c for c in d["consumers"] if c.get("keyauth_credentials"))[
            "keyauth_credentials"][0]["key"]}), "semantic"),
    ("passive-without-recovery", lambda d: d["upstreams"][-1]["healthchecks"]["active"]["unhealthy"].update(
        {"interval": 0}), "semantic"),
    ("counter-range", lambda d: d["upstreams"][0]["healthchecks"]["passive"]["unhealthy"].update(
        {"http_failures": 300}), "semantic"),
    ("format-version", lambda d: d.update({"_format_version": "2.1"}), "semantic"),
]


def test_the_good_file_is_good():
    doc = _good()
    assert kongcheck.schema_errors(doc) == [] and kongcheck.semantic_errors(doc) == []


@pytest.mark.parametrize("mutate,checker", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_checkers_catch(mutate, checker):
    doc = _good()
    mutate(doc)
    errors = kongcheck.schema_errors(doc) if checker == "schema" else kongcheck.semantic_errors(doc)
    assert errors
