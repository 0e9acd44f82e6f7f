/*
 * Response aggregation: one subrequest per part, all in flight at once, each to an
 * internal location that proxies to the part's service with the part's timeout.
 * A part succeeds with a 2xx status and a JSON body; otherwise the route's on_failure
 * decides: null, omit the key, or fail the whole request with the gateway's 502.
 */
import util from 'gwc_util.js';

function fetchPart(r, part) {
    return r.subrequest(part.uri, {method: part.method}).then(function (reply) {
        if (reply.status < 200 || reply.status > 299) {
            return {ok: false};
        }
        try {
            return {ok: true, value: JSON.parse(reply.responseText)};
        } catch (e) {
            return {ok: false};
        }
    }, function () {
        return {ok: false};
    });
}

async function handle(r) {
    var cfg = util.routeConfig(r).aggregate;
    var results = await Promise.all(cfg.parts.map(function (p) { return fetchPart(r, p); }));
    var out = {};
    var failed = [];
    for (var i = 0; i < cfg.parts.length; i++) {
        var key = cfg.parts[i].key;
        if (results[i].ok) {
            util.put(out, key, results[i].value);
        } else {
            failed.push(key);
            if (cfg.on_failure === 'null') {
                util.put(out, key, null);
            }
        }
    }
    if (failed.length && cfg.on_failure === 'fail') {
        // No body: nginx's error_page answers with the gateway's 502 (docs/spec.md,
        // "Answers the gateway makes itself"); which parts failed goes to the error log.
        r.error('gatewayc aggregate: failed parts: ' + JSON.stringify(failed));
        r.return(502);
        return;
    }
    r.headersOut['Content-Type'] = 'application/json';
    r.return(200, JSON.stringify(out));
}

export default {handle};
