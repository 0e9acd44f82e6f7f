"""Values a gateway configuration cannot carry are refused at validation, on every target,
with the position of the value (marked « in each case below, which is then removed).

Control characters end lines or truncate at a NUL (a TLS path cut short), `urlsplit` drops
tabs and line feeds from a URL before anyone looks at it, bidi and zero-width characters
make a value read as another, and a grammar checked with `$` let a final line feed through."""
from __future__ import annotations

import pytest

from gatewayc.compiler import compile_spec

SERVICE = "services:\n  echo: {url: http://127.0.0.1:9}\n"


def _route(extra: str = "", match: str = "/r", name: str = "r") -> str:
    return (f"version: 1\n{SERVICE}gateways:\n  web:\n    listeners: [{{port: 8080}}]\n    routes:\n"
            f"      - {{name: {name}, match: {match}, service: echo{extra}}}\n")


def _policies(block: str) -> str:
    return _route(f", policies: {{{block}}}")


def _listener(tls: str) -> str:
    return (f"version: 1\n{SERVICE}gateways:\n  web:\n    listeners:\n      - port: 8443\n        tls: {tls}\n"
            "    routes: [{name: r, match: /r, service: echo}]\n")


def _service(url: str) -> str:
    return ("version: 1\nservices:\n  echo: {url: " + url + "}\ngateways:\n  web:\n    listeners: [{port: 8080}]\n"
            "    routes: [{name: r, match: /r, service: echo}]\n")


def _gateway(extra: str) -> str:
    return (f"version: 1\n{SERVICE}gateways:\n  web:\n    listeners: [{{port: 8080}}]\n{extra}"
            "    routes: [{name: r, match: /r, service: echo}]\n")


JWT = "auth: {jwt: {algorithms: [HS256], secret: {env: K}, "
CASES = [
    # files on the gateway host, and build inputs
    ("tls-certificate-nul", _listener('{certificate: «"/etc/tls/api\\0.crt", key: {file: /etc/k.pem}}'), "GWC103"),
    ("tls-key-nul", _listener('{certificate: /etc/c.pem, key: {file: «"/etc/tls/api.key\\0.bak"}}'), "GWC103"),
    ("tls-client-ca-bidi", _listener('{certificate: /etc/c.pem, key: {file: /etc/k.pem}, '
                                     'client_ca: «"/etc/ca\\u202e.pem"}'), "GWC103"),
    ("tls-key-empty", _listener('{certificate: /etc/c.pem, key: {file: «""}}'), "GWC103"),
    ("secret-file-line-feed", _policies('auth: {api_key: {header: X-K, keys: {file: «"/etc/keys\\n"}}}'), "GWC103"),
    ("env-name-final-line-feed", _policies('auth: {api_key: {header: X-K, keys: {env: «"KEYS\\n"}}}'), "GWC103"),
    ("jwks-file-nul", _policies('auth: {jwt: {algorithms: [RS256], jwks: {file: «"keys\\0.json"}}}'), "GWC103"),
    ("schema-file-nul", _policies('validation: {body: {file: «"s\\0.json"}}'), "GWC103"),
    # URLs: checked before urlsplit, which would drop the tab and line feed
    ("url-line-feed-in-port", _service('«"http://127.0.0.1:30\\n01"'), "GWC106"),
    ("url-leading-nul", _service('«"\\0http://127.0.0.1:3001"'), "GWC106"),
    ("url-tab-in-host", _service('«"http://users\\t.internal"'), "GWC106"),
    ("url-space", _service('«"http://users .internal"'), "GWC106"),
    ("url-bidi", _service('«"http://users\\u202e.internal"'), "GWC106"),
    # an empty fragment, query or user part: urlsplit sees none, every target dropped the separator
    ("url-empty-fragment", _service('«"http://127.0.0.1:3001/base#"'), "GWC106"),
    ("url-fragment", _service('«"http://127.0.0.1:3001/base#top"'), "GWC106"),
    ("url-empty-query", _service('«"http://127.0.0.1:3001/base?"'), "GWC106"),
    ("url-empty-user", _service('«"http://@127.0.0.1:3001"'), "GWC106"),
    ("jwks-url-tab", _policies('auth: {jwt: {algorithms: [RS256], jwks: {url: «"https://id.exa\\tmple.com/k"}}}'),
     "GWC106"),
    ("otlp-endpoint-nul", _gateway('    observability: {tracing: {otlp: {endpoint: «"http://c:4317\\0"}}}\n'),
     "GWC106"),
    # paths, names, hosts, headers
    ("path-del", _route(match='«"/a\\x7fb"'), "GWC111"),
    ("path-bidi", _route(match='«"/adm\\u202ein"'), "GWC111"),
    ("path-zero-width", _route(match='«"/a\\u200bb"'), "GWC111"),
    ("path-c1", _route(match='«"/a\\x85"'), "GWC111"),
    ("route-name-final-line-feed", _route(name='«"users\\n"'), "GWC103"),
    ("hostname-final-line-feed", _gateway('    hostnames: [«"api.example.com\\n"]\n'), "GWC110"),
    ("header-name-final-line-feed", _policies('request: {headers: {set: {«"X-A\\n": v}}}'), "GWC112"),
    ("header-value-carriage-return", _policies('request: {headers: {set: {X-A: «"v\\rX-B: w"}}}'), "GWC103"),
    ("query-name-final-line-feed", _policies('request: {query: {remove: [«"page\\n"]}}'), "GWC103"),
    ("cors-origin-final-line-feed", _policies('cors: {origins: [«"https://a.example.com\\n"]}'), "GWC103"),
    ("regex-nul", _route(match='{path: {regex: «"/a\\0"}}'), "GWC108"),
    ("regex-bidi", _route(match='{path: {regex: «"/a\\u2066b"}}'), "GWC108"),
    ("request-id-underscore", _gateway("    observability: {request_id: {header: «X_Request_Id}}\n"), "GWC112"),
    ("request-id-final-line-feed", _gateway('    observability: {request_id: {header: «"X-Id\\n"}}\n'), "GWC112"),
    ("listener-scope-id", "version: 1\n" + SERVICE + "gateways:\n  web:\n    listeners: [{port: 8080, address: "
     '«"fe80::1%eth0"}]\n    routes: [{name: r, match: /r, service: echo}]\n', "GWC107"),
    # what names something: claims, issuers, subjects, keys
    ("jwt-issuer-line-feed", _policies(JWT + 'issuer: «"https://id\\n"}}'), "GWC103"),
    ("jwt-audience-bidi", _policies(JWT + 'audiences: [«"api\\u202e"]}}'), "GWC103"),
    ("jwt-claim-nul", _policies(JWT + 'required_claims: [«"sub\\0"]}}'), "GWC103"),
    ("jwt-forwarded-claim-tab", _policies(JWT + 'forward_claims: {«"sub\\t": X-User}}}'), "GWC103"),
    ("jwt-scheme-space", _policies(JWT + 'token: {header: Authorization, scheme: «"Bear er"}}}'), "GWC103"),
    ("jwt-cookie-semicolon", _policies(JWT + 'token: {cookie: «"t;x"}}}'), "GWC103"),
    ("limit-claim-line-feed", _policies('auth: {jwt: {algorithms: [HS256], secret: {env: K}}}, '
                                        'rate_limit: {requests: 1, per: 1s, key: {claim: «"sub\\n"}}'), "GWC103"),
    ("mtls-subject-line-feed", _listener('{certificate: /etc/c.pem, key: {file: /etc/k.pem}, client_ca: /etc/ca.pem}')
     .replace("service: echo}]", "service: echo, policies: {auth: {mtls: {subjects: [«\"CN=a\\nCN=b\"]}}}}]"),
     "GWC103"),
    ("basic-realm-tab", _policies('auth: {basic: {credentials: {env: C}, realm: «"Adm\\tin"}}'), "GWC103"),
    ("body-field-nul", _policies('request: {body: {rename: {«"a\\0": b}}}'), "GWC103"),
    ("aggregate-key-line-feed", f"version: 1\n{SERVICE}gateways:\n  web:\n    listeners: [{{port: 8080}}]\n"
     '    routes: [{name: r, match: /r, aggregate: {parts: [{key: «"a\\n", service: echo, path: /a}]}}]\n', "GWC103"),
    ("tracing-name-bidi", _gateway('    observability: {tracing: {service_name: «"gw\\u202e"}}\n'), "GWC103"),
    # the metrics path is the gateway's own
    ("metrics-equals-prefix", _gateway("    observability: {metrics: {}}\n").replace(
        "match: /r", "match: «/metrics"), "GWC202"),
    ("metrics-equals-exact-encoded", _gateway("    observability: {metrics: {path: /m%65trics}}\n").replace(
        "match: /r", 'match: {path: {exact: «"/metrics"}}'), "GWC202"),
]


