"""Values a target limits, found at build, never by the gateway: for each limit, a value just
under it builds and passes the target's real checker, and a value just over it is either
refused with GWC350 at the value (file:line:col of the spec text) or, where gatewayc can size
the target's own setting, builds and passes the checker too.

nginx's hash bucket sizes and Envoy's direct response body size are sized, and checked to
be the smallest the target takes: the same output with one cache line (byte) less fails
`nginx -t` (`envoy --mode validate`).

Kong (decK's schema and Kong's plugin field data vendored in tests/kong/data hold no length
constraint), Traefik and AWS: no limit found that their checkers enforce on spec text."""
from __future__ import annotations

import re

import pytest

from gatewayc.build import build
from gatewayc.output.dump import to_yaml


def _spec(tmp_path, route: dict, services: dict | None = None):
    r = {"name": "r", "match": "/r", "service": "a", **route}
    tree = {"version": 1, "services": services or {"a": {"url": "http://127.0.0.1:3001"}},
            "gateways": {"g": {"listeners": [{"port": 8080}], "routes": [{k: v for k, v in r.items() if v is not None}]}}}
    path = tmp_path / "gateway.yml"
    path.write_text(to_yaml(tree))
    return path


def _position(path, text: str) -> tuple[int, int]:
    """Where `text` (a value or key of the spec) starts in the file: line, column (of its
    opening quote, or of the `?` of a long key's explicit entry)."""
    for i, line in enumerate(path.read_text().splitlines(), 1):
        at = line.find(text[:60])
        if at >= 0:
            before = line[:at]
            return i, at + 1 - (2 if before.endswith("? ") else 1 if before.endswith(("'", '"')) else 0)
    raise AssertionError(f"{text[:40]!r} not in the spec")


def _built(checkers, tmp_path, target: str, route: dict, services: dict | None = None):
    path = _spec(tmp_path, route, services)
    result = build(str(path), [target], source="gateway.yml")
    assert result.ok, [str(d) for d in result.diagnostics if d.is_error]
    checkers.check(target, result.files, result.env[target], checkers.fresh(target))
    return result


def _refused(tmp_path, target: str, route: dict, value: str, services: dict | None = None):
    path = _spec(tmp_path, route, services)
    result = build(str(path), [target], source="gateway.yml")
    assert not result.ok and not result.files
    errors = [d for d in result.diagnostics if d.is_error]
    assert [d.code for d in errors] == ["GWC350"], [str(d) for d in errors]
    assert (errors[0].location.line, errors[0].location.col) == _position(path, value), str(errors[0])
    assert errors[0].hint, str(errors[0])
    return errors[0]


# --- nginx: the hashes of header names and server names -------------------------------------
def _header_set(n):
    return {"policies": {"request": {"headers": {"set": {"x" * n: "v"}}}}}


def _response_remove(n):
    return {"policies": {"response": {"headers": {"remove": ["x" * n]}}}}


def _hostname(n):
    name = (("h" * 61 + ".") * 5)[:n]  # labels of 61 letters
    return {"hostnames": [name[:-1] + "k" if name.endswith(".") else name]}


NGINX_HASHED = [("request-header-name", _header_set, "proxy_headers_hash_bucket_size"),
                ("response-header-removed", _response_remove, "proxy_headers_hash_bucket_size"),
                # route hostnames: in the host class map (one server per listener now, so nginx
                # builds no server name hash)
                ("hostname", _hostname, "map_hash_bucket_size")]


@pytest.mark.parametrize("length", [46, 47, 1100, 4000])
@pytest.mark.parametrize("where,route,directive", NGINX_HASHED, ids=[p[0] for p in NGINX_HASHED])
def test_nginx_sizes_its_name_hashes(checkers, tmp_path, where, route, directive, length):
    if where == "hostname" and length > 253:
        length = 253  # a DNS name's limit, checked at validation
    out = _built(checkers, tmp_path, "nginx", route(length))
    conf = out.files["nginx.conf"].decode()
    sized = re.findall(rf"^\s*{directive} \"?(\d+)\"?;", conf, re.M)
    if length <= 46:  # nginx's default bucket (one 64-byte cache line) holds it
        assert not sized
        return
    (size,) = map(int, sized)
    assert size > 64
    # the smallest size nginx takes: one cache line less and nginx -t fails
    smaller = re.sub(rf"({directive}) \"?{size}\"?;", rf'\1 "{size - 64}";', conf)
    with pytest.raises(AssertionError, match="could not build"):
        checkers.check("nginx", {**out.files, "nginx.conf": smaller.encode()}, out.env["nginx"],
                       checkers.fresh("nginx"))


# --- Envoy: the proto constraints `envoy --mode validate` checks -----------------------------
def _request_set(name, value):
    return {"policies": {"request": {"headers": {"set": {name: value}}}}}


def _response_set(name, value):
    return {"policies": {"response": {"headers": {"set": {name: value}}}}}


ENVOY_LIMITS = [  # (where, route for a value of n bytes, the value, Envoy's limit)
    ("request-header-name", lambda v: _request_set(v, "v"), lambda n: "x" * n, 16384),
    ("request-header-value", lambda v: _request_set("x-a", v), lambda n: "v" * n, 16384),
    ("request-header-value-utf8", lambda v: _request_set("x-a", v), lambda n: "é" * (n // 2) + "v" * (n % 2), 16384),
    ("response-header-name", lambda v: _response_set(v, "v"), lambda n: "x" * n, 16384),
    ("response-header-value", lambda v: _response_set("x-a", v), lambda n: "v" * n, 16384),
    ("query-parameter-name", lambda v: {"match": {"path": "/r", "query": {v: "v"}}}, lambda n: "q" * n, 1024),
]


@pytest.mark.parametrize("where,route,value,limit", ENVOY_LIMITS, ids=[p[0] for p in ENVOY_LIMITS])
def test_envoy_limits(checkers, tmp_path, where, route, value, limit):
    _built(checkers, tmp_path, "envoy", route(value(limit)))
    diag = _refused(tmp_path, "envoy", route(value(limit + 1)), value(limit + 1))
    assert f"Envoy takes at most {limit}" in diag.message


@pytest.mark.parametrize("length", [4000, 5000, 65536])
def test_envoy_sizes_direct_response_bodies(checkers, tmp_path, length):
    out = _built(checkers, tmp_path, "envoy", {"service": None, "respond": {"status": 200, "body": "b" * length}})
    text = out.files["envoy.yaml"].decode()
    sized = re.findall(r"max_direct_response_body_size_bytes: (\d+)", text)
    if length < 4096:  # Envoy's default takes it
        assert not sized
        return
    (size,) = map(int, sized)
    # the smallest size Envoy takes: one byte less and envoy --mode validate refuses the body
    smaller = text.replace(f"max_direct_response_body_size_bytes: {size}", f"max_direct_response_body_size_bytes: {size - 1}")
    with pytest.raises(AssertionError, match="response body size is"):
        checkers.check("envoy", {**out.files, "envoy.yaml": smaller.encode()}, out.env["envoy"], checkers.fresh("envoy"))
