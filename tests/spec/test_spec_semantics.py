"""Meaning: precedence, prefix rules, policy inheritance, and the IR's shape."""
from __future__ import annotations

import dataclasses
import textwrap

import pytest

from gatewayc.compiler import compile_spec
from gatewayc.ir import model as ir
from gatewayc.ir.precedence import dispatch_for_host, match_key


@pytest.fixture
def compile_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def run(text: str):
        (tmp_path / "spec.yml").write_text(textwrap.dedent(text))
        return compile_spec("spec.yml")

    return run


def ok(c):
    assert c.ok, [(d.code, d.message, str(d.location)) for d in c.diagnostics]
    return c.ir


def errors(c):
    return [(d.code, d.location.line, d.location.col) for d in c.diagnostics if d.is_error]


HEAD = textwrap.dedent("""\
    version: 1
    services:
      s: {url: 'http://127.0.0.1:3001'}
    gateways:
      web:
        listeners: [{port: 8080}]
        routes:
    """)


def routes(*lines: str) -> str:
    return HEAD + "".join(f"      - {line}\n" for line in lines)


# --- precedence ------------------------------------------------------------------------
def test_precedence_order(compile_text):
    # written in scrambled order; the dispatch table must come out in Gateway API order
    spec = routes(
        "{name: plain,     match: {path: /api}, service: s}",
        "{name: order-b,   match: {path: /bbb}, service: s}",
        "{name: query,     match: {path: /api, query: {q: '1'}}, service: s}",
        "{name: headers1,  match: {path: /api, headers: {x-a: '1'}}, service: s}",
        "{name: method,    match: {path: /api, methods: [GET]}, service: s}",
        "{name: headers2,  match: {path: /api, headers: {x-a: '1', x-b: '2'}}, service: s}",
        "{name: longer,    match: {path: /api/users}, service: s}",
        "{name: regex,     match: {path: {regex: '/api/[a-z]+'}}, service: s}",
        "{name: regex-long, match: {path: {regex: '/api/users/[0-9]+'}}, service: s}",
        "{name: exact,     match: {path: {exact: /api/users/me}}, service: s}",
        "{name: order-a,   match: {path: /aaa}, service: s}",
    )
    gw = ok(compile_text(spec)).gateways[0]
    assert [d.route.name for d in gw.dispatch] == [
        "exact",      # Exact first
        "regex-long", "regex",  # then regex, longer first
        "longer",     # then the longer prefix
        "method",     # same prefix: a method match wins
        "headers2", "headers1",  # then more header matches
        "query",      # then more query matches
        "plain",
        "order-b", "order-a",  # equal rank: spec order
    ]
    # the spec-order list is kept too
    assert [r.name for r in gw.routes][:2] == ["plain", "order-b"]
    assert [r.index for r in gw.routes] == list(range(11))


@pytest.mark.parametrize(("a", "b"), [
    (("exact", "/a"), ("regex", "/a/b/c/d/e")),
    (("regex", "/a"), ("prefix", "/a/b/c/d/e")),
    (("prefix", "/a/b"), ("prefix", "/a")),
])
def test_match_key_ranks(a, b):
    ma = ir.Match(ir.PathMatch(*a), (), (), ())
    mb = ir.Match(ir.PathMatch(*b), (), (), ())
    assert match_key(ma) < match_key(mb)


def test_hostname_specificity(compile_text):
    spec = routes(
        "{name: any-host,  match: {path: {exact: /x}}, service: s}",
        "{name: wildcard,  hostnames: ['*.example.com'], match: {path: /}, service: s}",
        "{name: exact-host, hostnames: [api.example.com], match: {path: /}, service: s}",
    )
    gw = ok(compile_text(spec)).gateways[0]
    # a request to api.example.com: the exact hostname beats the wildcard, which beats
    # host-less routes -- even though the host-less route has the more specific path
    assert [d.route.name for d in dispatch_for_host(gw, "api.example.com")] == ["exact-host", "wildcard", "any-host"]
    assert [d.route.name for d in dispatch_for_host(gw, "*.example.com")] == ["wildcard", "any-host"]
    assert [d.route.name for d in dispatch_for_host(gw, None)] == ["any-host"]


