"""One row per feature: spec fragment -> expected kong.yml fragment | expected capability error."""
from __future__ import annotations

import json
import textwrap

import pytest

import kong_harness as harness
import kongcheck

BASE = """\
version: 1
services:
  svc:
{service}
{services}
gateways:
  gw:
    listeners:
{listeners}
{gateway}
    routes:
      - name: r
{route}
"""


def spec(route: str = "match: {path: /api}\nservice: svc", service: str = "url: http://svc.internal:8080",
         gateway: str = "", services: str = "", listeners: str = "- port: 8080") -> str:
    return BASE.format(route=textwrap.indent(route, " " * 8), service=textwrap.indent(service, " " * 4),
                       gateway=textwrap.indent(gateway, " " * 4), services=textwrap.indent(services, "  "),
                       listeners=textwrap.indent(listeners, " " * 6))


def subset(want, got) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and subset(v, got[k]) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(subset, want, got))
    return want == got


def svc(doc, name="r"):
    return next(s for s in doc["services"] if s["name"] == name)


def plugin(doc, name, owner="r"):
    ps = doc.get("plugins", []) if owner is None else svc(doc, owner).get("plugins", [])
    return next((p for p in ps if p["name"] == name), None)


# (id, spec text, kind, expectation)
CASES = [
    # --- routing ---------------------------------------------------------------------
    ("path-prefix", spec(), "route", {"paths": ["~/api(?:/|$)"], "strip_path": False, "path_handling": "v0"}),
    ("path-root", spec("match: {path: /}\nservice: svc"), "route", {"paths": ["~/"]}),
    ("path-exact", spec("match: {path: {exact: /api/v1.0}}\nservice: svc"), "route", {"paths": ["~/api/v1\\.0$"]}),
    ("path-regex", spec("match: {path: {regex: '/api/[0-9]+'}}\nservice: svc"), "route",
     {"paths": ["~/api/[0-9]+$"]}),
    ("path-regex-alternatives", spec("match: {path: {regex: '/a|/b/c'}}\nservice: svc"), "route",
     {"paths": ["~/(?:a|b/c)$"]}),
    ("path-regex-no-slash", spec("match: {path: {regex: '[a-z/]+'}}\nservice: svc"), "error",
     "must start with a literal '/'"),
    ("method", spec("match: {path: /api, methods: [POST, GET]}\nservice: svc"), "route", {"methods": ["GET", "POST"]}),
    ("header-exact", spec("match: {path: /api, headers: {X-Env: prod}}\nservice: svc"), "route",
     {"headers": {"x-env": ["prod"]}}),
    ("header-regex", spec("match:\n  path: /api\n  headers: [{name: x-v, regex: '[0-9]+'}]\nservice: svc"), "route",
     {"headers": {"x-v": ["~*^(?:[0-9]+)$"]}}),
    ("header-regex-upper-escape", spec("match:\n  path: /api\n  headers: [{name: x-v, regex: '\\\\D+'}]\nservice: svc"),
     "error", "lower-cases header regexes"),
    ("header-host", spec("match: {path: /api, headers: {host: a.example.com}}\nservice: svc"), "error",
     "Host header"),
    ("query", spec("match: {path: /api, query: {format: csv}}\nservice: svc"), "error", "routing.query"),
    ("hostname", spec("hostnames: [api.example.com]\nmatch: {path: /api}\nservice: svc"), "route",
     {"hosts": ["api.example.com"]}),
    ("hostname-wildcard", spec("hostnames: ['*.example.com']\nmatch: {path: /api}\nservice: svc"), "route",
     {"hosts": ["*.example.com"]}),
    # --- actions and rewrites ---------------------------------------------------------------
    ("strip-prefix", spec("match: {path: /api}\nservice: svc\nrewrite: {path: {strip_prefix: true}}"), "route",
     {"strip_path": True}),
    ("replace-prefix", spec("match: {path: /api}\nservice: svc\nrewrite: {path: {replace_prefix: /v2}}",
                            service="url: http://svc.internal:8080/base"), "service", {"path": "/base/v2"}),
    ("full-path", spec("match: {path: /api}\nservice: svc\nrewrite: {path: {full: /x}}"), "plugin",
     ("request-transformer", {"replace": {"uri": "/x"}})),
    ("host-rewrite", spec("match: {path: /api}\nservice: svc\nrewrite: {hostname: b.internal}"), "plugin",
     ("request-transformer", {"replace": {"headers": ["host:b.internal"]}})),
    ("redirect", spec("match: {path: /api}\nredirect: {hostname: example.com}"), "plugin",
     ("redirect", {"keep_incoming_path": True, "location": "http://example.com:8080", "status_code": 302})),
    ("respond", spec("match: {path: /api}\nrespond: {status: 418, body: {tea: true}}"), "plugin",
     ("request-termination", {"status_code": 418, "body": '{"tea":true}', "content_type": "application/json"})),
    ("aggregate", spec("match: {path: /api}\naggregate: {parts: [{key: a, service: svc, path: /a}]}"), "error",
     "(aggregation)"),
    ("not-found", spec(gateway="not_found: {status: 404, body: {error: nope}}"), "plugin",
     ("request-termination", {"status_code": 404, "body": '{"error":"nope"}'}), ),
    # --- upstreams ----------------------------------------------------------------------------
    ("weighted", spec(service="targets:\n  - {url: http://a.internal:1, weight: 3}\n  - {url: 'http://[::1]:2'}"),
     "upstream", {"targets": [{"target": "[::1]:2", "weight": 1}, {"target": "a.internal:1", "weight": 3}]}),
    ("timeouts", spec(service="url: http://svc.internal\ntimeouts: {connect: 1s, read: 2s, send: 3s}"), "service",
     {"connect_timeout": 1000, "read_timeout": 2000, "write_timeout": 3000}),
    ("route-timeouts", spec("match: {path: /api}\nservice: svc\npolicies: {timeouts: {read: 5s}}",
                            service="url: http://svc.internal\ntimeouts: {connect: 1s, read: 2s}"),
     "service", {"connect_timeout": 1000, "read_timeout": 5000, "write_timeout": 60000}),
    # Kong's timeouts apply to each try: per_try caps every one of them
    ("per-try-timeout", spec("match: {path: /api}\nservice: svc\npolicies: {timeouts: {per_try: 1500ms}}",
                             service="url: http://svc.internal\ntimeouts: {connect: 1s, read: 2s}"),
     "service", {"connect_timeout": 1000, "read_timeout": 1500, "write_timeout": 1500}),
    ("request-timeout", spec(service="url: http://svc.internal\ntimeouts: {request: 5s}"), "error",
     "upstream.request_timeout"),
    ("retries", spec(service="url: http://svc.internal\nretries: {attempts: 3}"), "service", {"retries": 2}),
    ("no-retries", spec(), "service", {"retries": 0}),
    ("retry-backoff", spec(service="url: http://svc.internal\nretries: {attempts: 3, backoff: {}}"), "error",
     "upstream.retry.backoff"),
    ("health-check", spec(service="url: http://svc.internal\nhealth_check: {path: /hz, interval: 5s, timeout: 500ms}"),
     "upstream", {"healthchecks": {"active": {"http_path": "/hz", "timeout": 1,
                                              "healthy": {"interval": 5, "successes": 2, "http_statuses": [200]},
                                              "unhealthy": {"interval": 5, "http_failures": 3}}}}),
    ("circuit-breaker", spec(service="url: http://svc.internal\n"
                                     "circuit_breaker: {consecutive_failures: 4, open_for: 20s}"),
     "upstream", {"healthchecks": {"passive": {"unhealthy": {"http_failures": 4, "tcp_failures": 4, "timeouts": 4,
                                                             "http_statuses": [500, 502, 503, 504]}},
                                   "active": {"unhealthy": {"interval": 20}, "healthy": {"successes": 1}}}}),
    ("circuit-breaker-percent", spec(service="url: http://svc.internal\n"
                                             "circuit_breaker: {failure_percent: 50}"), "error", "failure_percent"),
    # --- auth -----------------------------------------------------------------------------------
    ("jwt-hmac", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                      "secret: {env: JWT_KEY}, issuer: me}"), "plugin",
     ("jwt", {"key_claim_name": "iss", "claims_to_verify": ["exp"], "header_names": ["authorization"],
              "uri_param_names": []})),
    ("jwt-hmac-consumer", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS384], "
                               "secret: {env: JWT_KEY}, issuer: me}"), "consumer",
     ("jwt~DECK_JWT_KEY", {"jwt_secrets": [{"algorithm": "HS384", "key": "me", "secret": "mock-DECK_JWT_KEY"}],
                           "acls": [{"group": "jwt~DECK_JWT_KEY"}]})),
    ("jwt-acl", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                     "secret: {env: JWT_KEY}, issuer: me}"), "plugin", ("acl", {"allow": ["jwt~DECK_JWT_KEY"]})),
    ("jwt-no-issuer", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                           "secret: {env: K}}"), "error", "without `issuer`"),
    ("jwt-audience", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                          "secret: {env: K}, issuer: me, audiences: [x]}"), "error", "`aud`"),
    ("jwt-forward-claims", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                                "secret: {env: K}, issuer: me, forward_claims: {sub: x-user}}"), "error",
     "auth.jwt.forward_claims"),
    ("jwt-jwks-url", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: "
                          "{algorithms: [RS256], jwks: {url: 'https://idp.example.com/jwks'}}"),
     "error", "auth.jwt.jwks_url"),
    ("jwt-query-token", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                             "secret: {env: K}, issuer: me, token: {query: t}}"), "plugin",
     ("jwt", {"uri_param_names": ["t"], "header_names": [], "cookie_names": []})),
    ("jwt-secret-file", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                             "secret: {file: /run/s}, issuer: me}"), "error", "secret file"),
    ("jwt-require-exp-false", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: "
                                   "[HS256], secret: {env: K}, issuer: me, require_exp: false}"), "error",
     "`require_exp: false`"),
    ("jwt-hide-header", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                             "secret: {env: K}, issuer: me, hide_credentials: true}"), "plugin",
     ("request-transformer", {"remove": {"headers": ["authorization"], "querystring": [], "body": []}})),
    ("jwt-hide-query", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                            "secret: {env: K}, issuer: me, token: {query: t}, hide_credentials: true}\n"
                            "  request: {headers: {set: {X-A: '1'}}}"), "plugin",
     ("request-transformer", {"remove": {"headers": [], "querystring": ["t"], "body": []},
                              "replace": {"headers": ["X-A:1"]}})),
    ("jwt-hide-cookie", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                             "secret: {env: K}, issuer: me, token: {cookie: s}, hide_credentials: true}"), "error",
     "not one cookie"),
    ("api-key", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    api_key: {header: X-Key, "
                     "keys: {env: KEYS}}"), "plugin",
     ("key-auth", {"key_names": ["X-Key"], "key_in_header": True, "key_in_query": False, "key_in_body": False})),
    ("api-key-consumer", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    api_key: {query: k, "
                              "keys: {env: DECK_KEYS}}"), "consumer",
     ("key-auth~DECK_KEYS", {"keyauth_credentials": [{"key": "mock-DECK_KEYS"}]})),
    ("api-key-file", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    api_key: {header: X-Key, "
                          "keys: {file: /etc/keys}}"), "error", "secret file"),
    ("basic", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    basic: {credentials: {env: B}, "
                   "realm: shop}"), "consumer",
     ("basic-auth~DECK_B", {"basicauth_credentials": [{"username": "mock-DECK_B_USERNAME",
                                                       "password": "mock-DECK_B_PASSWORD"}]})),
    ("api-key-hide", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    api_key: {query: k, "
                          "keys: {env: KEYS}, hide_credentials: true}"), "plugin",
     ("key-auth", {"hide_credentials": True, "key_names": ["k"], "key_in_query": True})),
    ("basic-hide", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    basic: {credentials: {env: B}, "
                        "hide_credentials: true}"), "plugin", ("basic-auth", {"hide_credentials": True})),
    ("basic-plugin", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    basic: {credentials: {env: B}, "
                          "realm: shop}"), "plugin", ("basic-auth", {"realm": "shop", "hide_credentials": False})),
    ("any-of", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    any_of:\n"
                    "      - api_key: {header: X-Key, keys: {env: KEYS}}\n      - basic: {credentials: {env: B}}"),
     "plugin", ("acl", {"allow": ["basic-auth~DECK_B", "key-auth~DECK_KEYS"]})),
    ("any-of-anonymous", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    any_of:\n"
                              "      - api_key: {header: X-Key, keys: {env: KEYS}}\n"
                              "      - basic: {credentials: {env: B}}"),
     "consumer", ("gatewayc~anonymous", {})),
    ("all-of", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    all_of:\n"
                    "      - api_key: {header: X-Key, keys: {env: KEYS}}\n      - basic: {credentials: {env: B}}"),
     "error", "auth.all_of"),
    # --- traffic ----------------------------------------------------------------------------------
    ("rate-fixed", spec("match: {path: /api}\nservice: svc\npolicies:\n  rate_limit: {requests: 10, per: 1m, "
                        "algorithm: fixed_window}"), "plugin",
     ("rate-limiting", {"minute": 10, "limit_by": "ip", "policy": "local", "error_code": 429,
                        "error_message": "Too Many Requests"})),
    ("rate-token-bucket", spec("match: {path: /api}\nservice: svc\npolicies:\n  rate_limit: {requests: 5, per: 1s}"),
     "note", "rate_limit.token_bucket) is emulated"),
    ("rate-odd-period", spec("match: {path: /api}\nservice: svc\npolicies:\n  rate_limit: {requests: 100, per: 10s}"),
     "plugin", ("rate-limiting", {"second": 10})),
    ("rate-header", spec("match: {path: /api}\nservice: svc\npolicies:\n  rate_limit: {requests: 10, per: 1h, "
                         "key: {header: X-Tenant}}"), "plugin",
     ("rate-limiting", {"hour": 10, "limit_by": "header", "header_name": "x-tenant"})),
    ("rate-consumer", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    api_key: {header: X-Key, "
                           "keys: {env: KEYS}}\n  rate_limit: {requests: 10, per: 1d, key: consumer}"), "plugin",
     ("rate-limiting", {"day": 10, "limit_by": "consumer"})),
    ("rate-claim", spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                        "secret: {env: K}, issuer: me}\n  rate_limit: {requests: 10, per: 1m, key: {claim: sub}}"),
     "error", "rate_limit.key.claim"),
    ("rate-shared", spec("match: {path: /api}\nservice: svc\npolicies:\n  rate_limit: {requests: 10, per: 1m, "
                         "store: {redis: {address: 'r.internal:6379'}}}"), "plugin",
     ("rate-limiting", {"minute": 10, "policy": "redis", "sync_rate": -1,
                        "redis": {"host": "r.internal", "port": 6379, "database": 0, "timeout": 2000}})),
    ("mirror", spec("match: {path: /api}\nservice: svc\nmirror: {service: shadow, percent: 5}",
                    services="shadow: {url: http://shadow.internal}"), "error", "(mirror)"),
    ("concurrency", spec("match: {path: /api}\nservice: svc\npolicies:\n  concurrency_limit: {max: 5}"), "error",
     "(concurrency_limit)"),
    ("cache", spec("match: {path: /api}\nservice: svc\npolicies:\n  cache: {ttl: 90s, vary: {headers: [Accept], "
                   "query: [page]}}"), "plugin",
     ("proxy-cache", {"strategy": "memory", "cache_ttl": 90, "request_method": ["GET", "HEAD"],
                      "response_code": [200], "vary_headers": ["accept"], "vary_query_params": ["page"]})),
    ("cors", spec("match: {path: /api}\nservice: svc\npolicies:\n  cors: {origins: ['https://a.example.com', "
                  "'https://*.example.org'], credentials: true, max_age: 1h}"), "plugin",
     ("cors", {"origins": ["https://a.example.com", "https://[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.example\\.org"],
               "credentials": True, "max_age": 3600, "methods": ["GET", "HEAD", "POST"], "headers": ["Accept"]})),
    # "*": every method Kong knows, and the empty header list with which Kong answers what is asked
    ("cors-any", spec("match: {path: /api}\nservice: svc\npolicies:\n  cors: {origins: ['*'], methods: ['*'], "
                      "headers: ['*'], expose_headers: ['*']}"), "plugin",
     ("cors", {"origins": ["*"], "credentials": False, "headers": [], "exposed_headers": ["*"],
               "methods": ["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"]})),
    ("ip-filter", spec("match: {path: /api}\nservice: svc\npolicies:\n  ip: {deny: [192.0.2.0/24]}"), "plugin",
     ("ip-restriction", {"deny": ["192.0.2.0/24"], "status": 403})),
    ("body-limit", spec("match: {path: /api}\nservice: svc\npolicies:\n  body_limit: 10KB"), "plugin",
     ("request-size-limiting", {"allowed_payload_size": 10240, "size_unit": "bytes"})),
    ("request-headers", spec("match: {path: /api}\nservice: svc\npolicies:\n  request:\n    headers: {set: {x-a: '1'}, "
                             "add: {x-b: '2'}, remove: [x-c], rename: {x-d: x-e}}"), "plugin",
     ("request-transformer", {"replace": {"headers": ["x-a:1"]}, "add": {"headers": ["x-a:1"]},
                              "append": {"headers": ["x-b:2"]}, "remove": {"headers": ["x-c"]},
                              "rename": {"headers": ["x-d:x-e"]}})),
    ("request-query", spec("match: {path: /api}\nservice: svc\npolicies:\n  request:\n    query: {remove: [debug]}"),
     "plugin", ("request-transformer", {"remove": {"querystring": ["debug"]}})),
    ("request-template", spec("match: {path: /api}\nservice: svc\npolicies:\n  request:\n    headers: "
                              "{set: {x-a: '$(uri_captures)'}}"), "error", "template"),
    # --- redirects: Kong 3.9+'s redirect plugin ---------------------------------------------------
    ("redirect-host", spec("hostnames: [www.example.com]\nmatch: {path: /}\nredirect: {hostname: example.com, "
                           "status: 301}"), "plugin",
     ("redirect", {"keep_incoming_path": True, "location": "http://example.com:8080", "status_code": 301})),
    ("redirect-https", spec("match: {path: /}\nredirect: {scheme: https, hostname: example.com}",
                            listeners="- port: 80"), "plugin",
     ("redirect", {"keep_incoming_path": True, "location": "https://example.com", "status_code": 302})),
    ("redirect-route-host", spec("hostnames: [old.example.com]\nmatch: {path: /}\nredirect: {scheme: https, "
                                 "port: 8443, status: 308}"), "plugin",
     ("redirect", {"keep_incoming_path": True, "location": "https://old.example.com:8443", "status_code": 308})),
    ("redirect-prefix", spec("match: {path: /blog}\nredirect: {hostname: example.com, path: {replace_prefix: "
                             "/articles}}"), "error", "replace_prefix"),
    ("redirect-full-path", spec("match: {path: /old}\nredirect: {hostname: example.com, path: {full: /}}"),
     "error", "query string"),
    ("redirect-unknown-host", spec("match: {path: /}\nredirect: {scheme: https}"), "error", "request's host"),
    ("redirect-two-ports", spec("match: {path: /}\nredirect: {hostname: example.com}",
                                listeners="- port: 8080\n- port: 8081"), "error", "request's port"),
    ("request-body-rename", spec("match: {path: /api}\nservice: svc\npolicies:\n  request:\n    body: "
                                 "{rename: {user_id: userId, b: c}}"), "plugin",
     ("request-transformer", {"rename": {"body": ["user_id:userId", "b:c"], "headers": [], "querystring": []},
                              "add": {"body": []}})),
    ("request-body-cast", spec("match: {path: /api}\nservice: svc\npolicies:\n  request:\n    body: "
                               "{rename: {a: b}, cast: {b: number}}"), "error", "(transform.request.body)"),
    ("request-body-nested", spec("match: {path: /api}\nservice: svc\npolicies:\n  request:\n    body: "
                                 "{rename: {customer.name: name}}"), "error", "top-level fields only"),
    ("request-body-colon", spec("match: {path: /api}\nservice: svc\npolicies:\n  request:\n    body: "
                                "{rename: {'a:b': c}}"), "error", "no ':'"),
    ("response-headers", spec("match: {path: /api}\nservice: svc\npolicies:\n  response:\n    headers: "
                              "{set: {x-a: '1'}, remove: [server]}"), "plugin",
     ("response-transformer", {"replace": {"headers": ["x-a:1"]}, "add": {"headers": ["x-a:1"]},
                               "remove": {"headers": ["server"]}})),
    ("validation", spec("match: {path: /api}\nservice: svc\npolicies:\n  validation: {required_headers: [x-a]}"),
     "error", "validation.required"),
    # --- gateway ---------------------------------------------------------------------------------
    ("metrics", spec(gateway="observability: {metrics: {}}"), "global",
     ("prometheus", {"status_code_metrics": True, "latency_metrics": True})),
    ("request-id", spec(gateway="observability: {request_id: {header: X-Req}}"), "global",
     ("correlation-id", {"header_name": "X-Req", "generator": "uuid", "echo_downstream": True})),
    ("access-log", spec(gateway="observability: {access_log: {}}"), "error", "observability.access_log"),
    ("tracing", spec(gateway="observability: {tracing: {otlp: {endpoint: 'http://127.0.0.1:4317'}}}"), "error",
     "observability.tracing"),
    ("tls", spec(listeners="- port: 8443\n  tls: {certificate: cert.pem, key: {env: TLS_KEY}}"), "note",
     "KONG_SSL_CERT=cert.pem"),
]


