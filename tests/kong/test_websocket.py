"""`websocket: true` on Kong OSS (docs/targets/kong.md, WebSocket): nothing to write, since
Kong proxies `Upgrade: websocket` on every http/https route, and a note naming the routes
that do not allow it, since Kong cannot refuse it there. Checked against the vendored
decK schema."""
from __future__ import annotations

import kong_harness as harness
import kongcheck

SPEC = """
version: 1
services:
  chat: {url: "http://chat.internal:8080"}
gateways:
  gw:
    listeners: [{port: 8080}]
    routes:
%s
"""

WS = "      - {name: live, match: {path: /live}, service: chat, websocket: true}"
PLAIN = "      - {name: history, match: {path: /history}, service: chat}"
FIXED = "      - {name: ping, match: {path: /ping}, respond: {body: {ok: true}}}"


def _notes(built) -> list[str]:
    return [d.message for d in built.diagnostics if "WebSocket" in d.message]


def test_websocket_routes_stay_http_routes(tmp_path):
    built = harness.build_text(tmp_path, SPEC % "\n".join([WS, PLAIN, FIXED]))
    assert not built.errors, [str(d) for d in built.errors]
    text = built.files["kong.yml"]
    assert kongcheck.check_all(text) == []
    routes = [r for s in built.doc()["services"] for r in s["routes"]]
    assert {r["name"].split("~")[0] for r in routes} >= {"live", "history", "ping"}
    # ws/wss are Kong Enterprise protocols: never written
    assert all(r["protocols"] == ["http", "https"] for r in routes), [r["protocols"] for r in routes]


def test_routes_without_websocket_are_named_in_a_note(tmp_path):
    built = harness.build_text(tmp_path, SPEC % "\n".join([WS, PLAIN, FIXED]))
    (note,) = _notes(built)
    assert "'history'" in note and "'live'" not in note and "'ping'" not in note
    assert [(d.code, d.effective_severity.name) for d in built.diagnostics if d.message == note] == [("GWC301", "INFO")]


def test_no_note_when_every_forwarding_route_allows_websocket(tmp_path):
    built = harness.build_text(tmp_path, SPEC % "\n".join([WS, FIXED]))
    assert _notes(built) == []