def _position(text: str) -> tuple[str, int, int]:
    before = text[:text.index("«")]
    return text.replace("«", ""), before.count("\n") + 1, len(before) - before.rfind("\n")


@pytest.mark.parametrize("text, code", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_at_the_value(tmp_path, text, code):
    text, line, col = _position(text)
    (tmp_path / "gateway.yml").write_text(text, encoding="utf-8")
    c = compile_spec(str(tmp_path / "gateway.yml"))
    errors = [d for d in c.diagnostics if d.is_error]
    assert not c.ok and errors, text
    assert [(d.code, d.location.line, d.location.col) for d in errors] == [(code, line, col)], \
        [str(d) for d in errors]


def test_an_include_path_with_nul_is_refused_not_a_crash(tmp_path):
    text, line, col = _position('version: 1\ninclude: [«"teams/a\\0.yml"]\n')
    (tmp_path / "gateway.yml").write_text(text)
    c = compile_spec(str(tmp_path / "gateway.yml"))
    assert [(d.code, d.location.line, d.location.col) for d in c.diagnostics] == [("GWC103", line, col)]


@pytest.mark.parametrize("text", [
    _route(match='"/caf\\u00e9"'), _route(match='{path: {regex: "/caf\\u00e9"}}'),
    _policies('request: {headers: {set: {X-A: "tab\\there"}}}'),
    _listener('{certificate: "/etc/tls/é.crt", key: {file: /etc/k.pem}}'),
    _gateway("    observability: {metrics: {}}\n").replace("match: /r", "match: /"),
    _gateway("    observability: {metrics: {}}\n").replace("match: /r", 'match: {path: {regex: "/met.*"}}'),
    _gateway("    observability: {request_id: {header: X-Correlation-Id}}\n"),
], ids=["non-ascii-path", "non-ascii-regex", "tab-in-header-value", "non-ascii-file", "metrics-under-catch-all",
        "metrics-matched-by-regex", "request-id-header"])
def test_still_accepted(tmp_path, text):
    (tmp_path / "gateway.yml").write_text(text, encoding="utf-8")
    c = compile_spec(str(tmp_path / "gateway.yml"))
    assert c.ok, [str(d) for d in c.diagnostics]