def _params():
    for c in CASES:
        if hasattr(c, "marks"):  # pytest.param(id, text, kind, want, marks=...)
            yield pytest.param(*c.values[1:4], id=c.values[0], marks=c.marks)
        else:
            yield pytest.param(*c[1:4], id=c[0])


@pytest.mark.parametrize("text,kind,want", list(_params()))
def test_feature(tmp_path, text, kind, want):
    built = harness.build_text(tmp_path, text)
    messages = [d.message for d in built.diagnostics]
    if kind == "error":
        assert any(want in d.message for d in built.errors), messages
        return
    assert not built.errors, [d.message for d in built.errors]
    if kind == "note":
        assert any(want in m for m in messages), messages
        return
    text_out = built.files["kong.yml"].decode()
    assert kongcheck.check_all(text_out) == []
    doc = built.doc()
    if kind == "route":
        got = svc(doc)["routes"][0]
    elif kind == "service":
        got = svc(doc)
    elif kind == "upstream":
        got = next(u for u in doc["upstreams"] if u["name"] == "svc.upstream")
    elif kind == "plugin":
        name, want = want
        owner = "gatewayc~not-found" if name == "request-termination" and "not_found" in text else "r"
        got = (plugin(doc, name, owner) or {}).get("config")
    elif kind == "global":
        name, want = want
        got = (plugin(doc, name, None) or {}).get("config")
    elif kind == "consumer":
        name, want = want
        got = next((c for c in doc.get("consumers", []) if c["username"] == name), None)
        assert got is not None, [c["username"] for c in doc.get("consumers", [])]
    else:
        raise AssertionError(kind)
    assert subset(want, got), json.dumps(got, indent=1)


