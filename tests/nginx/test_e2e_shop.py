"""The shop example, as the README's main job builds it, serving real traffic through nginx."""
from __future__ import annotations

import time
from pathlib import Path

import jwt

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop" / "gateway.yml"
SECRET = "shop-test-secret-0123456789-abcdefghij"


def _shop(gateway, echo_upstream, monkeypatch):
    monkeypatch.setenv("JWT_SECRET", SECRET)
    text = SHOP.read_text()
    ups = {}
    for name, port in (("USERS", 3001), ("ORDERS", 3002), ("PRODUCTS", 3003)):
        text = text.replace(f"http://127.0.0.1:{port}", f"__{name}__")
        ups[name] = echo_upstream(name.lower())
    return gateway(text, upstreams=ups), ups


def _auth(**claims):
    token = jwt.encode({"sub": "u1", "exp": int(time.time()) + 300, **claims}, SECRET, algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}


def test_jwt_guards_the_api(gateway, echo_upstream, monkeypatch):
    gw, ups = _shop(gateway, echo_upstream, monkeypatch)
    r = gw.request("GET", "/api/users/42")
    assert r.status == 401 and r.json() == {"error": "Invalid token"}
    bad = jwt.encode({"sub": "u1"}, "not-the-secret-but-long-enough-0123456789", algorithm="HS256")
    assert gw.request("GET", "/api/users/42", headers={"Authorization": f"Bearer {bad}"}).status == 401
    expired = _auth(exp=int(time.time()) - 60)
    assert gw.request("GET", "/api/users/42", headers=expired).status == 401
    r = gw.request("GET", "/api/users/42", headers=_auth())
    assert r.status == 200 and r.json()["server"] == "users" and r.json()["path"] == "/users/42"
    assert gw.request("GET", "/api/usersx", headers=_auth()).status == 404  # segment-wise prefix
    r = gw.request("GET", "/health")
    assert r.status == 200 and r.json() == {"status": "ok"}


def test_products_are_cached(gateway, echo_upstream, monkeypatch):
    gw, ups = _shop(gateway, echo_upstream, monkeypatch)
    first = gw.request("GET", "/api/products/7", headers=_auth())
    assert first.status == 200 and first.headers["x-cache-status"] == "MISS"
    second, misses = gw.until_hit("/api/products/7", _auth())
    assert second.status == 200
    assert ups["PRODUCTS"].hits == 1 + misses


def test_external_body_is_mapped(gateway, echo_upstream, monkeypatch):
    gw, ups = _shop(gateway, echo_upstream, monkeypatch)
    r = gw.request("POST", "/api/external", headers={**_auth(), "Content-Type": "application/json"},
                   body=b'{"user_id": 7, "total": "42.50", "created_at": "2024-01-02T03:04:05Z", "note": "x"}')
    assert r.status == 200, r.body
    import json

    seen = r.json()
    assert seen["server"] == "orders" and seen["path"] == "/orders"
    assert json.loads(seen["body"]) == {"userId": 7, "total": 42.5, "created_at": 1704164645, "note": "x"}


def test_dashboard_aggregates_three_services(gateway, echo_upstream, monkeypatch):
    gw, ups = _shop(gateway, echo_upstream, monkeypatch)
    r = gw.request("GET", "/api/dashboard", headers=_auth())
    assert r.status == 200
    body = r.json()
    assert set(body) == {"userCount", "recentOrders", "featuredProducts"}
    assert body["userCount"]["path"] == "/users/count"
    assert body["recentOrders"]["server"] == "orders" and body["featuredProducts"]["path"] == "/products/featured"
    ups["ORDERS"].status = 500
    body = gw.request("GET", "/api/dashboard", headers=_auth()).json()
    assert body["recentOrders"] is None and body["userCount"]["server"] == "users"


def test_rate_limit_per_client(gateway, echo_upstream, monkeypatch):
    gw, ups = _shop(gateway, echo_upstream, monkeypatch)
    headers = _auth()
    statuses = [gw.request("GET", "/api/orders", headers=headers).status for _ in range(101)]
    assert statuses[:100] == [200] * 100  # one period's worth at once
    assert statuses[100] == 429
    r = gw.request("GET", "/api/orders", headers=headers)
    assert r.status == 429 and r.json() == {"error": "Too many requests"}
