"""Security review regressions: each test reproduces one finding against real nginx (or,
where only the structure matters, against the generated config parsed back)."""
from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import socket
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from nginx_harness import parse_conf, unescape


def raw_head(port: int, path: str, headers: str = "") -> bytes:
    """The response head exactly as nginx sent it (http.client would tidy it up)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n{headers}\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n\r\n", 1)[0]


# --- 1. basic auth realm: "off" disabled auth, line breaks split the response ----------
BASIC = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: off-realm
        match: {path: /off}
        service: a
        policies:
          auth: {basic: {credentials: {file: "%(f)s"}, realm: "off"}}
      - name: off-realm-all-of
        match: {path: /off-both}
        service: a
        policies:
          auth:
            all_of:
              - basic: {credentials: {file: "%(f)s"}, realm: "off"}
              - api_key: {header: X-Key, keys: {env: GWC_SR_KEYS}}
"""


def _basic_gw(gateway, echo_upstream, tmp_path, monkeypatch):
    monkeypatch.setenv("GWC_SR_KEYS", "k1")
    f = tmp_path / "htpasswd"
    f.write_text("u:{PLAIN}p\n")
    return gateway(BASIC % {"f": f}, {"A": echo_upstream("a")})


def test_basic_realm_off_does_not_switch_auth_off(gateway, echo_upstream, tmp_path, monkeypatch):
    gw = _basic_gw(gateway, echo_upstream, tmp_path, monkeypatch)
    up = gw.request("GET", "/off")
    assert up.status == 401, up.body  # was 200: nginx reads auth_basic "off" as no auth at all
    # nginx's own challenge, completed to the spec's (docs/spec.md), is never just "off"
    assert up.values("WWW-Authenticate") == ['Basic realm="off", charset="UTF-8"']
    assert gw.request("GET", "/off-both", {"X-Key": "k1"}).status == 401
    good = {"Authorization": "Basic dTpw"}  # u:p
    assert gw.request("GET", "/off", good).status == 200
    assert gw.request("GET", "/off-both", {**good, "X-Key": "k1"}).status == 200


def test_basic_realm_cannot_split_the_response(cli, tmp_path):
    # the spec refuses control characters in a realm (it goes into a response header) ...
    spec = tmp_path / "g.yml"
    text = BASIC % {"f": "/etc/htpasswd"}
    spec.write_text(text.replace('realm: "off"', 'realm: "r\\r\\nSet-Cookie: pwn=1"', 1).replace("__A__", "http://127.0.0.1:9"))
    code, out, _ = cli(["validate", str(spec), "--format", "json"])
    assert code == 1 and '"GWC103"' in out
    # ... and the backend still escapes what it writes, should a realm ever get through
    from gatewayc.backends.nginx.answers import auth_basic_realm
    from gatewayc.ir.answers import quoted

    assert quoted("r\r\nSet-Cookie: pwn=1") == "r  Set-Cookie: pwn=1"
    assert auth_basic_realm("r\r\nSet-Cookie: pwn=1") == 'r  Set-Cookie: pwn=1", charset="UTF-8'
    assert auth_basic_realm("off") == 'off", charset="UTF-8'  # never the "off" that switches auth off


# --- 2. path rewrites skipped for decoded URIs holding a line feed ----------------------
REWRITES = """
version: 1
services:
  a: {url: __A__}
  based: {url: __A__/base}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: base
        match: {path: /b}
        service: based
      - name: strip
        match: {path: /api}
        service: a
        rewrite: {path: {strip_prefix: true}}
      - name: replace
        match: {path: /old}
        service: a
        rewrite: {path: {replace_prefix: /new}}
      - name: encoded-strip
        match: {path: /caf%C3%A9}
        service: a
        rewrite: {path: {strip_prefix: true}}
"""