def test_routes_inherit_gateway_hostnames(compile_text):
    spec = HEAD.replace("    routes:", "    hostnames: [a.example.com]\n    routes:") + \
        "      - {name: r1, service: s}\n      - {name: r2, match: {path: /x}, hostnames: [b.example.com], service: s}\n"
    gw = ok(compile_text(spec)).gateways[0]
    assert [r.hostnames for r in gw.routes] == [("a.example.com",), ("b.example.com",)]


def test_different_hostnames_do_not_conflict(compile_text):
    spec = routes(
        "{name: a, hostnames: [a.example.com], match: {path: /x}, service: s}",
        "{name: b, hostnames: [b.example.com], match: {path: /x}, respond: {status: 204}}",
    )
    ok(compile_text(spec))


def test_same_match_same_action_is_shadowed_not_conflict(compile_text):
    c = compile_text(routes("{name: a, match: {path: /x}, service: s}", "{name: b, match: {path: /x}, service: s}"))
    assert errors(c) == [("GWC203", 9, 26)]


def test_multi_match_route_shadowed_per_match(compile_text):
    c = compile_text(routes(
        "{name: a, match: {path: /x}, service: s}",
        "{name: b, match: [{path: /y}, {path: /x}], respond: {status: 204}}",
    ))
    assert [d.code for d in c.diagnostics if d.is_error] == ["GWC202"]


# --- segment-wise prefixes ------------------------------------------------------------------
def test_prefix_with_trailing_slash_means_the_same_as_without(compile_text):
    # Gateway API: "a trailing `/` is ignored"; the match keeps pointing at what was written
    gw = ok(compile_text(routes("{name: a, match: {path: {prefix: /v2/}}, service: s}",
                                "{name: b, match: /v3/, service: s}"))).gateways[0]
    assert [r.matches[0].path for r in gw.routes] == [ir.PathMatch("prefix", "/v2"), ir.PathMatch("prefix", "/v3")]
    assert (gw.routes[0].matches[0].loc.line, gw.routes[0].matches[0].loc.col) == (8, 26)


def test_prefix_with_and_without_trailing_slash_conflict(compile_text):
    c = compile_text(routes("{name: a, match: {path: /v2}, service: s}",
                            "{name: b, match: {path: /v2/}, respond: {status: 204}}",
                            "{name: c, match: {path: /v2/}, service: s}"))
    assert errors(c) == [("GWC202", 9, 26), ("GWC203", 10, 26)]


def test_exact_path_keeps_its_trailing_slash(compile_text):
    gw = ok(compile_text(routes("{name: a, match: {path: {exact: /v2/}}, service: s}",
                                "{name: b, match: {path: {exact: /v2}}, service: s}"))).gateways[0]
    assert sorted(m.path.value for r in gw.routes for m in r.matches) == ["/v2", "/v2/"]


def test_root_prefix_is_fine_and_default(compile_text):
    gw = ok(compile_text(routes("{name: a, service: s}", "{name: b, match: {path: /v2}, service: s}"))).gateways[0]
    assert gw.routes[0].matches[0].path == ir.PathMatch("prefix", "/")


def test_prefixes_are_segments_not_strings(compile_text):
    # /users and /users2 are different segments: neither shadows the other
    ok(compile_text(routes(
        "{name: a, match: {path: /users}, service: s}",
        "{name: b, match: {path: /users2}, respond: {status: 204}}",
    )))


@pytest.mark.parametrize("path", ["/a//b", "/a/../b", "/a/./b", "/a?x=1", "/a#f", "/a b", "a"])
def test_bad_paths(compile_text, path):
    c = compile_text(routes(f"{{name: a, match: {{path: {{exact: '{path}'}}}}, service: s}}"))
    assert [e[0] for e in errors(c)] == ["GWC111"]


