/*
 * Credentials that must go no further than the gateway (docs/spec.md, "Credentials
 * upstream" and "Credentials in logs"): out of the query string and the Cookie header a
 * route forwards when its auth says hide_credentials, and out of the access log always.
 * Names are matched the way the auth check reads them (util.queryParam, util.cookie), and
 * every occurrence goes, not only the first one the check read.
 */
import util from 'gwc_util.js';

var MASK = 'REDACTED';

function copy(v) {
    // preloaded objects are frozen and their arrays lack indexOf (see util.routeConfig)
    return JSON.parse(JSON.stringify(v));
}

/* `query` (the text after '?') without the parameters whose decoded name is in `names`, or,
 * with `mask`, with their values replaced by it. Everything else stays byte for byte. */
function filterQuery(query, names, mask) {
    if (!query || !names.length) {
        return query;
    }
    var out = [];
    var pairs = query.split('&');
    for (var i = 0; i < pairs.length; i++) {
        var eq = pairs[i].indexOf('=');
        var k = eq < 0 ? pairs[i] : pairs[i].slice(0, eq);
        if (names.indexOf(util.decode(k)) < 0) {
            out.push(pairs[i]);
        } else if (mask !== undefined) {
            out.push(k + '=' + mask);
        }
    }
    return out.join('&');
}

function hidden(r) {
    return util.routeConfig(r).hide || {query: [], cookies: []};
}

// js_set: the query string the route forwards. On any error nothing of it goes.
function args(r) {
    try {
        return filterQuery(r.variables.args || '', hidden(r).query);
    } catch (e) {
        r.error(String(e.message || e));
        return '';
    }
}

// js_set: the Cookie header the route forwards ('' leaves the header out).
function cookie(r) {
    try {
        var raw = util.header(r, 'Cookie');
        if (!raw) {
            return '';
        }
        var names = hidden(r).cookies;
        return raw.split(';').map(function (c) { return c.trim(); }).filter(function (c) {
            var eq = c.indexOf('=');
            return c !== '' && !(eq > 0 && names.indexOf(c.slice(0, eq)) >= 0);
        }).join('; ');
    } catch (e) {
        r.error(String(e.message || e));
        return '';
    }
}

// js_set, read by the access log: $request_uri with every credential parameter masked.
function loggedUri(r) {
    var uri = r.variables.request_uri || '';
    var q = uri.indexOf('?');
    if (q < 0) {
        return uri;
    }
    try {
        var redact = copy(gwc_config.log_redact);
        var gw = r.variables.gwc_gateway;
        var names = Object.prototype.hasOwnProperty.call(redact, gw) ? redact[gw] : [];
        return uri.slice(0, q + 1) + filterQuery(uri.slice(q + 1), names, MASK);
    } catch (e) {
        return uri.slice(0, q + 1) + MASK;
    }
}

export default {args, cookie, loggedUri};
