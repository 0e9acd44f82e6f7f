"""What the AWS API Gateway backend can express (REST API by default, HTTP API with
`--aws-api http`). Importable on its own. A feature that only one API type has is declared
here by what it does there; the backend refuses it on the other type (GWC310)."""
from __future__ import annotations

from gatewayc.capabilities import Support, emulated, native, unsupported

_MANAGED = "API Gateway is a managed endpoint: "

CAPABILITIES: dict[str, Support] = {
    "routing.path.exact": native("a resource (REST) or route (HTTP API) per path; segments of A-Za-z0-9._-:, only"),
    "routing.path.prefix": native("the prefix's resource and a greedy `{proxy+}` child on it and on every resource "
                                  "below it"),
    "routing.path.regex": unsupported("API Gateway matches resource paths, never regular expressions"),
    "routing.method": native("one OpenAPI operation per method, `x-amazon-apigateway-any-method` for any method"),
    "routing.header": unsupported("API Gateway cannot route on request headers"),
    "routing.query": unsupported("API Gateway cannot route on query parameters"),
    "routing.hostname": unsupported(_MANAGED + "a hostname maps a whole API through a custom domain name (with an "
                                    "ACM certificate); build one gateway per hostname"),
    "routing.hostname.wildcard": unsupported(_MANAGED + "wildcard custom domains map a whole API"),
    "action.redirect": emulated("REST: a MOCK integration answering the status with a fixed Location (the HTTP "
                                "API has no MOCK integration), which cannot keep the request's query string: built "
                                "only when `action.redirect` is accepted (GWC302); a redirect that keeps the "
                                "request's path or host cannot be built"),
    "action.respond": native("REST: a MOCK integration with the body as its response template (the HTTP API has "
                             "no MOCK integration)"),
    "rewrite.path": native("the integration URI: the new prefix before `{proxy}`, or the full path"),
    "rewrite.strip_prefix": native("the integration URI: `{proxy}` right after the service's base path"),
    "rewrite.host": unsupported("API Gateway sets Host to the integration URI's host"),
    "mirror": unsupported("API Gateway has no request mirroring"),
    "listener.tls": unsupported(_MANAGED + "HTTPS with an ACM certificate on a custom domain name, not a "
                                "certificate file"),
    "listener.mtls": unsupported(_MANAGED + "mutual TLS is a custom domain name's truststore in S3"),
    "upstream.weighted": unsupported("an integration has one URI: no load balancing over several targets"),
    "upstream.timeouts": emulated("timeoutInMillis bounds the whole integration call (connect and response); "
                                  "gatewayc sets it to connect + read, or the request timeout when that is less"),
    "upstream.request_timeout": native("timeoutInMillis (REST 50-29000 ms, HTTP API 50-30000 ms; outside: an error)"),
    "upstream.per_try_timeout": native("timeoutInMillis: API Gateway makes one try"),
    "upstream.retry": unsupported("API Gateway never retries an integration"),
    "upstream.retry.backoff": unsupported("API Gateway never retries an integration"),
    "upstream.health_check": unsupported("an integration has no health checks"),
    "upstream.circuit_breaker": unsupported("API Gateway has no circuit breaker or outlier detection"),
    "upstream.websocket": unsupported("WebSocket APIs are a separate API type with their own routes"),
    "auth.jwt.hmac": unsupported("API Gateway JWT authorizers verify RSA signatures only"),
    "auth.jwt.public_key": unsupported("API Gateway JWT authorizers fetch keys from the issuer's OpenID discovery "
                                       "document, never from a JWKS file"),
    "auth.jwt.jwks_url": native("HTTP API: a native `jwt` authorizer (issuer, audiences; RS256/384/512); API "
                                "Gateway fetches the keys through the issuer's OpenID discovery document (a warning "
                                "says so). REST: refused (no JWT authorizer gatewayc can write in OpenAPI)"),
    "auth.jwt.forward_claims": native("HTTP API: parameter mapping `overwrite:header.X` from "
                                      "`$context.authorizer.claims.<claim>`; every other route removes the header"),
    "auth.api_key": native("REST: an `x-api-key` security scheme (apiKeyRequired), one usage plan per gateway and "
                           "one API key per `keys` reference, its value a NoEcho template parameter (one key each); "
                           "header `X-API-Key` only"),
    "auth.basic": unsupported("API Gateway has no basic auth (only through a Lambda authorizer)"),
    "auth.mtls": unsupported("API Gateway cannot check a client certificate's subject per route"),
    "auth.any_of": unsupported("an API Gateway method has one authorizer"),
    "auth.all_of": unsupported("an API Gateway method has one authorizer (and API keys on REST only)"),
    "rate_limit.token_bucket": emulated("REST: a usage plan's throttle, a token bucket per API key (`key: consumer` "
                                        "under api_key auth only: API Gateway's stage and method throttles count "
                                        "every client together); AWS applies throttles on a best-effort basis"),
    "rate_limit.fixed_window": emulated("a usage plan quota (per API key) when the period is a day or a week; "
                                        "otherwise the usage plan's token bucket holding one period's worth (GWC311)"),
    "rate_limit.sliding_window": emulated("the usage plan's token bucket holding one period's worth (GWC311)"),
    "rate_limit.leaky_bucket": emulated("the usage plan's token bucket holding one period's worth (GWC311)"),
    "rate_limit.key.header": unsupported("API Gateway throttles per stage, method or API key, never per header "
                                         "value"),
    "rate_limit.key.consumer": native("REST: usage plan throttles count per API key"),
    "rate_limit.key.claim": unsupported("API Gateway throttles per stage, method or API key, never per JWT claim"),
    "rate_limit.shared": native("API Gateway's counters are regional, shared by everything serving the API; the "
                                "Redis store is not used"),
    "concurrency_limit": unsupported("API Gateway has no concurrent-request limit"),
    "cache": emulated("REST: the stage's cache cluster (0.5 GB) and a method setting per cached method (TTL 1-3600 "
                      "s), keyed on the resource, the greedy path, `vary` headers and query parameters (and the API "
                      "key); a key holding the whole query string and `bypass` are refused, and API Gateway caches "
                      "every status (GWC311). The HTTP API has no cache"),
    "cors": native("HTTP API: `x-amazon-apigateway-cors`, one policy for the whole API (routes that differ: an "
                   "error). REST proxy integrations pass the service's response unchanged: refused there"),
    "ip_filter": native("REST: the resource policy (`x-amazon-apigateway-policy`) denies the route's methods to "
                        "addresses outside `allow` or in `deny` (403, the ACCESS_DENIED gateway response); a filter "
                        "whose patterns would cover another route's methods is refused. The HTTP API has none"),
    "body_limit": unsupported("API Gateway's payload limit is a fixed 10 MB"),
    "transform.request.headers": native("REST: requestParameters set headers (set only); HTTP API: parameter "
                                        "mapping append/overwrite/remove"),
    "transform.request.query": native("REST: requestParameters set query parameters (set only); HTTP API: "
                                      "parameter mapping append/overwrite/remove"),
    "transform.request.body": unsupported("proxy integrations pass the body unchanged"),
    "transform.request.body.rename": unsupported("proxy integrations pass the body unchanged"),
    "transform.response.headers": unsupported("REST proxy integrations pass the service's response unchanged"),
    "validation.body_schema": unsupported("not built for API Gateway yet (REST request validators and models)"),
    "validation.required": native("REST: required operation parameters checked by a request validator, answered "
                                  "by the BAD_REQUEST_PARAMETERS gateway response (one status and body for the whole "
                                  "API; a blank value is refused too, GWC311). The HTTP API has no request "
                                  "validation"),
    "aggregation": unsupported("API Gateway cannot aggregate responses of several services (only a Lambda or "
                               "Step Functions integration could)"),
    "observability.metrics": unsupported("API Gateway's metrics are CloudWatch's, not a Prometheus endpoint"),
    "observability.access_log": native("the stage's access log settings into a CloudWatch Logs group of the "
                                       "template, JSON or text from `$context` variables (the path without the "
                                       "query string); a REST API needs the account's CloudWatch Logs role"),
    "observability.request_id": unsupported("API Gateway makes its own request id (x-amzn-RequestId)"),
    "observability.trace_context": emulated("incoming traceparent/tracestate (or B3) headers reach the service "
                                            "unchanged; no tracing is configured"),
    "observability.tracing": unsupported("API Gateway traces with X-Ray, not OTLP"),
    "answers.errors": native("REST: gateway responses; the HTTP API answers with its own bodies (GWC311)"),
}