# --- policy inheritance --------------------------------------------------------------------
INHERIT = """\
    version: 1
    services:
      plain: {url: 'http://127.0.0.1:3001'}
      limited:
        url: 'http://127.0.0.1:3002'
        policies:
          rate_limit: {requests: 50, per: 1s}
          cache: {ttl: 30s}
      unlimited:
        url: 'http://127.0.0.1:3003'
        policies:
          rate_limit: false
    policies:
      strict:
        rate_limit: {requests: 1, per: 1s}
        cors: {origins: ['https://app.example.com']}
    gateways:
      web:
        listeners: [{port: 8080}]
        policies:
          auth:
            api_key: {header: X-Api-Key, keys: {env: API_KEYS}}
          rate_limit: {requests: 100, per: 1m}
        routes:
          - {name: gateway-only, match: {path: /a}, service: plain}
          - {name: service-level, match: {path: /b}, service: limited}
          - {name: service-off, match: {path: /c}, service: unlimited}
          - {name: route-level, match: {path: /d}, service: limited, policies: {rate_limit: {requests: 7, per: 1s}}}
          - {name: route-off, match: {path: /e}, service: limited, policies: {rate_limit: false, cache: false}}
          - {name: named-set, match: {path: /f}, service: limited, policies: {use: [strict]}}
          - {name: set-then-own, match: {path: /g}, service: plain, policies: {use: [strict], rate_limit: {requests: 9, per: 1s}}}
          - {name: anonymous, match: {path: /h}, service: plain, policies: {auth: anonymous}}
          - {name: redirect, match: {path: /i}, redirect: {hostname: example.com}}
    """

# route -> (rate limit requests or None, period ms, cache?, cors?, auth?)
INHERIT_TABLE = [
    ("gateway-only", 100, 60_000, False, False, True),
    ("service-level", 50, 1_000, True, False, True),
    ("service-off", None, None, False, False, True),
    ("route-level", 7, 1_000, True, False, True),
    ("route-off", None, None, False, False, True),
    ("named-set", 1, 1_000, True, True, True),
    ("set-then-own", 9, 1_000, False, True, True),
    ("anonymous", 100, 60_000, False, False, False),
    ("redirect", 100, 60_000, False, False, True),
]


@pytest.mark.parametrize(("name", "requests", "period", "cache", "cors", "auth"), INHERIT_TABLE,
                         ids=[r[0] for r in INHERIT_TABLE])
def test_policy_inheritance(compile_text, name, requests, period, cache, cors, auth):
    gw = ok(compile_text(INHERIT)).gateways[0]
    r = next(r for r in gw.routes if r.name == name)
    p = r.policies
    assert (p.rate_limit.requests if p.rate_limit else None) == requests
    assert (p.rate_limit.period_ms if p.rate_limit else None) == period
    assert (p.cache is not None, p.cors is not None, p.auth is not None) == (cache, cors, auth)
    if auth:
        assert isinstance(p.auth.method, ir.ApiKeyAuth) and p.auth.method.keys == ir.SecretRef("env", "API_KEYS")


def test_inherited_policy_points_at_where_it_was_written(compile_text):
    gw = ok(compile_text(INHERIT)).gateways[0]
    by = {r.name: r for r in gw.routes}
    assert by["gateway-only"].policies.rate_limit.loc.line == 23
    assert by["service-level"].policies.rate_limit.loc.line == 7
    assert by["named-set"].policies.rate_limit.loc.line == 15


def test_auth_false_is_not_the_way_to_switch_off(compile_text):
    c = compile_text(INHERIT.replace("policies: {auth: anonymous}", "policies: {auth: false}"))
    assert not c.ok and [e[0] for e in errors(c)] == ["GWC101"]


# --- the IR ---------------------------------------------------------------------------------------
UNITS = """\
    version: 1
    services:
      s:
        url: 'http://127.0.0.1:3001/base/'
        timeouts: {connect: 250ms, read: 1m30s, send: 1.5s, request: 1h}
        retries: {attempts: 3, backoff: {base: 10ms, max: 2s}}
        health_check: {interval: 5s, timeout: 1s}
    gateways:
      web:
        listeners: [{port: 8080}]
        routes:
          - name: r
            service: s
            policies:
              body_limit: 10KB
              rate_limit: {requests: 5, per: 1d}
              cache: {ttl: 15m}
              cors: {origins: ['https://a.example.com'], max_age: 10m}
          - {name: r2, match: {path: /x}, service: s, policies: {body_limit: 2MiB}}
          - {name: r3, match: {path: /y}, service: s, policies: {body_limit: 512}}
          - {name: r4, match: {path: /z}, service: s, policies: {body_limit: 1GB}}
    """


