"""How Kong 3.x counts rate limits over a generated kong.yml, written from Kong's source and
independently of the backend, so the two can disagree:

- which rate-limiting instance runs for a request: the most specific enabled one among the
  matched route's, its service's and the global plugin (kong/runloop/plugins_iterator.lua:
  route+service, route, service, global; disabled plugins are skipped altogether);
- which counter it spends: `ratelimit:<route_id>:<service_id>:<identifier>:<period>` with the
  ids of the entity the plugin is attached to, EMPTY when none
  (kong/plugins/rate-limiting/policies/init.lua get_local_key);
- the identifier: client ip, header value, consumer or service id, falling back to the client
  ip (kong/plugins/rate-limiting/handler.lua get_identifier);
- a request is refused when the usage already reached the limit (`remaining <= 0`), and
  counted only when it was not refused.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kong_router_sim import Request, _kong_route_match, kong_pick

EMPTY = "00000000-0000-0000-0000-000000000000"
PERIODS = ("second", "minute", "hour", "day", "month", "year")


@dataclass
class KongCounters:
    doc: dict
    counts: dict[tuple, int] = field(default_factory=dict)

    def _instance(self, service: dict, route: dict) -> tuple[dict, str, str] | None:
        """(plugin, route id, service id) of the rate-limiting instance Kong runs."""
        def enabled(ps):
            return next((p for p in ps or [] if p["name"] == "rate-limiting" and p.get("enabled", True)), None)
        for ps, rid, sid in ((route.get("plugins"), route["id"], EMPTY),
                             (service.get("plugins"), EMPTY, service["id"]),
                             (self.doc.get("plugins"), EMPTY, EMPTY)):
            p = enabled(ps)
            if p is not None:
                return p, rid, sid
        return None

    def request(self, path: str, client: str = "10.0.0.1", headers: dict[str, str] | None = None,
                consumer: str | None = None, host: str = "api.example.com") -> int:
        """429 when Kong's rate limiting refuses the request, else 200 (what follows is not simulated)."""
        q = Request(host, path, "GET", tuple((k.lower(), v) for k, v in (headers or {}).items()))
        name, _ = kong_pick(self.doc, q)
        service = next(s for s in self.doc["services"] if s["name"] == name)
        route = next(r for r in service["routes"] if _kong_route_match(r, q) is not None)
        found = self._instance(service, route)
        if found is None:
            return 200
        p, rid, sid = found
        conf = p["config"]
        by = conf.get("limit_by", "consumer")
        ident = {"ip": None, "consumer": consumer, "header": q.header(conf.get("header_name") or ""),
                 "service": service["id"]}.get(by)
        ident = ident if ident is not None else client
        keys = [((rid, sid, ident, period), conf[period]) for period in PERIODS if conf.get(period)]
        if any(self.counts.get(k, 0) >= limit for k, limit in keys):
            return 429
        for k, _ in keys:
            self.counts[k] = self.counts.get(k, 0) + 1
        return 200