def test_auth_can_never_be_accepted(tmp_path):
    text = spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    all_of:\n"
                "      - api_key: {header: X-Key, keys: {env: KEYS}}\n      - basic: {credentials: {env: B}}")
    built = harness.build_text(tmp_path, text, accepted=("auth.all_of",))
    assert any(d.code == "GWC303" for d in built.errors)


def test_require_exp_false_is_a_target_limitation_at_its_jwt_block(tmp_path):
    text = spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt:\n      algorithms: [HS256]\n"
                "      secret: {env: K}\n      issuer: me\n      require_exp: false")
    built = harness.build_text(tmp_path, text)
    [d] = [d for d in built.errors if "require_exp" in d.message]
    assert d.code == "GWC310"
    lines = text.splitlines()
    first = next(i for i, x in enumerate(lines) if x.strip() == "algorithms: [HS256]")  # the jwt block's start
    assert (d.location.line, d.location.col) == (first + 1, lines[first].index("a") + 1), d.location
    # the default (require_exp: true) is what Kong does: exp is verified, so a token needs one
    (tmp_path / "ok").mkdir()
    ok = harness.build_text(tmp_path / "ok", text.replace("      require_exp: false", ""))
    assert not ok.errors
    assert plugin(ok.doc(), "jwt")["config"]["claims_to_verify"] == ["exp"]