def test_ir_durations_in_ms_and_sizes_in_bytes(compile_text):
    spec = ok(compile_text(UNITS))
    s = spec.services[0]
    assert s.timeouts == ir.Timeouts(250, 90_000, 1_500, 3_600_000)
    assert (s.retry.backoff_base_ms, s.retry.backoff_max_ms) == (10, 2_000)
    assert (s.health_check.interval_ms, s.health_check.timeout_ms) == (5_000, 1_000)
    assert s.targets == (ir.Target("http", "127.0.0.1", 3001, 1, "/base"),)
    r = {r.name: r for r in spec.gateways[0].routes}
    p = r["r"].policies
    assert p.body_limit == 10 * 1024
    assert p.rate_limit.period_ms == 86_400_000
    assert p.cache.ttl_ms == 900_000
    assert p.cors.max_age_ms == 600_000
    assert [r[n].policies.body_limit for n in ("r2", "r3", "r4")] == [2 * 1024**2, 512, 1024**3]


@pytest.mark.parametrize(("value", "code"), [("5", "GWC104"), ("0.5ms", "GWC104"), ("1x", "GWC104"),
                                             ("s", "GWC104"), ("-1s", "GWC104"), ("true", "GWC104")])
def test_bad_durations(compile_text, value, code):
    c = compile_text(UNITS.replace("connect: 250ms", f"connect: {value}"))
    assert [e[0] for e in errors(c)] == [code]


@pytest.mark.parametrize("value", ["10 parsecs", "-1", "1.5MB", "KB", "true"])
def test_bad_sizes(compile_text, value):
    c = compile_text(UNITS.replace("body_limit: 10KB", f"body_limit: {value}"))
    assert [e[0] for e in errors(c)] == ["GWC105"]


def test_ir_is_immutable(compile_text):
    spec = ok(compile_text(UNITS))
    gw = spec.gateways[0]
    route = gw.routes[0]
    for obj, attr, value in [(spec, "gateways", ()), (gw, "name", "x"), (route, "name", "x"),
                             (route.policies, "auth", None), (route.policies.rate_limit, "requests", 1),
                             (spec.services[0], "targets", ()), (route.matches[0].path, "value", "/x")]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, attr, value)
    # containers are tuples, not lists: nothing to append to
    for seq in (spec.gateways, spec.services, gw.routes, gw.dispatch, gw.listeners, route.matches):
        assert isinstance(seq, tuple)


def test_every_ir_dataclass_is_frozen():
    classes = [v for v in vars(ir).values() if dataclasses.is_dataclass(v) and isinstance(v, type)]
    assert len(classes) > 30
    for cls in classes:
        assert cls.__dataclass_params__.frozen, cls.__name__


def test_ir_is_hashable_and_comparable(compile_text):
    a = ok(compile_text(UNITS))
    b = ok(compile_text(UNITS))
    assert a.services == b.services
    hash(a.services[0])


# --- CORS wildcards (Gateway API allowMethods / allowHeaders "*") -----------------------------
def test_cors_wildcards_lower_to_a_lone_star(compile_text):
    r = ok(compile_text(routes("{name: a, service: s, policies: {cors: {origins: ['*'], methods: ['*'], "
                               "headers: ['*'], expose_headers: ['*']}}}"))).gateways[0].routes[0]
    c = r.policies.cors
    assert (c.methods, c.headers, c.expose_headers, c.any_method, c.any_header) == (("*",), ("*",), ("*",), True, True)


