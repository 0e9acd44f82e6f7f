"""What the Envoy (>= 1.30; floor.py: features that need newer) backend can express. Importable on its own."""
from __future__ import annotations

from gatewayc.capabilities import Support, emulated, native, unsupported

CAPABILITIES: dict[str, Support] = {
    "routing.path.exact": native("route match `path` (the path after RFC 3986 normalisation)"),
    "routing.path.prefix": native("route match `path_separated_prefix`: whole segments"),
    "routing.path.regex": native("route match `safe_regex` (RE2, whole path)"),
    "routing.method": native("a `:method` header matcher"),
    "routing.header": native("header matchers, exact or `safe_regex` (whole value)"),
    "routing.query": native("query_parameters matchers, exact or `safe_regex` (whole value)"),
    "routing.hostname": native("a virtual host per hostname, holding the routes for it in precedence order"),
    "routing.hostname.wildcard": native("a virtual host `*.example.com`: any number of labels, as the spec means"),
    "action.redirect": native("a lua script per route builds the Location (Envoy's route `redirect` takes the "
                              "port from the Host header only, and keeps it under a new scheme)"),
    "action.respond": native("route `direct_response`"),
    "rewrite.path": native("regex_rewrite (segment-wise for a prefix: two routes, /p and /p/...)"),
    "rewrite.strip_prefix": native("regex_rewrite (segment-wise: two routes, /p and /p/...)"),
    "rewrite.host": native("host_rewrite_literal"),
    "mirror": native("request_mirror_policies (answers ignored), runtime_fraction for `percent`"),
    "listener.tls": native("a listener per TLS listener with a DownstreamTlsContext; the key from a file or an "
                           "environment variable data source"),
    "listener.mtls": native("validation_context trusted_ca, require_client_certificate"),
    "upstream.weighted": native("ROUND_ROBIN with load_balancing_weight per endpoint"),
    "upstream.timeouts": emulated("connect = the cluster's connect_timeout; read and send = one "
                                  "per_try_idle_timeout (no byte either way for that long ends a try), the longer "
                                  "of the two"),
    "upstream.request_timeout": native("the route's timeout (every try included); without it the route's timeout "
                                       "is off, not Envoy's 15 s default"),
    "upstream.per_try_timeout": native("retry_policy per_try_timeout"),
    "upstream.retry": native("retry_policy: num_retries = attempts - 1, retriable-status-codes, connect-failure, "
                             "reset (timeouts); POST and PATCH are retried on statuses and timeouts only with "
                             "non_idempotent (a route of their own); the next try prefers another target"),
    "upstream.retry.backoff": emulated("retry_back_off base/max: Envoy's backoff is exponential with full jitter"),
    "upstream.health_check": native("active http_health_check with thresholds and expected statuses; no panic "
                                    "mode (healthy_panic_threshold 0)"),
    "upstream.circuit_breaker": emulated("outlier_detection: consecutive_5xx (or consecutive_gateway_failure when "
                                         "only 502-504 count) and failure_percentage; the host is out for "
                                         "open_for (ejection time capped at it) and comes back at the next sweep "
                                         "(at most 1 s later) with full traffic, not half_open_requests trial "
                                         "requests; no panic mode, so with every target out Envoy answers 503 "
                                         "at once; failure_percent is measured per `window` sweep; a target "
                                         "that fails again within about open_for of coming back is taken out "
                                         "only about 1 s later (measured, docs/targets/envoy.md)"),
    "upstream.websocket": native("route upgrade_configs websocket; the connection manager enables no upgrade "
                                 "of its own"),
    "auth.jwt.hmac": emulated("jwt_authn with the secret's `oct` JWKS from the variable NAME_JWKS (the deployment "
                              "derives it from the secret; a secret in a file is refused); Envoy checks the token's "
                              "alg against the key, not against `algorithms`; clock_skew in whole seconds, at least "
                              "1 s (Envoy reads 0 as 60 s)"),
    "auth.jwt.public_key": emulated("jwt_authn with the JWKS file (local_jwks, read by Envoy); Envoy checks the "
                                    "token's alg against the key type (and the key's `alg`), not against "
                                    "`algorithms`; clock_skew in whole seconds, at least 1 s (Envoy reads 0 as 60 s)"),
    "auth.jwt.jwks_url": emulated("jwt_authn remote_jwks with a cluster for the JWKS host: fetched when Envoy "
                                  "starts and kept 10 minutes; the host's certificate verified against the system "
                                  "CA bundle (/etc/ssl/certs/ca-certificates.crt) and the URL's host"),
    "auth.jwt.forward_claims": emulated("jwt_authn claim_to_headers: strings, numbers and booleans as they are, "
                                        "other claims (lists, objects) as base64 of their JSON; every route of the "
                                        "gateway removes those headers from client requests first"),
    "auth.api_key": emulated("the route's lua verdict step: the keys (comma-separated variable, or one per line in "
                             "the file) are read once per Envoy worker on its first request (a changed file needs a "
                             "restart)"),
    "auth.basic": emulated("basic_auth filter per route: the users file must be htpasswd with {SHA} entries (the "
                           "only hash Envoy reads), and cannot be a choice of any_of; users from a variable are "
                           "compared by the route's lua verdict step"),
    "auth.mtls": emulated("the route's lua verdict step: a client certificate the listener validated (its "
                          "client_ca), its subject (RFC 2253 form) one of `subjects`"),
    "auth.any_of": emulated("the route's lua verdict step after jwt_authn (tokens checked, none refused: "
                            "allow_missing_or_failed, payloads in the metadata); basic cannot be a choice (Envoy's "
                            "basic_auth refuses on its own)"),
    "auth.all_of": emulated("each method checked: jwt_authn and the lua verdict step, basic_auth for basic"),
    "rate_limit.token_bucket": native("local_ratelimit descriptor per budget: max_tokens = burst + 1, refilled "
                                      "continuously at requests/per"),
    "rate_limit.fixed_window": emulated("a token bucket holding one window's worth, refilled continuously: no "
                                        "window boundaries"),
    "rate_limit.sliding_window": emulated("a token bucket holding one window's worth, refilled continuously"),
    "rate_limit.leaky_bucket": emulated("a token bucket of burst + 1: a request over it is refused at once, not "
                                        "queued"),
    "rate_limit.key.header": native("a dynamic descriptor per header value (100000 values kept, least recently "
                                    "used out first); without the header (or with an empty one) a request counts "
                                    "under one shared value"),
    "rate_limit.key.consumer": emulated("a second local_ratelimit filter after the route's lua verdict step, "
                                        "which names the verified identity (JWT `sub`, the API key's place in "
                                        "its list, the basic user, the certificate subject) in the dynamic "
                                        "metadata; a refused request never reaches it"),
    "rate_limit.key.claim": emulated("as rate_limit.key.consumer, by the claim of the verified token (a string, "
                                     "number or boolean; another claim, or none: the client address)"),
    "rate_limit.shared": unsupported("a shared budget needs Envoy's global rate-limit service (a gRPC server "
                                     "in front of Redis), which gatewayc does not configure"),
    "concurrency_limit": unsupported("Envoy's circuit breakers cap a cluster, not a route, and answer 503"),
    "cache": emulated("the cache filter (SimpleHttpCache, in each Envoy's memory) in front of an internal "
                      "listener per cached route; the ttl is the answers' Cache-Control max-age (whole seconds, "
                      "replacing the service's; answers marked private, no-store or no-cache, or setting a "
                      "cookie, are never stored); a HEAD is answered from what a GET stored but never stored "
                      "itself; a request with an Authorization header is never answered from the cache"),
    "cors": native("cors filter with a CorsPolicy per route; Envoy answers preflights itself"),
    "ip_filter": native("rbac filter with an RBACPerRoute: direct_remote_ip (the peer, never X-Forwarded-For)"),
    "body_limit": native("buffer filter per route (max_request_bytes): 413; the request body is buffered first; "
                         "0 (no body) is a lua script on Content-Length and Transfer-Encoding"),
    "transform.request.headers": emulated("route request_headers_to_add / _remove: set, add and remove (no "
                                          "rename)"),
    "transform.request.query": emulated("a lua step after authentication (the names and values are route "
                                        "metadata): every occurrence of a name; values stay percent-encoded"),
    "transform.request.body": emulated("a lua step after authentication (gatewayc's JSON code; the mapping is "
                                       "route metadata, not script text): the whole body is read, without "
                                       "Envoy's 1 MiB limit; key order and untouched numbers are kept as sent"),
    "transform.request.body.rename": emulated("a lua step, as transform.request.body"),
    "transform.response.headers": native("route response_headers_to_add / _remove"),
    "validation.body_schema": unsupported("Envoy has no JSON Schema validation"),
    "validation.required": emulated("a lua step after authentication (the names are route metadata): a missing "
                                    "or empty header or query parameter is refused"),
    "aggregation": emulated("a lua step after authentication calls the parts' clusters with httpCall one "
                            "after another (Envoy's lua awaits one call at a time): the answer takes the sum of "
                            "the parts' times, not the longest; each part's timeout is its whole call; parts are "
                            "not retried; with on_failure fail the first failed part ends the request"),
    "observability.metrics": native("the admin interface's /stats/prometheus (admin on a Unix socket in the "
                                    "working directory), routed from the metrics path"),
    "observability.access_log": native("file access log to standard output, JSON or text; without the query "
                                       "string on a gateway that takes credentials from it"),
    "observability.request_id": emulated("x-request-id only (Envoy's request id extension): kept when the client "
                                         "sends one, made otherwise when `generate`, echoed in the response"),
    "observability.trace_context": emulated("incoming traceparent/tracestate (or B3) headers reach the upstream "
                                            "unchanged; no tracing is configured"),
    "observability.tracing": unsupported("not emitted for Envoy yet"),
    "answers.errors": native("local_reply_config mappers, one per status"),
}