def test_rewrites_apply_to_every_decoded_path(gateway, echo_upstream):
    gw = gateway(REWRITES, {"A": echo_upstream("a")})
    # nginx matches the decoded $uri; `^(.*)$` stops at a line feed, so these requests
    # used to reach the upstream unrewritten: outside the service's base path, unstripped
    for path, upstream in (("/b/x%0ay", "/base/b/x%0Ay"), ("/api/x%0ay", "/x%0Ay"),
                           ("/api/%0a", "/%0A"), ("/old/x%0Ay", "/new/x%0Ay"),
                           ("/b/x", "/base/b/x"), ("/api/x", "/x"), ("/old", "/new")):
        r = gw.request("GET", path)
        assert r.status == 200 and r.json()["path"] == upstream, (path, r.body)
    # a percent-encoded prefix is compared decoded, like the location that took the request
    r = gw.request("GET", "/caf%C3%A9/x")
    assert r.status == 200 and r.json()["path"] == "/x", r.body


# --- 3. redirects copied decoded control characters into Location ----------------------
REDIRECTS = """
version: 1
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: moved
        match: {path: /moved}
        redirect: {path: {replace_prefix: /here}, status: 301}
      - name: everything
        match: {path: /}
        redirect: {path: {replace_prefix: /x}, status: 308}
"""


def test_redirect_location_holds_no_control_characters(gateway):
    gw = gateway(REDIRECTS)
    for path in ("/moved/a%0dSet-Cookie:%20pwn=1", "/moved/a%0d%0aSet-Cookie:%20pwn=1",
                 "/other%0dSet-Cookie:%20pwn=1", "/moved/%0a"):
        head = raw_head(gw.port, path)
        assert b"Set-Cookie" not in head and b"\r\r" not in head, (path, head)
        assert head.startswith(b"HTTP/1.1 400"), (path, head)
    head = raw_head(gw.port, "/moved/a%20b?q=1")
    assert head.startswith(b"HTTP/1.1 301") and b"\r\nLocation: http://x:" in head
    assert head.split(b"\r\nLocation: ")[1].split(b"\r\n")[0].endswith(b"/here/a b?q=1")


# --- 4. cache key: decoded '?' and '|' made distinct requests share an entry -----------
CACHE = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: cached
        match: {path: /c}
        service: a
        policies:
          cache: {ttl: 30s, vary: {headers: [x-a, x-b]}}
"""


def test_cache_key_keeps_request_parts_apart(gateway, echo_upstream):
    up = echo_upstream("a")
    gw = gateway(CACHE, {"A": up})
    # /c/p%3Fq=1 is the path "/c/p?q=1" without a query; it must not fill the entry of
    # /c/p?q=1 (an attacker choosing what other clients get from the cache)
    first = gw.request("GET", "/c/p%3Fq=1")
    assert first.headers["x-cache-status"] == "MISS"
    gw.until_hit("/c/p%3Fq=1")  # the entry is in the cache now, for every worker
    second = gw.request("GET", "/c/p?q=1")
    assert second.headers["x-cache-status"] == "MISS", second.body
    assert second.json()["path"] == "/c/p" and second.json()["query"] == "q=1"
    # vary values: ("p|q", "r") and ("p", "q|r") are different clients
    assert gw.request("GET", "/c/v", {"x-a": "p|q", "x-b": "r"}).headers["x-cache-status"] == "MISS"
    gw.until_hit("/c/v", {"x-a": "p|q", "x-b": "r"})
    assert gw.request("GET", "/c/v", {"x-a": "p", "x-b": "q|r"}).headers["x-cache-status"] == "MISS"
    gw.until_hit("/c/v", {"x-a": "p", "x-b": "q|r"})


# --- 5. CORS allowed headers were interpolated -----------------------------------------
CORS = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: cors
        match: {path: /cors}
        service: a
        policies:
          cors: {origins: ["https://app.example.com"], headers: ["x-$host", "x-$request_id"]}
"""


