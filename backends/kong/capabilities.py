"""What the Kong (OSS 3.x, DB-less / decK) backend can express. Importable on its own."""
from __future__ import annotations

from gatewayc.capabilities import Support, emulated, native, unsupported

CAPABILITIES: dict[str, Support] = {
    "routing.path.exact": native("a regex path `~/p$`"),
    "routing.path.prefix": native("a regex path `~/p(?:/|$)`: whole segments, and strip_path removes only the prefix"),
    "routing.path.regex": native("a regex path, anchored at both ends"),
    "routing.method": native("when any route matches methods, the others list all nine standard methods so that "
                             "Kong's router ranks them as the spec does; other methods only reach method routes"),
    "routing.header": emulated("Kong compares header values case-insensitively, and ranks a route with header "
                               "matches above routes without; the build fails where that would change which route "
                               "answers"),
    "routing.query": unsupported("Kong OSS routes cannot match query parameters (only the expressions router can)"),
    "routing.hostname": native(),
    "routing.hostname.wildcard": native(),
    "action.redirect": emulated("redirect plugin (Kong 3.9+): a fixed scheme, host and port with the request's path "
                                "and query; the parts the spec leaves to the request must be known from the "
                                "listeners or the route's one hostname, and a rewritten path cannot keep the query"),
    "action.respond": native("request-termination plugin"),
    "rewrite.path": native("service path with strip_path, or request-transformer replace.uri for a full path"),
    "rewrite.strip_prefix": native("strip_path: true"),
    "rewrite.host": native("request-transformer replace.headers host"),
    "mirror": unsupported("Kong OSS has no request mirroring plugin"),
    "listener.tls": emulated("listeners and the default certificate live in kong.conf (proxy_listen, ssl_cert, "
                             "ssl_cert_key), not in kong.yml; the build notes the values to set"),
    "listener.mtls": unsupported("client certificate verification is Kong Enterprise only"),
    "upstream.weighted": native("upstream targets with weights"),
    "upstream.timeouts": native("service connect/read/write timeouts"),
    "upstream.request_timeout": unsupported("Kong has no whole-request timeout, only connect/read/write"),
    "upstream.per_try_timeout": emulated("Kong's connect/write/read timeouts apply to each try: each is capped at "
                                         "per_try (waits between reads, not a timer for the whole try)"),
    "upstream.retry": emulated("service `retries`: Kong retries connection errors and timeouts only, never on "
                               "response statuses, and never non-idempotent requests"),
    "upstream.retry.backoff": unsupported("Kong retries immediately, with no backoff"),
    "upstream.health_check": native("upstream active health checks"),
    "upstream.circuit_breaker": emulated("passive health checks open the breaker after N failures; active checks "
                                         "probe the ejected target every `open_for` and close it after "
                                         "`half_open_requests` successes. Kong has no open-duration knob, no "
                                         "failure-percent trigger and no window"),
    "upstream.websocket": native("http/https routes pass `Upgrade: websocket` (and no other upgrade) to the "
                                 "service; Kong OSS passes it on every route, `websocket: true` or not (the build "
                                 "notes which)"),
    "auth.jwt.hmac": emulated("jwt plugin with one consumer per issuer: the token's `iss` selects the key (so "
                              "`issuer` is required), `exp` is always verified, only the first algorithm is accepted; "
                              "the secret comes from a decK env variable"),
    "auth.jwt.public_key": emulated("jwt plugin with one credential per JWKS key (PEM), selected by `iss` (one key) "
                                    "or `kid`; `exp` is always verified"),
    "auth.jwt.jwks_url": unsupported("Kong OSS cannot fetch JWKS (openid-connect is Enterprise)"),
    "auth.jwt.forward_claims": unsupported("the Kong OSS jwt plugin cannot copy claims into headers"),
    "auth.api_key": emulated("key-auth with one consumer per key variable; the decK variable holds one key "
                             "(no comma-separated lists)"),
    "auth.basic": emulated("basic-auth with one consumer per credentials variable; decK variables "
                           "<NAME>_USERNAME and <NAME>_PASSWORD hold one pair"),
    "auth.mtls": unsupported("mtls-auth is Kong Enterprise only"),
    "auth.any_of": emulated("every auth plugin falls back to an anonymous consumer and an acl plugin refuses it: "
                            "a request without valid credentials gets 403, not 401"),
    "auth.all_of": unsupported("Kong's acl plugin sees only the last authenticated consumer, so the other "
                               "credentials could belong to another route"),
    "rate_limit.fixed_window": native("rate-limiting plugin: a global plugin for the one budget several routes may "
                                      "share, a plugin on the route's service otherwise (Kong counts per plugin "
                                      "instance); a second budget shared by several routes is refused"),
    "rate_limit.token_bucket": emulated("Kong counts fixed windows; burst is not expressible"),
    "rate_limit.sliding_window": emulated("Kong counts fixed windows"),
    "rate_limit.leaky_bucket": emulated("Kong counts fixed windows"),
    "rate_limit.key.header": emulated("limit_by: header; Kong counts a request without the header under its client "
                                      "address instead of in the budget of the empty value"),
    "rate_limit.key.consumer": native("limit_by: consumer (API key or basic credentials; refused with JWT auth, "
                                      "whose Kong consumer is the issuer, not the `sub`)"),
    "rate_limit.key.claim": unsupported("Kong OSS cannot count by a JWT claim"),
    "rate_limit.shared": native("policy redis, sync_rate -1: every request is counted in Redis; the password "
                                "comes from a decK variable; fault_tolerant: Kong lets requests through while "
                                "Redis is unreachable"),
    "concurrency_limit": unsupported("Kong OSS has no concurrency limit plugin"),
    "cache": emulated("proxy-cache, strategy memory (per node); only application/json and text/plain responses "
                      "are cached and bypass rules are not expressible"),
    "cors": native("cors plugin"),
    "ip_filter": native("ip-restriction plugin"),
    "body_limit": native("request-size-limiting plugin"),
    "transform.request.headers": native("request-transformer"),
    "transform.request.query": native("request-transformer"),
    "transform.request.body": unsupported("JSON body mapping with `set` or `cast` is not possible on Kong OSS"),
    "transform.request.body.rename": emulated(
        "request-transformer rename.body, top-level fields only; Kong re-encodes the JSON body (key order not "
        "kept, numbers rounded to 14 significant digits), renames form-encoded and multipart fields too, and "
        "removes a field of the new name when the old one is missing"),
    "transform.response.headers": native("response-transformer"),
    "validation.body_schema": unsupported("request-validator is Kong Enterprise only"),
    "validation.required": unsupported("request-validator is Kong Enterprise only"),
    "aggregation": unsupported("Kong OSS cannot aggregate responses of several services"),
    "observability.metrics": emulated("prometheus plugin; Kong serves /metrics on its Status API (status_listen), "
                                      "not at the spec's path on the proxy"),
    "observability.access_log": unsupported("Kong's proxy access log is text (kong.conf); gatewayc emits no "
                                            "file-log plugin for JSON"),
    "observability.request_id": native("correlation-id plugin"),
    "observability.trace_context": emulated("Kong proxies incoming traceparent/tracestate (or B3) headers "
                                            "unchanged; without the opentelemetry plugin it adds no span"),
    "answers.errors": unsupported("Kong's own answers (failed auth, rate limits, body limits, upstream failures) "
                                  "take their {\"message\": ...} body from the plugin or kong.conf's error templates, "
                                  "not from kong.yml; only not_found and fixed responses carry the spec's body"),
    "observability.tracing": unsupported("gatewayc does not emit Kong's opentelemetry plugin yet"),
}