@pytest.mark.parametrize("field", ["methods", "headers", "expose_headers"])
def test_cors_wildcard_with_credentials_is_refused(compile_text, field):
    cors = f"{{origins: ['https://a.example.com'], {field}: ['*'], credentials: true}}"
    c = compile_text(routes(f"{{name: a, service: s, policies: {{cors: {cors}}}}}"))
    (d,) = [d for d in c.diagnostics if d.is_error]
    assert (d.code, d.location.line) == ("GWC204", 8) and "credentials" in d.message


@pytest.mark.parametrize("field,values", [("methods", "['*', GET]"), ("headers", "[x-a, '*']")])
def test_cors_wildcard_stands_alone(compile_text, field, values):
    c = compile_text(routes(f"{{name: a, service: s, policies: {{cors: {{origins: ['*'], {field}: {values}}}}}}}"))
    (d,) = [d for d in c.diagnostics if d.is_error]
    assert d.code == "GWC204" and "'*'" in d.message


# --- per-try timeout (Gateway API backendRequest) ---------------------------------------------
def test_per_try_lowers_beside_request(compile_text):
    spec = ok(compile_text(HEAD.replace("{url: 'http://127.0.0.1:3001'}",
                                        "{url: 'http://127.0.0.1:3001', timeouts: {per_try: 500ms, request: 2s}}")
                           + "      - {name: a, service: s}\n"))
    assert spec.services[0].timeouts == ir.Timeouts(request_ms=2000, per_try_ms=500)


def test_per_try_longer_than_request_is_refused(compile_text):
    c = compile_text(HEAD.replace("{url: 'http://127.0.0.1:3001'}",
                                  "{url: 'http://127.0.0.1:3001', timeouts: {per_try: 3s, request: 2s}}")
                     + "      - {name: a, service: s}\n")
    (d,) = [d for d in c.diagnostics if d.is_error]
    assert (d.code, d.location.line) == ("GWC204", 3) and "per_try" in d.message


def test_per_try_is_checked_against_the_request_timeout_it_meets(compile_text):
    # the route's policy sets per_try, the service's field sets request: together they contradict
    c = compile_text(HEAD.replace("{url: 'http://127.0.0.1:3001'}",
                                  "{url: 'http://127.0.0.1:3001', timeouts: {request: 2s}}")
                     + "      - {name: a, service: s, policies: {timeouts: {per_try: 3s}}}\n")
    assert errors(c) == [("GWC204", 8, 52)]


# --- request mirroring (Gateway API RequestMirror) ------------------------------------------
MIRROR = HEAD.replace("  s: {url: 'http://127.0.0.1:3001'}\n",
                      "  s: {url: 'http://127.0.0.1:3001'}\n  shadow: {url: 'http://127.0.0.1:3002'}\n")


def test_mirror_lowers_with_its_service_and_percent(compile_text):
    c = compile_text(MIRROR + "      - {name: a, service: s, mirror: {service: shadow, percent: 10}}\n"
                              "      - {name: b, match: /b, service: s, mirror: {service: shadow}}\n")
    gw = ok(c).gateways[0]
    a, b = (r.action.mirror for r in gw.routes)
    assert (a.service.name, a.percent, b.percent) == ("shadow", 10, 100)
    assert [s.name for s in gw.services] == ["s", "shadow"]  # a service only mirrored to is used
    assert not [d for d in c.diagnostics if d.code == "GWC206"]


def test_mirror_to_an_unknown_service_suggests_one(compile_text):
    c = compile_text(MIRROR + "      - {name: a, service: s, mirror: {service: shadw}}\n")
    (d,) = [d for d in c.diagnostics if d.is_error]
    assert (d.code, d.location.line, d.location.col) == ("GWC200", 9, 49) and "shadow" in d.hint


@pytest.mark.parametrize("route,code", [
    ("{name: a, respond: {status: 204}, mirror: {service: shadow}}", "GWC204"),
    ("{name: a, service: s, mirror: {service: shadow, percent: 0}}", "GWC103"),
    ("{name: a, service: s, mirror: {service: shadow, percent: 101}}", "GWC103"),
])
def test_bad_mirrors(compile_text, route, code):
    c = compile_text(MIRROR + f"      - {route}\n")
    assert [e[0] for e in errors(c)] == [code]
