"""The oldest Envoy the output is written for, and the features that need a newer one.

Every field the backend writes is in Envoy 1.30's API (tests/envoy/test_envoy_api_floor.py reads
every output against the 1.30 field list vendored in tests/envoy/api_1_30/), except the fields
the features below need. A build that uses one of them says so once (GWC301, info), naming the
feature and the Envoy it needs: a 1.30 Envoy would refuse the whole file on the unknown field,
and an output must never be silently unreadable by the Envoy the documentation promises.

The versions are those of the Envoy API change that added the field (see
tests/envoy/api_1_30/NOTICE.md for the evidence of each); docs/targets/envoy.md lists them."""
from __future__ import annotations

from dataclasses import dataclass

from gatewayc.diagnostics import Location

from .context import Ctx

FLOOR = "1.30"


@dataclass(frozen=True)
class Newer:
    title: str
    version: str
    why: str
    fields: tuple[str, ...]  # "<message full name>.<field>": what 1.30 lacks


LRL = "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"
NEWER: dict[str, Newer] = {
    "rate_limit": Newer(
        "rate limits", "1.35",
        "a token bucket per key value: local_ratelimit's dynamic descriptors (1.34), bounded by "
        "max_dynamic_descriptors, filled by the filter's own rate_limits actions (1.32)",
        (f"{LRL}.rate_limits", f"{LRL}.max_dynamic_descriptors")),
    "mirror": Newer(
        "mirror", "1.31",
        "the mirrored request keeps the client's Host (disable_shadow_host_suffix_append; older Envoys "
        "append -shadow to it)",
        ("envoy.config.route.v3.RouteAction.RequestMirrorPolicy.disable_shadow_host_suffix_append",)),
    "cache": Newer(
        "cache", "1.31",
        "the policy, not the client's Cache-Control or Pragma, decides whether a stored answer is used "
        "(ignore_request_cache_control_header)",
        ("envoy.extensions.filters.http.cache.v3.CacheConfig.ignore_request_cache_control_header",)),
    "transform.request.body": Newer(
        "JSON body mapping", "1.36",
        "the route's request_body_buffer_limit, so that a body past Envoy's 1 MiB buffer is read whole; "
        "for such bodies Envoy 1.40 is tested, 1.36.2 answers 413",
        ("envoy.config.route.v3.Route.request_body_buffer_limit",)),
}


def needs(ctx: Ctx, feature: str, loc: Location | None) -> None:
    """Says once per build that the output uses `feature`, which needs a newer Envoy than FLOOR."""
    if feature in ctx.newer:
        return
    ctx.newer.add(feature)
    n = NEWER[feature]
    ctx.info(f"{n.title}: this output needs Envoy >= {n.version} ({n.why}); what it holds besides the "
             f"features that name a version reads on Envoy >= {FLOOR}", loc)