def test_credentials_are_forwarded_by_default(tmp_path):
    text = spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    any_of:\n"
                "      - jwt: {algorithms: [HS256], secret: {env: K}, issuer: me}\n"
                "      - api_key: {header: X-Key, keys: {env: KEYS}}")
    built = harness.build_text(tmp_path, text)
    assert not built.errors, [d.message for d in built.errors]
    assert plugin(built.doc(), "key-auth")["config"]["hide_credentials"] is False
    assert plugin(built.doc(), "request-transformer") is None
    assert kongcheck.check_all(built.files["kong.yml"]) == []


def test_any_of_hides_a_credential_whichever_method_succeeded(tmp_path):
    """key-auth hides only a key it authenticated; under any_of a request that passed by its
    JWT may still carry a (wrong) key, which the spec removes all the same."""
    text = spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    any_of:\n"
                "      - jwt: {algorithms: [HS256], secret: {env: K}, issuer: me}\n"
                "      - api_key: {query: key, keys: {env: KEYS}, hide_credentials: true}\n"
                "      - basic: {credentials: {env: B}, hide_credentials: true}")
    built = harness.build_text(tmp_path, text)
    assert not built.errors, [d.message for d in built.errors]
    doc = built.doc()
    assert kongcheck.check_all(built.files["kong.yml"]) == []
    assert plugin(doc, "key-auth")["config"]["hide_credentials"] is True
    assert plugin(doc, "basic-auth")["config"]["hide_credentials"] is True
    remove = plugin(doc, "request-transformer")["config"]["remove"]
    assert remove["querystring"] == ["key"] and remove["headers"] == ["authorization"]