def test_cors_allow_headers_are_literal(gateway, echo_upstream):
    gw = gateway(CORS, {"A": echo_upstream("a")})
    r = gw.request("OPTIONS", "/cors", {"origin": "https://app.example.com",
                                        "access-control-request-method": "GET"}, host="evil.example")
    assert r.status == 204
    assert r.headers["access-control-allow-headers"] == "x-$host, x-$request_id"


# --- 6. a query regex on a non-$arg_ name matched across '&' ---------------------------
QUERY = """
version: 1
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: q
        match:
          path: /q
          query: [{name: x.y, regex: "a.*z"}]
        respond: {status: 200, body: {route: q}}
      - name: qe
        match:
          path: /qe
          query: [{name: "p[]", value: "v"}]
        respond: {status: 200, body: {route: qe}}
"""


def test_query_regex_matches_one_parameter_value(gateway):
    gw = gateway(QUERY)
    assert gw.request("GET", "/q?x.y=a&k=z").status == 404  # value "a": no full match
    assert gw.request("GET", "/q?k=1&x.y=a&z").status == 404
    assert gw.request("GET", "/q?x.y=abz").status == 200
    assert gw.request("GET", "/q?k=1&x.y=a-z&m=2").status == 200
    assert gw.request("GET", "/q?xxy=az").status == 404
    assert gw.request("GET", "/qe?p[]=v").status == 200
    assert gw.request("GET", "/qe?a=1&p[]=v").status == 200
    assert gw.request("GET", "/qe?p[]=vv").status == 404
    assert gw.request("GET", "/qe?p[]=v&p[]=w").status == 200


# --- 7. TLS file paths were interpolated ------------------------------------------------
TLS = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners:
      - port: 8443
        tls: {certificate: "%(d)s/server.crt", key: {file: "%(d)s/server.key"}}
    routes:
      - {name: r, match: /, service: a}
"""


def test_tls_file_paths_are_literal(gateway, echo_upstream, tmp_path):
    d = tmp_path / "certs$dir"  # `$dir` was read as an (unknown) nginx variable
    d.mkdir()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1)).sign(key, hashes.SHA256()))
    (d / "server.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "server.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
    gw = gateway(TLS % {"d": d}, {"A": echo_upstream("a")})
    ctx = ssl.create_default_context(cafile=str(d / "server.crt"))
    ctx.check_hostname = False
    conn = http.client.HTTPSConnection("127.0.0.1", gw.port, context=ctx, timeout=10)
    try:
        conn.request("GET", "/x")
        r = conn.getresponse()
        assert r.status == 200, r.read()
    finally:
        conn.close()


QUERY_NAMES = """
version: 1
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: debug
        match:
          path: /d
          query: [{name: debug, regex: ".*"}]
        respond: {status: 200, body: {route: debug}}
      - name: token
        match:
          path: /t
          query: [{name: token, value: "abc"}]
        respond: {status: 200, body: {route: token}}
"""


def test_query_match_names_are_exact_and_present(gateway):
    gw = gateway(QUERY_NAMES)
    # $arg_debug is "" for a missing parameter, which `.*` matched
    assert gw.request("GET", "/d").status == 404
    assert gw.request("GET", "/d?other=1").status == 404
    assert gw.request("GET", "/d?debug").status == 200
    assert gw.request("GET", "/d?x=1&debug=").status == 200
    # $arg_token also answered for TOKEN=...; parameter names are case-sensitive
    assert gw.request("GET", "/t?TOKEN=abc").status == 404
    assert gw.request("GET", "/t?token=abc").status == 200
    assert gw.request("GET", "/t?xtoken=abc").status == 404


# --- 8. a CORS route's method match let every OPTIONS request in ------------------------
OPTIONS = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: write
        match: {path: /items}
        service: a
        policies:
          auth: {api_key: {header: X-Key, keys: {env: GWC_SR_KEYS}}}
      - name: read
        match: {path: /items, methods: [GET]}
        service: a
        policies:
          cors: {origins: ["https://app.example.com"]}
"""


