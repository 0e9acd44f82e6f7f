"""A credential header nginx never shows to its auth: nginx drops every request header
whose name holds a character other than a letter, a digit or '-' (`underscores_in_headers
off`, `ignore_invalid_headers on`, kept on for the alias attack docs/targets/nginx.md
describes). A JWT or API key read from such a header would refuse every request, so the
build refuses it at the method's block."""
from __future__ import annotations

import pytest

SPEC = """
version: 1
services:
  echo: {{url: "__ECHO__"}}
gateways:
  main:
    listeners: [{{port: 8080}}]
    routes:
      - name: open
        match: /open
        service: echo
      - name: keyed
        match: /keyed
        service: echo
        policies:
          auth:
            {method}
"""
METHODS = {
    # the method's block: line 17, after `api_key: ` / `jwt: `
    "api-key": ("api_key: {{header: {name}, keys: {{env: K}}}}", 22),
    "jwt": ("jwt: {{algorithms: [HS256], secret: {{env: S}}, token: {{header: {name}}}}}", 18),
}


def _offline(method: str) -> str:
    return SPEC.format(method=method).replace("__ECHO__", "http://127.0.0.1:9")


def test_nginx_drops_a_request_header_with_an_underscore(gateway, echo_upstream):
    gw = gateway(SPEC.format(method="api_key: {header: X-Api-Key, keys: {env: K}}"),
                 upstreams={"ECHO": echo_upstream("echo")}, env={"K": "k1"})
    seen = gw.request("GET", "/open", headers={"X_Api_Key": "k1", "X-Api-Key": "k1"}).json()["headers"]
    assert seen.get("x-api-key") == "k1" and "x_api_key" not in seen


@pytest.mark.parametrize("kind", METHODS)
@pytest.mark.parametrize("name", ["X_Api_Key", "X.Api.Key"])
def test_a_credential_header_nginx_drops_is_refused_at_its_method(build_spec, kind, name):
    text, col = METHODS[kind]
    _, out = build_spec(_offline(text.format(name=name)))
    refused = [n for n in out.notes if n.code == "GWC310" and name in n.message]
    assert len(refused) == 1, [str(n) for n in out.notes]
    assert (refused[0].location.line, refused[0].location.col) == (17, col)


@pytest.mark.parametrize("kind", METHODS)
def test_a_credential_header_nginx_reads_builds(build_spec, kind):
    text, _ = METHODS[kind]
    _, out = build_spec(_offline(text.format(name="X-Api-Key")))
    assert not [n for n in out.notes if n.code == "GWC310"], [str(n) for n in out.notes]