def test_forwarded_claims_stay_refused_on_every_route(tmp_path):
    """M5 wants a claim header stripped from client requests on every route of the gateway;
    Kong cannot forward claims at all, and auth is never accepted away, so no kong.yml can
    exist in which a sibling route passes a forged claim header."""
    text = spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [HS256], "
                "secret: {env: K}, issuer: me, forward_claims: {sub: X-User-Id}}")
    built = harness.build_text(tmp_path, text, accepted=("auth.jwt.forward_claims",))
    assert any(d.code == "GWC303" for d in built.errors)
    assert any("auth.jwt.forward_claims" in d.message for d in built.errors)


def test_jwks_file_becomes_pem_credentials(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    def b64(n: int, size: int | None = None) -> str:
        import base64
        raw = n.to_bytes(size or (n.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    rk = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    ek = ec.generate_private_key(ec.SECP256R1()).public_key()
    jwks = {"keys": [
        {"kty": "RSA", "kid": "r1", "alg": "RS256", "n": b64(rk.public_numbers().n), "e": b64(rk.public_numbers().e)},
        {"kty": "EC", "kid": "e1", "crv": "P-256", "x": b64(ek.public_numbers().x, 32),
         "y": b64(ek.public_numbers().y, 32)},
    ]}
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    text = spec("match: {path: /api}\nservice: svc\npolicies:\n  auth:\n    jwt: {algorithms: [RS256, ES256], "
                "jwks: {file: jwks.json}}")
    built = harness.build_text(tmp_path, text)
    assert not built.errors, [d.message for d in built.errors]
    doc = built.doc()
    assert kongcheck.check_all(built.files["kong.yml"]) == []
    assert plugin(doc, "jwt")["config"]["key_claim_name"] == "kid"
    creds = {c["key"]: c for c in doc["consumers"][0]["jwt_secrets"]}
    assert creds["r1"]["algorithm"] == "RS256" and creds["e1"]["algorithm"] == "ES256"
    for key, pub in (("r1", rk), ("e1", ek)):
        loaded = serialization.load_pem_public_key(creds[key]["rsa_public_key"].encode())
        assert loaded.public_numbers() == pub.public_numbers()


def test_a_redirect_kong_cannot_express_can_be_accepted_away(tmp_path):
    """Accepting `action.redirect` leaves out the redirects Kong cannot express (GWC302) and keeps
    the ones it can; without it they are refused (GWC310)."""
    text = spec("match: {path: /blog}\nredirect: {hostname: example.com, path: {replace_prefix: /articles}}",
                gateway="") + "      - name: ok\n        match: {path: /}\n        redirect: {hostname: example.com}\n"
    refused = harness.build_text(tmp_path, text)
    assert [d.code for d in refused.errors] == ["GWC310"]
    accepted = harness.build_text(tmp_path, text, ("action.redirect",))
    assert not accepted.errors and [d.code for d in accepted.diagnostics if d.code == "GWC302"] == ["GWC302"]
    names = {s["name"] for s in accepted.doc()["services"]}
    assert "ok" in names and "r" not in names
