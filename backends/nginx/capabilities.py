"""What the NGINX backend can express, importable without building anything.

Features implemented by the njs half (njs_policies.py) count only when that module is
present and says it handles them."""
from __future__ import annotations

from gatewayc.capabilities import Support, emulated, native, unsupported

from . import njs_bridge

_CORE: dict[str, Support] = {
    "routing.path.exact": native("location ="),
    "routing.path.prefix": native("location = /p plus location /p/ (segment-wise)"),
    "routing.path.regex": native("location ~ ^(?:re)\\z, PCRE; nginx matches the percent-decoded path"),
    "routing.method": native("if on $request_method inside the location"),
    "routing.header": native("if on $http_* inside the location; header names other than letters, digits and '-' cannot be matched"),
    "routing.query": native("a map over $args (first occurrence, raw percent-encoded value; names are "
                            "matched exactly, case-sensitively)"),
    "routing.hostname": native("map $host (hostnames) -> host class, a condition of host-specific candidates"),
    "routing.hostname.wildcard": native("*.example.com in the same map (longest wildcard first)"),
    "action.redirect": native("return 30x"),
    "action.respond": native("return with a JSON body"),
    "rewrite.path": native("rewrite ... break"),
    "rewrite.strip_prefix": native("rewrite ... break"),
    "rewrite.host": native("proxy_set_header Host"),
    "mirror": emulated("mirror module: a background subrequest with the body, tried once; the client's answer never "
                       "waits for the mirror, but nginx keeps the client's connection (its next request, or its close) "
                       "until the mirror has answered or timed out"),
    "listener.tls": native("listen ssl; keys from files only"),
    "listener.mtls": native("ssl_verify_client on"),
    "upstream.weighted": native("upstream server weight="),
    "upstream.timeouts": native("proxy_connect/read/send_timeout (nginx caps connect at 75s)"),
    "upstream.request_timeout": emulated("nginx has no whole-request timer: retries stop once it has passed "
                                         "(proxy_next_upstream_timeout) and every connect/send/read wait is capped "
                                         "at it, but a response that keeps trickling in can take longer"),
    "upstream.per_try_timeout": emulated("every connect/send/read wait of a try is capped at per_try (nginx has no "
                                         "timer for a whole try: a response that keeps trickling in can take longer); "
                                         "with `request`, a retry starts only while a whole try still fits in it"),
    "upstream.retry": emulated("proxy_next_upstream + proxy_next_upstream_tries (attempts = tries in all); nginx "
                               "never tries one upstream server twice, so a service with fewer targets than "
                               "attempts lists each target again; it can retry on 500, 502, 503, 504, 403, 404 "
                               "and 429 only"),
    "upstream.retry.backoff": unsupported("nginx retries the next target at once; there is no backoff"),
    "upstream.health_check": unsupported("active health checks are NGINX Plus only; use a circuit breaker for "
                                         "passive ejection"),
    "upstream.circuit_breaker": emulated("passive ejection with max_fails/fail_timeout: a target is out for "
                                         "open_for (whole seconds) after consecutive_failures failed tries within "
                                         "open_for, then one request tries it again; failure_percent is "
                                         "approximated; a failure status counts only on a try that retries follow, so "
                                         "failure_statuses that no retry covers are refused (GWC310)"),
    "upstream.websocket": native("Upgrade/Connection from a map that passes only `websocket`, on those routes only; "
                                 "nginx tunnels once the service answers 101"),
    "rate_limit.token_bucket": native("limit_req burst nodelay (a token bucket of burst+1), one zone per budget; "
                                      "rates are whole requests per second or minute"),
    "rate_limit.fixed_window": emulated("a token bucket holding one window's worth (burst requests-1), refilled "
                                        "steadily: no window boundaries"),
    "rate_limit.sliding_window": emulated("a token bucket holding one window's worth, refilled steadily"),
    "rate_limit.leaky_bucket": native("limit_req without nodelay: up to burst requests wait and leave at the rate"),
    "rate_limit.key.header": native("limit_req_zone keyed on h$http_* without the spaces and tabs around it: "
                                    "requests without the header share the budget of the empty value"),
    "rate_limit.shared": unsupported("limit_req zones live in one nginx instance's shared memory"),
    "concurrency_limit": native("limit_conn"),
    "cache": native("proxy_cache; upstream Cache-Control/Expires/Set-Cookie still take precedence over the TTL"),
    "cors": native("map on $http_origin, preflight answered with 204"),
    "ip_filter": native("allow/deny; deny wins over allow"),
    "body_limit": native("client_max_body_size"),
    "transform.request.headers": native("proxy_set_header; `add` joins with the client's value as one "
                                        "comma-separated header"),
    "transform.request.query": emulated("$args rewritten with regexes: one occurrence per name is removed or "
                                        "renamed; values stay percent-encoded"),
    "transform.response.headers": emulated("proxy_hide_header + add_header always; not `Server` or `Date`: "
                                           "nginx always sends its own (GWC310)"),
    "validation.required": native("an empty header or parameter counts as missing"),
    "observability.access_log": native("log_format escape=json, written to access.log in the prefix"),
    "observability.request_id": native("incoming header, else $request_id"),
    "observability.trace_context": emulated("incoming traceparent/tracestate (or B3) headers reach the upstream "
                                            "unchanged; nginx starts no trace and adds no span of its own"),
    "answers.errors": native("error_page for every status nginx makes, to answer locations whose body is a map "
                             "on $status"),
    "observability.tracing": unsupported("nginx-light has no OpenTelemetry module: no spans are made or exported"),
    "auth.mtls": unsupported("client certificate subject checks are not implemented for nginx"),
}

# features only the njs half can provide, with the note they get when it is missing
_NJS = ("auth.jwt.hmac", "auth.jwt.public_key", "auth.jwt.jwks_url", "auth.jwt.forward_claims", "auth.api_key",
        "auth.basic", "auth.any_of", "auth.all_of", "auth.mtls", "rate_limit.key.consumer", "rate_limit.key.claim",
        "transform.request.body", "transform.request.body.rename", "validation.body_schema", "aggregation", "observability.metrics")


def _table() -> dict[str, Support]:
    table = dict(_CORE)
    for f in _NJS:
        if njs_bridge.handles(f):
            table[f] = getattr(njs_bridge.NJS, "NJS_CAPABILITIES", {}).get(f, native("implemented in njs"))
        elif f not in table:
            table[f] = unsupported("needs the njs module of this backend, which is not available in this build")
    return dict(sorted(table.items()))


CAPABILITIES: dict[str, Support] = _table()
