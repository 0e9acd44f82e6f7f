"""examples/self-hosted, built unchanged, serving real traffic through nginx: routing, rate
limits, retries, CORS, header transforms, the IP filter and body limits; and examples/portable
(what every target shares, AWS included): routing, rewrites, a header transform, the IP filter
and the gateway's own answers."""
from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PORTS = {"CATALOG": 7001, "CATALOG2": 7011, "ORDERS": 7002, "UPLOADS": 7003, "ADMIN": 7004}


def _serve(example: str, module_gateway, module_echo_upstream):
    text = (EXAMPLES / example / "gateway.yml").read_text()
    ups = {}
    for name, port in PORTS.items():
        if f"http://127.0.0.1:{port}" in text:
            text = text.replace(f"http://127.0.0.1:{port}", f"__{name}__")
            ups[name] = module_echo_upstream(name.lower())
    return module_gateway(text, upstreams=ups), ups


@pytest.fixture(scope="module")
def portable(module_gateway, module_echo_upstream):
    """examples/self-hosted (the fixture keeps its old name: the tests below predate the split)."""
    return _serve("self-hosted", module_gateway, module_echo_upstream)


@pytest.fixture(scope="module")
def shared(module_gateway, module_echo_upstream):
    return _serve("portable", module_gateway, module_echo_upstream)


def test_the_portable_example_serves_what_every_target_shares(shared):
    gw, ups = shared
    r = gw.request("GET", "/healthz")
    assert r.status == 200 and r.json() == {"status": "ok"}
    r = gw.request("GET", "/catalog/items/7")
    seen = r.json()
    assert r.status == 200 and seen["path"] == "/items/7" and seen["server"].startswith("catalog")
    assert seen["headers"]["x-gateway"] == "gatewayc"
    assert gw.request("POST", "/catalog/items").status == 404  # GET and HEAD only
    r = gw.request("GET", "/orders/summary")
    assert r.status == 200 and r.json()["path"] == "/api/reports/orders"
    r = gw.request("DELETE", "/orders/42?x=1")
    assert r.status == 200 and r.json()["path"] == "/api/orders/42" and r.json()["query"] == "x=1"
    r = gw.request("GET", "/nowhere")
    assert r.status == 404 and r.json() == {"error": "no such endpoint"}
    before = ups["ADMIN"].hits
    assert gw.request("GET", "/admin/users").status == 403  # 127.0.0.1 is not allowed
    assert ups["ADMIN"].hits == before


def test_routes_rewrites_and_header_transforms(portable):
    gw, _ = portable
    r = gw.request("GET", "/healthz")
    assert r.status == 200 and r.json() == {"status": "ok"}
    r = gw.request("GET", "/catalog/items/7", headers={"X-Debug": "1"})
    seen = r.json()
    assert r.status == 200 and seen["path"] == "/items/7" and seen["server"].startswith("catalog")
    assert seen["headers"]["x-gateway"] == "gatewayc" and "x-debug" not in seen["headers"]
    assert r.headers["x-content-type-options"] == "nosniff"
    r = gw.request("GET", "/orders/42")
    assert r.status == 200 and r.json()["path"] == "/api/orders/42"
    assert "x-request-source" not in r.headers  # the regex route `order`, not `orders`
    r = gw.request("GET", "/orders?page=2")
    assert r.status == 200 and r.json()["path"] == "/api/orders" and r.json()["query"] == "page=2"
    assert r.headers["x-request-source"] == "orders"
    assert gw.request("POST", "/catalog/items").status == 404  # GET and HEAD only
    assert gw.request("GET", "/catalogue").status == 404  # whole segments


def test_body_limits(portable):
    gw, _ = portable
    big = b"x" * (100 * 1024)
    assert gw.request("POST", "/orders", body=big).status == 413
    assert gw.request("POST", "/uploads/a", body=big).status == 200


def test_cors_preflight_and_simple_request(portable):
    gw, _ = portable
    r = gw.request("OPTIONS", "/orders", headers={"Origin": "https://shop.example.com",
                                                  "Access-Control-Request-Method": "POST"})
    assert r.status in (200, 204)
    assert r.headers["access-control-allow-origin"] == "https://shop.example.com"
    r = gw.request("GET", "/catalog/x", headers={"Origin": "https://evil.example.net"})
    assert "access-control-allow-origin" not in r.headers


def test_ip_filter(portable):
    gw, ups = portable
    before = ups["ADMIN"].hits
    assert gw.request("GET", "/", host="admin.example.com").status == 403  # 127.0.0.1 is not allowed
    assert ups["ADMIN"].hits == before


def test_a_failed_connection_is_retried_on_the_other_instance(portable):
    gw, ups = portable
    ups["CATALOG2"].stop()
    statuses = {gw.request("GET", f"/catalog/r{i}").status for i in range(6)}
    assert statuses == {200}


def test_route_rate_limit(portable):
    gw, _ = portable
    # 30 a minute for /orders (earlier tests spent a few); the gateway's 120 are far away
    statuses = [gw.request("GET", "/orders/list").status for _ in range(40)]
    assert statuses[:20] == [200] * 20 and 429 in statuses and statuses.count(200) <= 31
