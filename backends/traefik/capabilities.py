"""What the Traefik v3 (3.7, OSS) backend can express. Importable on its own."""
from __future__ import annotations

from gatewayc.capabilities import Support, emulated, native, unsupported

CAPABILITIES: dict[str, Support] = {
    "routing.path.exact": native("Path(`/p`) on the percent-decoded path"),
    "routing.path.prefix": native("Path(`/p`) || PathPrefix(`/p/`)"),
    "routing.path.regex": native("PathRegexp(`^(?:re)$`), Go RE2 on the percent-decoded path"),
    "routing.method": native("Method()"),
    "routing.header": native("Header() / HeaderRegexp(`^(?:re)$`)"),
    "routing.query": native("Query() / QueryRegexp(`^(?:re)$`) on the decoded values"),
    "routing.hostname": native("Host()"),
    "routing.hostname.wildcard": native("HostRegexp(): any number of labels, as the spec means"),
    "action.redirect": native("gatewayc's Traefik plugin, with the spec's status for every method (Traefik's "
                              "redirectRegex sends 308/307 instead of 301/302 to methods other than GET)"),
    "action.respond": native("gatewayc's Traefik plugin (shipped in the output, loaded from disk)"),
    "rewrite.path": native("replacePath / replacePathRegex (Traefik adds X-Replaced-Path)"),
    "rewrite.strip_prefix": native("replacePathRegex on whole segments (Traefik adds X-Replaced-Path)"),
    "rewrite.host": native("gatewayc's Traefik plugin (Traefik's headers middleware cannot change the Host)"),
    "listener.tls": native("an entry point per listener; routers with `tls.options` per listener; certificates "
                           "in the file provider's store (chosen by SNI)"),
    "listener.mtls": native("TLS options clientAuth RequireAndVerifyClientCert"),
    "upstream.weighted": native("loadBalancer server weights"),
    "upstream.timeouts": emulated("serversTransport forwardingTimeouts: connect = dialTimeout, read = "
                                  "responseHeaderTimeout (until the response headers, not between two reads); "
                                  "no send timeout; a route with its own timeouts gets its own service"),
    "upstream.request_timeout": emulated("every wait is capped at it (dialTimeout, responseHeaderTimeout), but a "
                                         "response body that keeps trickling in can take longer"),
    "upstream.per_try_timeout": emulated("each try's dialTimeout and responseHeaderTimeout are capped at it; a "
                                         "response body that keeps trickling in can take longer"),
    "upstream.websocket": native("Traefik proxies the upgrade; gatewayc's plugin lets only `Upgrade: websocket` "
                                 "through, and routes without `websocket: true` remove Upgrade"),
    "upstream.retry": emulated("retry middleware on the service (3.7): attempts = tries in all; the service's "
                               "statuses, timeouts (on_timeout) and connection failures apart, through gatewayc's "
                               "plugin; a retry may go to the same target again"),
    "upstream.retry.backoff": emulated("retry initialInterval = base: Traefik's exponential backoff has no "
                                       "maximum of its own"),
    "upstream.health_check": emulated("loadBalancer healthCheck: one failed check takes a target out and one "
                                      "success brings it back (no thresholds)"),
    "upstream.circuit_breaker": emulated("passive health check (3.6+): a target is out for open_for after "
                                         "consecutive_failures failed requests (any 5xx or connection error) "
                                         "within open_for; no half-open probe"),
    "auth.jwt.hmac": emulated("gatewayc's Traefik plugin (Traefik OSS has no JWT middleware): the secret "
                              "(variable or file) is read when Traefik loads the configuration"),
    "auth.jwt.public_key": emulated("gatewayc's Traefik plugin, with the JWKS file's keys as PEM (kid selects "
                                    "the key)"),
    "auth.jwt.jwks_url": unsupported("gatewayc's Traefik plugin does not fetch JWKS"),
    "auth.jwt.forward_claims": native("gatewayc's Traefik plugin sets the headers; every route of the gateway "
                                      "removes them from client requests"),
    "auth.api_key": emulated("gatewayc's Traefik plugin: the keys (variable or file) are read when Traefik "
                             "loads the configuration, compared through SHA-256 digests"),
    "auth.basic": emulated("basicAuth: a file must be htpasswd with bcrypt, apr1 (MD5) or SHA1 entries; "
                           "credentials from an environment variable are hashed with bcrypt when Traefik loads "
                           "the file, and bcrypt costs tens of milliseconds per request"),
    "auth.mtls": unsupported("Traefik cannot check a client certificate's subject per route"),
    "auth.any_of": unsupported("Traefik chains middlewares; it cannot try one auth method after another"),
    "auth.all_of": unsupported("not built for Traefik yet: gatewayc's plugin and basicAuth check one method each, "
                               "and nothing gives their chain's 401 every method's challenge"),
    "rate_limit.token_bucket": native("rateLimit: average/period with burst = burst + 1 tokens; a request over "
                                      "the limit waits up to 1/(2*rate) (500 ms at most) for a token before 429"),
    "rate_limit.fixed_window": emulated("a token bucket holding one window's worth, refilled steadily: no window "
                                        "boundaries"),
    "rate_limit.sliding_window": emulated("a token bucket holding one window's worth, refilled steadily"),
    "rate_limit.leaky_bucket": emulated("a token bucket of burst + 1: requests over it wait up to 1/(2*rate) "
                                        "(500 ms at most), not in a queue of `burst`"),
    "rate_limit.key.header": native("sourceCriterion.requestHeaderName; without the header a request counts "
                                    "under the empty value"),
    "rate_limit.key.consumer": native("the route's auth middleware puts the verified consumer (JWT sub, API key "
                                      "digest, basic user) in a header the limit counts by and then removes"),
    "rate_limit.key.claim": native("gatewayc's JWT middleware puts the verified claim in a header the limit counts "
                                   "by and then removes; without the claim, the client address"),
    "rate_limit.shared": native("rateLimit.redis (Traefik 3.4+): the buckets live in Redis under the "
                                "middleware's name, shared by every Traefik instance; the password from an "
                                "environment variable"),
    "concurrency_limit": unsupported("inFlightReq counts per source, and not with the spec's status"),
    "cache": unsupported("HTTP caching is Traefik Hub only"),
    "cors": native("headers middleware accessControl*; Traefik answers preflights itself"),
    "ip_filter": native("ipAllowList; deny ranges are taken out of the allowed ranges"),
    "body_limit": native("buffering maxRequestBodyBytes: 413; the request body is buffered first; 0 (no body) "
                         "by gatewayc's plugin"),
    "transform.request.headers": emulated("headers middleware: set and remove only (no add or rename)"),
    "transform.request.query": unsupported("Traefik has no middleware that changes query parameters"),
    "transform.request.body": unsupported("Traefik has no middleware that changes request bodies"),
    "transform.request.body.rename": unsupported("Traefik has no middleware that changes request bodies"),
    "transform.response.headers": emulated("headers middleware: set and remove only (no add)"),
    "validation.body_schema": unsupported("Traefik has no request validation"),
    "validation.required": unsupported("Traefik has no request validation"),
    "mirror": native("a mirroring service (its answers are ignored); `percent` of the requests"),
    "aggregation": unsupported("Traefik cannot aggregate responses of several services"),
    "observability.metrics": unsupported("not emitted for Traefik yet (its Prometheus endpoint is static "
                                         "configuration on its own entry point)"),
    "observability.access_log": unsupported("not emitted for Traefik yet"),
    "observability.request_id": unsupported("Traefik OSS does not make request ids"),
    "observability.trace_context": emulated("incoming traceparent/tracestate (or B3) headers reach the upstream "
                                            "unchanged; no tracing is configured"),
    "observability.tracing": unsupported("not emitted for Traefik yet"),
    "answers.errors": native("gatewayc's Traefik plugin gives every answer Traefik makes on a route (401, 403, "
                             "413, 429, 502, 503, 504) and the not-found answer the gateway's body for its "
                             "status; a request Go's HTTP server cannot parse gets its text/plain 400 (431 "
                             "for headers over 1 MiB)"),
}
