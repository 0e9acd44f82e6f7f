"""Redirects (scheme, host, port, path, status), path and host rewrites, connection upgrades
(M7), request and response header modifiers (docs/spec.md sections 11 and 13, Transforms)."""
from __future__ import annotations

from table_model import Case, Group, Send, Upgrading

P = ("routing.path.prefix",)
EXACT = ("routing.path.exact",)
REDIRECT = ("action.redirect", *P)


def moved(path: str, status: int, location: str, method: str = "GET", host: str = "h.test:{port}") -> Send:
    """A redirect: the gateway's own answer, with the request's query kept."""
    return Send(path, method=method, host=host, status=status, upstream=None, reply_headers={"location": location})


CASES = (
    Case("redirect-scheme-and-host", REDIRECT, """
        - {name: rd-secure, match: {path: /secure}, redirect: {scheme: https, hostname: example.com, status: 301}}
    """, (
        # a new scheme drops the request's port
        moved("/secure/x?y=1&z=%20", 301, "https://example.com/secure/x?y=1&z=%20"),
        moved("/secure", 301, "https://example.com/secure"),
    )),
    Case("redirect-port-and-status", REDIRECT, """
        - {name: rd-port, match: {path: /perm}, redirect: {hostname: new.example.com, port: 8443, status: 308}}
        - {name: rd-temp, match: {path: /temp}, redirect: {scheme: https, status: 307}}
    """, (
        moved("/perm/a?b=1", 308, "http://new.example.com:8443/perm/a?b=1"),
        moved("/perm/a?b=1", 308, "http://new.example.com:8443/perm/a?b=1", method="POST"),
        moved("/temp/x", 307, "https://h.test/temp/x", method="POST"),
    )),
    Case("redirect-paths", (*REDIRECT, *EXACT), """
        - {name: rd-prefix, match: {path: /blog}, redirect: {path: {replace_prefix: /articles}}}
        - {name: rd-strip, match: {path: /go}, redirect: {path: {strip_prefix: true}, status: 301}}
        - {name: rd-full, match: {path: {exact: /form}}, redirect: {path: {full: /thanks}, status: 303}}
    """, (
        moved("/blog/2019/post?p=2", 302, "http://h.test:{port}/articles/2019/post?p=2"),
        moved("/blog", 302, "http://h.test:{port}/articles"),
        moved("/go/x", 301, "http://h.test:{port}/x"),
        moved("/go", 301, "http://h.test:{port}/"),
        moved("/form?x=1", 303, "http://h.test:{port}/thanks?x=1", method="POST"),
    )),
    Case("redirect-keeps-the-listener-port", REDIRECT, """
        - {name: rd-port-kept, match: {path: /kept}, redirect: {path: {replace_prefix: /here}}}
    """, (
        # no port in Host: the redirect keeps the port the request came in on
        moved("/kept/page?q=1", 302, "http://h.test:{port}/here/page?q=1", host="h.test"),
    )),
    Case("rewrite-paths", (*P, *EXACT, "rewrite.path", "rewrite.strip_prefix"), """
        - {name: rw-strip, match: {path: /v1}, service: based, rewrite: {path: {strip_prefix: true}}}
        - {name: rw-replace, match: {path: /old-api}, service: a, rewrite: {path: {replace_prefix: /new-api}}}
        - {name: rw-root, match: {path: /root-api}, service: a, rewrite: {path: {replace_prefix: /}}}
        - {name: rw-full, match: {path: {exact: /full}}, service: a, rewrite: {path: {full: /replaced}}}
    """, (
        Send("/v1/orders/7?q=1", upstream="a", seen_path="/base/orders/7", seen_query="q=1"),
        Send("/v1", upstream="a", seen_path="/base"),
        Send("/old-api/x?q=1", upstream="a", seen_path="/new-api/x", seen_query="q=1"),
        Send("/old-api", upstream="a", seen_path="/new-api"),
        Send("/root-api/x", upstream="a", seen_path="/x"),
        Send("/root-api", upstream="a", seen_path="/"),
        Send("/full?q=2", upstream="a", seen_path="/replaced", seen_query="q=2"),
    ), services="""
        based: {url: __A__/base}
    """),
    Case("rewrite-escapes", (*P, *EXACT, "rewrite.path"), """
        - {name: rw-esc, match: {path: /esc}, service: a, rewrite: {path: {replace_prefix: "/e%20x%25%7B%C3%A9"}}}
        - {name: rw-esc-full, match: {path: {exact: /esc-full}}, service: esc-based, rewrite: {path: {full: "/f%22g%5E"}}}
    """, (
        # a rewrite path (and a base path) is percent-encoded text and reaches the service as
        # written: a `%25` stays one, never a lone `%`
        Send("/esc/k", upstream="a", seen_path="/e%20x%25%7B%C3%A9/k"),
        Send("/esc", upstream="a", seen_path="/e%20x%25%7B%C3%A9"),
        Send("/esc-full", upstream="a", seen_path="/b%20c/f%22g%5E"),
    ), services="""
        esc-based: {url: __A__/b%20c}
    """),
    Case("rewrite-escaped-slash", (*P, "rewrite.path"), """
        - {name: rw-esc-slash, match: {path: /esc-slash}, service: a, rewrite: {path: {replace_prefix: "/e..%2F..%2Fx"}}}
    """, (
        # an escaped `/` never becomes a segment separator (`..%2F` never a `/..` segment)
        Send("/esc-slash/k", upstream="a", seen_path="/e..%2F..%2Fx/k"),
    ), xfail={"nginx": "nginx sends a rewritten path with `/` unescaped: refused (GWC310)"}),
    Case("rewrite-host", (*P, "rewrite.host"), """
        - {name: rw-host, match: {path: /rehost}, service: a, rewrite: {hostname: users.internal}}
    """, (
        Send("/rehost", host="h.test", upstream="a", seen_headers={"host": "users.internal"}),
    )),
    Case("upgrades", (*P, "upstream.websocket"), """
        - {name: up-ws, match: {path: /up-ws}, service: switching, websocket: true}
        - {name: up-plain, match: {path: /up-plain}, service: switching}
        - {name: up-ws-echo, match: {path: /up-echo}, service: a, websocket: true}
    """, (
        # only a WebSocket upgrade, only where the route allows it (M7); the rest is a plain request
        Upgrading("/up-ws", "websocket", switched=True),
        Upgrading("/up-ws", "h2c", switched=False),
        Upgrading("/up-plain", "websocket", switched=False),
        Send("/up-echo", {"Upgrade": "h2c", "Connection": "Upgrade"}, upstream="a", seen_headers={"upgrade": None}),
        Upgrading("/up-ws", "WebSocket", switched=True),  # the protocol token in any letter case
    ), services="""
        switching: {url: __SWITCHING__}
    """),
    Case("hop-by-hop-headers", P, """
        - {name: hop, match: {path: /hop}, service: a}
    """, (
        # a header the client's Connection names is for the gateway alone (docs/spec.md, what a service receives)
        Send("/hop", {"Connection": "keep-alive, X-Hop", "X-Hop": "1", "Keep-Alive": "timeout=5", "X-End": "2"},
             upstream="a", seen_headers={"x-hop": None, "keep-alive": None, "x-end": "2"}),
    ), xfail={"nginx": "limitation: nginx forwards the headers a client's Connection header names (RFC 9110 7.6.1: "
                       "they are hop-by-hop; Keep-Alive, TE and Upgrade it drops itself): proxy_set_header names "
                       "are fixed in the config and njs 0.7.9's r.headersIn is read-only (`delete` throws), so no "
                       "header can be dropped by a name only the request gives (docs/targets/nginx.md)"}),
    Case("request-headers-set-and-remove", (*P, "transform.request.headers"), """
        - name: rq-headers
          match: {path: /rq}
          service: a
          policies:
            request: {headers: {set: {X-Source: gateway}, remove: [X-Debug]}}
    """, (
        Send("/rq", {"X-Debug": "1", "X-Source": "client", "X-Other": "kept"}, upstream="a",
             seen_headers={"x-source": "gateway", "x-debug": None, "x-other": "kept"}),
    )),
    Case("request-headers-add-and-rename", (*P, "transform.request.headers"), """
        - name: rq-add
          match: {path: /rqadd}
          service: a
          policies:
            request: {headers: {add: {X-Tag: gw}, rename: {X-Old: X-New}}}
    """, (
        Send("/rqadd", {"X-Old": "v"}, upstream="a", seen_headers={"x-tag": "gw", "x-new": "v", "x-old": None}),
        Send("/rqadd", {"X-Tag": "client"}, upstream="a", seen_headers={"x-tag": "client, gw"}),
    )),
    Case("response-headers", (*P, "transform.response.headers"), """
        - name: rs-headers
          match: {path: /rs}
          service: a
          policies:
            response: {headers: {set: {X-Frame-Options: DENY}}}
    """, (
        Send("/rs", upstream="a", reply_headers={"x-frame-options": "DENY"}),
    )),
    # nginx always sends a Server header of its own: its build refuses this (GWC310), a skip here
    Case("response-headers-server", (*P, "transform.response.headers"), """
        - name: rs-server
          match: {path: /rs-server}
          service: a
          policies:
            response: {headers: {remove: [Server]}}
    """, (
        Send("/rs-server", upstream="a", reply_headers={"server": None}),
    )),
)

GROUPS = (Group("actions", ("a",), """
    a: {url: __A__}
""", CASES, upgraders=("switching",)),)
