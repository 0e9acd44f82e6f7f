"""Gateway API routing precedence (docs/spec.md section 15): exact, segment-wise prefix,
regex, method, header, query, hostname, and matches of several routes competing."""
from __future__ import annotations

from cases_common import not_found
from table_model import Case, Group, Send

P = ("routing.path.prefix",)
EXACT = ("routing.path.exact",)
REGEX = ("routing.path.regex",)

CASES = (
    Case("exact-beats-prefix", (*EXACT, *P), """
        - {name: ex-prefix, match: {path: /exact}, service: b}
        - {name: ex-exact, match: {path: {exact: /exact}}, service: a}
    """, (
        Send("/exact", upstream="a"),
        Send("/exact/", upstream="b"),
        Send("/exact/x?q=1", upstream="b", seen_path="/exact/x", seen_query="q=1"),
        not_found("/exactx"),
    )),
    Case("prefix-by-whole-segments", P, """
        - {name: seg-short, match: {path: /seg}, service: b}
        - {name: seg-long, match: {path: /seg/one}, service: a}
        - {name: seg-slash, match: {path: /slash/}, service: a}
    """, (
        Send("/seg/one", upstream="a"),
        Send("/seg/one/x", upstream="a"),
        Send("/seg/onex", upstream="b"),
        Send("/seg", upstream="b"),
        not_found("/segx"),
        Send("/slash", upstream="a"),  # a prefix's trailing slash is ignored (M6)
        Send("/slash/", upstream="a"),
        Send("/slash/x", upstream="a"),
        not_found("/slashx"),
    )),
    Case("regex-between-exact-and-prefix", (*EXACT, *P, *REGEX), """
        - {name: rx-prefix, match: {path: /rx}, service: b}
        - {name: rx-longer-prefix, match: {path: /rx/items/special}, service: b}
        - {name: rx-regex, match: {path: {regex: "/rx/items/[a-z0-9]+(/.*)?"}}, service: a}
        - {name: rx-exact, match: {path: {exact: /rx/items/7}}, service: b}
    """, (
        Send("/rx/items/12", upstream="a"),
        Send("/rx/items/special/1", upstream="a"),  # a regex outranks even a longer prefix
        Send("/rx/items/7", upstream="b"),  # an exact path outranks a regex
        Send("/rx/items/12X", upstream="b"),  # the regex must match the whole path
        Send("/rx/other", upstream="b"),
    )),
    Case("method", ("routing.method", *P), """
        - {name: m-any, match: {path: /m}, service: b}
        - {name: m-post, match: {path: /m, methods: [POST, PUT]}, service: a}
        - {name: m-only, match: {path: /monly, methods: [DELETE]}, service: a}
    """, (
        Send("/m", method="POST", body="x", upstream="a"),
        Send("/m", method="PUT", body="x", upstream="a"),
        Send("/m", upstream="b"),
        Send("/monly", method="DELETE", upstream="a"),
        not_found("/monly"),
    )),
    Case("header", ("routing.header", *P), """
        - {name: h-plain, match: {path: /h}, service: b}
        - {name: h-exact, match: {path: /h, headers: {X-Env: prod}}, service: a}
        - {name: h-two, match: {path: /h, headers: {X-Env: prod, X-Team: red}}, service: b}
        - {name: h-regex, match: {path: /hr, headers: [{name: X-Env, regex: "st.*"}]}, service: a}
    """, (
        Send("/h", {"x-env": "prod"}, upstream="a"),
        Send("/h", {"X-ENV": "prod"}, upstream="a"),  # names are case-insensitive
        Send("/h", {"X-Env": "PROD"}, upstream="b"),  # values are not
        Send("/h", {"X-Env": "prod", "X-Team": "red"}, upstream="b"),  # more header conditions first
        Send("/h", upstream="b"),
        Send("/hr", {"X-Env": "staging"}, upstream="a"),
        not_found("/hr", {"X-Env": "xstaging"}),  # a regex matches the whole value
        not_found("/hr"),
    )),
    Case("query", ("routing.query", *P), """
        - {name: q-plain, match: {path: /q}, service: b}
        - {name: q-exact, match: {path: /q, query: {debug: "1"}}, service: a}
        - {name: q-regex, match: {path: /qr, query: [{name: format, regex: "csv|tsv"}]}, service: a}
    """, (
        Send("/q?debug=1", upstream="a"),
        Send("/q?x=2&debug=1", upstream="a"),
        Send("/q?debug=2", upstream="b"),
        Send("/q?DEBUG=1", upstream="b"),  # parameter names are case-sensitive
        Send("/q", upstream="b"),
        Send("/qr?format=tsv", upstream="a"),
        not_found("/qr?format=csvx"),
    )),
    Case("header-before-query", ("routing.header", "routing.query", *P), """
        - {name: hq-query, match: {path: /hq, query: {a: "1", b: "2"}}, service: b}
        - {name: hq-header, match: {path: /hq, headers: {X-A: "1"}}, service: a}
    """, (
        Send("/hq?a=1&b=2", {"X-A": "1"}, upstream="a"),
        Send("/hq?a=1&b=2", upstream="b"),
    )),
    Case("hostnames", ("routing.hostname", "routing.hostname.wildcard", *P), """
        - {name: host-none, match: {path: /host}, service: c}
        - {name: host-wild, hostnames: ["*.example.org"], match: {path: /host}, service: b}
        - {name: host-exact, hostnames: [api.example.org], match: {path: /host}, service: a}
    """, (
        Send("/host", host="api.example.org", upstream="a"),
        Send("/host", host="api.example.org:{port}", upstream="a"),
        Send("/host", host="x.example.org", upstream="b"),
        Send("/host", host="a.b.example.org", upstream="b"),
        Send("/host", host="example.org", upstream="c"),  # a wildcard needs a label of its own
        Send("/host", host="other.test", upstream="c"),
    )),
    Case("host-routes-rank-first", ("routing.hostname", *EXACT, *P), """
        - {name: hr-any-host-exact, match: {path: {exact: /hr1/x}}, service: b}
        - {name: hr-host-prefix, hostnames: [h.example.org], match: {path: /hr1}, service: a}
    """, (
        # for its host, a route with hostnames ranks before any host-less route
        Send("/hr1/x", host="h.example.org", upstream="a"),
        Send("/hr1/x", host="other.example.org", upstream="b"),
        not_found("/hr1/y", host="other.example.org"),
    )),
    Case("matches-across-routes", (*EXACT, *P, "routing.method"), """
        - {name: x-wide, match: {path: /x}, service: b}
        - name: x-several
          match:
            - {path: {exact: /x/a}}
            - {path: /x/z, methods: [GET]}
          service: a
    """, (
        Send("/x/a", upstream="a"),
        Send("/x/z/1", upstream="a"),
        Send("/x/z/1", method="DELETE", upstream="b"),
        Send("/x/b", upstream="b"),
        Send("/x/a/b", upstream="b"),
    )),
)

GROUPS = (Group("routing", ("a", "b", "c"), """
    a: {url: __A__}
    b: {url: __B__}
    c: {url: __C__}
""", CASES),)