def test_options_that_is_not_a_preflight_does_not_skip_auth(gateway, echo_upstream, monkeypatch):
    monkeypatch.setenv("GWC_SR_KEYS", "k1")
    up = echo_upstream("a")
    gw = gateway(OPTIONS, {"A": up})
    # the public GET route took every OPTIONS request (to let preflights in), so a plain
    # OPTIONS reached the upstream without the key the catch-all route requires
    r = gw.request("OPTIONS", "/items")
    assert r.status == 401 and up.hits == 0, r.body
    r = gw.request("OPTIONS", "/items", {"origin": "https://app.example.com"})
    assert r.status == 401 and up.hits == 0, r.body
    pre = gw.request("OPTIONS", "/items", {"origin": "https://app.example.com",
                                           "access-control-request-method": "GET"})
    assert pre.status == 204 and pre.headers["access-control-allow-origin"] == "https://app.example.com"
    assert gw.request("GET", "/items").status == 200
    assert gw.request("OPTIONS", "/items", {"X-Key": "k1"}).json()["method"] == "OPTIONS"
    assert gw.request("DELETE", "/items").status == 401


# --- 9. the upstream saw a different Host than the one nginx routed by ------------------
HOSTS = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: admin
        hostnames: [admin.example.com]
        match: {path: /}
        service: a
        policies:
          auth: {api_key: {header: X-Key, keys: {env: GWC_SR_KEYS}}}
      - name: pub
        hostnames: [pub.example.com]
        match: {path: /}
        service: a
"""


def _raw_json(port: int, request: bytes) -> dict:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200"), head
    return json.loads(body)


def test_upstream_host_is_the_host_nginx_routed_by(gateway, echo_upstream, monkeypatch):
    monkeypatch.setenv("GWC_SR_KEYS", "k1")
    gw = gateway(HOSTS, {"A": echo_upstream("a")})
    assert gw.request("GET", "/x", host="admin.example.com").status == 401
    # absolute-form request line: nginx picks pub.example.com (no auth); the upstream was
    # told Host: admin.example.com, i.e. served the admin site without the key
    seen = _raw_json(gw.port, b"GET http://pub.example.com/x HTTP/1.0\r\nHost: admin.example.com\r\n\r\n")
    assert seen["headers"]["host"] == "pub.example.com"
    # the ordinary case keeps the Host header's port
    assert gw.request("GET", "/x", host="pub.example.com:8080").json()["headers"]["host"] == "pub.example.com:8080"
    assert gw.request("GET", "/x", host="PUB.example.com").json()["headers"]["host"] == "pub.example.com"


# --- 10. a cache behind auth served one client's response to every other client --------
CACHED_AUTH = """
version: 1
services:
  a: {url: __A__}
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: me
        match: {path: /me}
        service: a
        policies:
          auth: {api_key: {header: X-Key, keys: {env: GWC_SR_KEYS}}}
          cache: {ttl: 30s}
      - name: me-basic
        match: {path: /basic-me}
        service: a
        policies:
          auth: {basic: {credentials: {file: "%(f)s"}}}
          cache: {ttl: 30s}
