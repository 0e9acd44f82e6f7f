"""JSON request body mapping on the real Envoy (a lua step reading the mapping from route
metadata): rename, set, cast in that order, dotted names, bodies that are not JSON objects,
bodies over Envoy's default buffer limit (1 MiB), and the body limit's 413 (M2)."""
from __future__ import annotations

import json

import pytest

SPEC = """
version: 1
services:
  echo: {url: "__ECHO__"}
gateways:
  web:
    listeners: [{port: 8080}]
    routes:
      - name: mapped
        match: /mapped
        service: echo
        policies:
          request:
            body:
              rename: {user_id: userId, "customer.name": "buyer.fullName", 'we"ird]] --': plain}
              set: {source: {via: [gateway, 1, null, true]}, "meta.version": 2}
              cast: {total: number, gift: boolean, when: timestamp, code: string, userId: string}
      - name: renamed
        match: /renamed
        service: echo
        policies:
          request: {body: {rename: {a: b}}}
      - name: limited
        match: /limited
        service: echo
        policies:
          body_limit: 2MB
          request: {body: {rename: {a: b}}}
      - name: keyed
        match: /keyed
        service: echo
        policies:
          auth: {api_key: {header: X-Api-Key, keys: {env: GWC_KEYS}}}
          request: {body: {rename: {a: b}}}
"""


@pytest.fixture(scope="module")
def gw(module_envoy, module_echo_upstream):
    return module_envoy(SPEC, {"ECHO": module_echo_upstream()}, env={"GWC_KEYS": "k1"})


def sent(gw, path, body, headers=None):
    """(status, the body as the service got it)."""
    r = gw.request("POST", path, {"Content-Type": "application/json", **(headers or {})}, body=body)
    return r.status, (r.json()["body"] if r.status == 200 else r.json())


def test_rename_set_cast_in_that_order(gw):
    body = {"user_id": 7, "customer": {"name": "Ada", "id": 1}, 'we"ird]] --': "x", "total": "42.50",
            "gift": "yes", "when": "2024-01-02T03:04:05+01:00", "code": 12.5, "keep": [1, {"z": None}],
            "text": "caf\u00e9 \u2603 \"q\" \\ \n"}
    status, got = sent(gw, "/mapped", json.dumps(body))
    assert status == 200
    assert json.loads(got) == {
        "userId": "7",  # renamed, then cast by its new name
        "customer": {"id": 1}, "buyer": {"fullName": "Ada"}, "plain": "x",
        "source": {"via": ["gateway", 1, None, True]}, "meta": {"version": 2},
        "total": 42.5, "gift": True, "when": 1704161045, "code": "12.5",
        "keep": [1, {"z": None}], "text": "caf\u00e9 \u2603 \"q\" \\ \n"}


def test_values_that_do_not_convert_stay(gw):
    status, got = sent(gw, "/mapped", json.dumps({"total": "lots", "gift": "maybe", "when": "soon", "code": None}))
    assert status == 200
    doc = json.loads(got)
    assert (doc["total"], doc["gift"], doc["when"], doc["code"]) == ("lots", "maybe", "soon", None)


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"a"', '{"a": 1', '{"a": 1} x', ""])
def test_a_body_that_is_not_a_json_object_passes_unchanged(gw, body):
    assert sent(gw, "/renamed", body) == (200, body)


def test_a_body_over_envoy_default_buffer_limit_is_mapped(gw):
    pad = "x" * (1536 * 1024)  # 1.5 MiB: over Envoy's default 1 MiB buffer
    status, got = sent(gw, "/renamed", json.dumps({"a": 1, "pad": pad}))
    assert status == 200 and json.loads(got) == {"b": 1, "pad": pad}


def test_the_body_limit_still_answers_413(gw):
    status, got = sent(gw, "/limited", json.dumps({"a": "x" * (2 * 1024 * 1024)}))
    assert (status, got) == (413, {"error": "Content Too Large"})
    status, got = sent(gw, "/limited", json.dumps({"a": "x" * (1536 * 1024)}))
    assert status == 200 and json.loads(got) == {"b": "x" * (1536 * 1024)}


def test_mapping_runs_after_authentication(gw):
    assert sent(gw, "/keyed", '{"a": 1}')[0] == 401
    assert sent(gw, "/keyed", '{"a": 1}', {"X-Api-Key": "k1"}) == (200, '{"b":1}')


def test_the_mapping_is_data_not_script_text(gw):
    cfg = gw.output.files["envoy.yaml"].decode()
    # the odd field name is in the route's metadata only, never in a lua source
    assert cfg.count("ird]]") == 1 and "gatewayc_body" in cfg
