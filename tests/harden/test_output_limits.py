"""Values a target limits, found at build, never by the gateway: for each limit, a value just
under it builds and passes the target's real checker, and a value just over it is either
refused with GWC350 at the value (file:line:col of the spec text) or, where gatewayc can size
the target's own setting, builds and passes the checker too.

nginx's hash bucket sizes are sized, and checked to be the smallest nginx takes: the same
output with one cache line less fails `nginx -t`."""
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
    """Where `text` (a value or key of the spec) starts in the file: line, column."""
    for i, line in enumerate(path.read_text().splitlines(), 1):
        at = line.find(text[:60])
        if at >= 0:
            return i, at + 1 - (1 if at and line[at - 1] in "\"'" else 0)
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
                ("hostname", _hostname, "server_names_hash_bucket_size")]


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