"""


def test_cache_behind_auth_is_per_client(gateway, echo_upstream, monkeypatch, tmp_path):
    monkeypatch.setenv("GWC_SR_KEYS", "alice-key,bob-key")
    f = tmp_path / "htpasswd"
    f.write_text("alice:{PLAIN}a\nbob:{PLAIN}b\n")
    up = echo_upstream("a")
    gw = gateway(CACHED_AUTH % {"f": f}, {"A": up})
    alice = gw.request("GET", "/me", {"X-Key": "alice-key"})
    assert alice.headers["x-cache-status"] == "MISS"
    again, _ = gw.until_hit("/me", {"X-Key": "alice-key"})
    assert again.json()["headers"]["x-key"] == "alice-key"
    bob = gw.request("GET", "/me", {"X-Key": "bob-key"})
    # was a HIT carrying alice's response (her key included, echoed by the upstream)
    assert bob.headers["x-cache-status"] == "MISS", bob.body
    assert bob.json()["headers"]["x-key"] == "bob-key"
    assert gw.request("GET", "/me").status == 401
    # nginx's own auth_basic (no auth subrequest) gets the same treatment
    a = gw.request("GET", "/basic-me", {"Authorization": "Basic YWxpY2U6YQ=="})
    assert a.status == 200
    gw.until_hit("/basic-me", {"Authorization": "Basic YWxpY2U6YQ=="})
    b = gw.request("GET", "/basic-me", {"Authorization": "Basic Ym9iOmI="})
    assert b.status == 200 and b.headers["x-cache-status"] == "MISS"
    assert b.json()["headers"]["authorization"] == "Basic Ym9iOmI="
    # the credentials themselves never reach the cache files' keys: only their digest
    gw.until_hit("/me", {"X-Key": "bob-key"})
    gw.until_hit("/basic-me", {"Authorization": "Basic Ym9iOmI="})  # all four entries stored
    keys = [p.read_bytes().split(b"\nKEY: ", 1)[1].split(b"\nHTTP/1.", 1)[0]
            for p in gw.runtime.rglob("*") if p.is_file() and "gwc_cache" in str(p.parent.parent.parent)]
    assert len(keys) == 4 and all(re.fullmatch(rb"[0-9a-f]{64}", k.split(b"\n")[-1]) for k in keys), keys
    assert not any(b"alice" in k or b"bob" in k or b"YWxpY2U6YQ" in k for k in keys), keys


# --- 11. a header regex that accepts "" would also match a missing header ------------
HEADER_ABSENT = """
version: 1
gateways:
  main:
    listeners: [{port: 8080}]
    routes:
      - name: tenant
        match:
          path: /h
          headers: [{name: x-tenant, regex: "[a-z]*"}]
        respond: {status: 200, body: {route: tenant}}
"""


def test_header_match_that_accepts_empty_is_refused(build_spec):
    # nginx's $http_<name> is "" both for a missing and an empty header, so such a match
    # would take requests without the header: the build must refuse, not differ silently
    _, out = build_spec(HEADER_ABSENT)
    (note,) = [n for n in out.notes if n.code == "GWC310"]
    assert note.is_error and "x-tenant" in note.message


def test_header_match_needs_the_header(gateway):
    gw = gateway(HEADER_ABSENT.replace('regex: "[a-z]*"', 'regex: "[a-z]+"'))
    assert gw.request("GET", "/h", {"x-tenant": "acme"}).status == 200
    assert gw.request("GET", "/h").status == 404


# --- structure: every value above lands, uninterpolated, in the directive meant for it --
def test_interpolated_values_parse_back_as_literals(gateway, echo_upstream, tmp_path, monkeypatch):

    gw = _basic_gw(gateway, echo_upstream, tmp_path, monkeypatch)
    nodes = parse_conf(gw.dir)
    realms = {unescape(n["args"][0]) for n in nodes if n["directive"] == "auth_basic"}
    assert realms == {'off", charset="UTF-8'}
    www = {unescape(n["args"][1]) for n in nodes if n["directive"] == "add_header" and n["args"][0] == "WWW-Authenticate"}
    (var,) = www - {'Key realm="gatewayc"'}  # the Basic challenge, unless nginx's own was sent
    (challenge,) = [n for n in nodes if n["directive"] == "map" and n["args"][1] == var]
    # crossplane reads the map entry `"" "<value>"` as directive "" with one argument
    assert {unescape(x["args"][0]) for x in challenge["block"] if x["directive"] == ""} == \
        {'Basic realm="off", charset="UTF-8"'}
    cors = gateway(CORS, {"A": echo_upstream("b")})
    allow = {unescape(n["args"][1]) for n in parse_conf(cors.dir)
             if n["directive"] == "add_header" and n["args"][0] == "Access-Control-Allow-Headers"}
    assert allow == {"x-${gwc_dollar}host, x-${gwc_dollar}request_id"}
