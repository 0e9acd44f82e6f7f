/*
 * Route authentication, run as the auth_request subrequest of a route's location:
 * 204 lets the request through, 401 sends it to the route's failure location (nginx
 * passes only 2xx/401/403 back from auth_request, so the spec's own failure status and
 * body are produced there, not here).
 */
import cr from 'crypto';
import util from 'gwc_util.js';
import jwt from 'gwc_jwt.js';

function claimValue(v) {
    var s = typeof v === 'string' ? v : JSON.stringify(v);
    // A header value cannot carry line breaks or other control characters.
    return s.replace(/[\x00-\x1f\x7f]/g, ' ');
}

function apiKeyGiven(r, node) {
    return node.header ? util.header(r, node.header) : util.queryParam(r, node.query);
}

function apiKeyList(node) {
    var raw = util.readSecret(node.keys);
    var list = node.keys.kind === 'env' ? raw.split(',') : raw.split('\n');
    return list.map(function (k) { return k.trim(); }).filter(function (k) { return k !== ''; });
}

function apiKeyOk(r, node) {
    var given = apiKeyGiven(r, node);
    if (!given) {
        return null;
    }
    var keys = apiKeyList(node);
    var ok = false;
    // No early exit: the time taken must not tell which key matched.
    for (var i = 0; i < keys.length; i++) {
        ok = util.stringsEqual(keys[i], given) || ok;
    }
    return ok ? given : null;
}

function basicGiven(r) {
    var h = util.header(r, 'Authorization');
    if (!h) {
        return null;
    }
    var m = /^\s*basic\s+([A-Za-z0-9+\/=]+)\s*$/i.exec(h);
    if (!m) {
        return null;
    }
    var text = Buffer.from(m[1], 'base64').toString('utf8');
    var c = text.indexOf(':');
    return c < 0 ? null : {user: text.slice(0, c), pass: text.slice(c + 1)};
}

// htpasswd schemes that need no crypt(3): nginx's own auth_basic covers the rest
// where the method can be native (alone or under all_of).
function htpasswdMatch(hash, pass) {
    if (hash.indexOf('{PLAIN}') === 0) {
        return util.stringsEqual(hash.slice(7), pass);
    }
    if (hash.indexOf('{SHA}') === 0) {
        var sha = cr.createHash('sha1').update(pass).digest('base64');
        return util.stringsEqual(hash.slice(5), sha);
    }
    if (hash.indexOf('{SSHA}') === 0) {
        var raw = Buffer.from(hash.slice(6), 'base64');
        if (raw.length <= 20) {
            return false;
        }
        var salt = raw.slice(20);
        var d = cr.createHash('sha1').update(Buffer.concat([Buffer.from(pass), salt])).digest();
        return util.bytesEqual(raw.slice(0, 20), d);
    }
    return null;
}

function basicOk(r, node) {
    var cred = basicGiven(r);
    if (cred === null) {
        return null;
    }
    var raw = util.readSecret(node.credentials);
    var ok = false;
    if (node.credentials.kind === 'env') {
        var pairs = raw.split(',');
        for (var i = 0; i < pairs.length; i++) {
            var c = pairs[i].indexOf(':');
            if (c > 0) {
                var same = util.stringsEqual(pairs[i].slice(0, c), cred.user) &
                           util.stringsEqual(pairs[i].slice(c + 1), cred.pass);
                ok = same === 1 || ok;
            }
        }
    } else {
        var lines = raw.split('\n');
        for (var j = 0; j < lines.length; j++) {
            var line = lines[j].replace(/\r$/, '');
            var k = line.indexOf(':');
            if (k > 0 && line.slice(0, k) === cred.user) {
                var m = htpasswdMatch(line.slice(k + 1), cred.pass);
                if (m === null) {
                    r.warn('gatewayc basic: htpasswd scheme of user entry not supported in njs; '
                           + 'use {PLAIN}, {SHA} or {SSHA} under any_of');
                }
                ok = m === true || ok;
            }
        }
    }
    return ok ? cred.user : null;
}

function mtlsOk(r, node) {
    if (r.variables.ssl_client_verify !== 'SUCCESS') {
        return null;
    }
    var dn = r.variables.ssl_client_s_dn;
    return (node.subjects.length === 0 || node.subjects.indexOf(dn) >= 0) ? dn : null;
}

/* The identity a consumer/claim limit counts by, found while auth runs: only a method
 * that passed names one, so a forged token beside a valid key, or a wrong password,
 * never names anybody. Long values are digested: nginx does not count a key over 64 KiB. */
var IDENTITY = 'X-Gwc-Identity';

function found(out, prefix, v) {
    if (out[IDENTITY] !== undefined || v === undefined || v === null) {
        return;
    }
    var s = claimValue(v);
    out[IDENTITY] = prefix + (s.length > 128 ? '#' + util.sha256hex(s) : ':' + s);
}

async function passes(r, node, out, limit) {
    var consumer = limit !== null && limit.kind === 'consumer';
    switch (node.type) {
    case 'jwt':
        var claims = await jwt.verify(r, node);
        if (claims === null) {
            return false;
        }
        node.forward.forEach(function (f) {
            var v = util.own(claims, f[0]);
            if (v !== undefined && v !== null) {
                out[f[1]] = claimValue(v);
            }
        });
        if (limit !== null) {
            found(out, 'c', util.own(claims, consumer ? 'sub' : limit.name));
        }
        return true;
    case 'api_key':
        var key = apiKeyOk(r, node);
        if (key !== null && consumer) {
            found(out, 'k', util.sha256hex(key).slice(0, 32));
        }
        return key !== null;
    case 'basic':
        var user = basicOk(r, node);
        if (user !== null && consumer) {
            found(out, 'u', user);
        }
        return user !== null;
    case 'basic_native':
        // nginx's auth_basic checks the same request in the route's location, and the
        // request goes on only if it passes there too (satisfy all).
        var cred = basicGiven(r);
        if (cred !== null && consumer) {
            found(out, 'u', cred.user);
        }
        return true;
    case 'mtls':
        var dn = mtlsOk(r, node);
        if (dn !== null && consumer) {
            found(out, 'm', dn);
        }
        return dn !== null;
    case 'any_of':
        for (var i = 0; i < node.methods.length; i++) {
            var o = {};
            if (await passes(r, node.methods[i], o, limit)) {
                // the identity is the one the succeeding method names, if any
                Object.assign(out, o);
                return true;
            }
        }
        return false;
    case 'all_of':
        for (var j = 0; j < node.methods.length; j++) {
            if (!(await passes(r, node.methods[j], out, limit))) {
                return false;
            }
        }
        return true;
    }
    throw new Error('gatewayc: unknown auth method ' + node.type);
}

/* 204 with the claims to forward and, for a route whose limits count by identity, the
 * verified identity (the route takes both with auth_request_set); a request whose methods
 * passed without naming the identity the key asks for counts by client address. */
async function check(r) {
    try {
        var cfg = util.routeConfig(r);
        var limit = cfg.limit || null;
        var out = {};
        if (!(await passes(r, cfg.auth, out, limit))) {
            r.return(401);
            return;
        }
        if (limit !== null && out[IDENTITY] === undefined) {
            out[IDENTITY] = 'ip:' + r.variables.remote_addr;
        }
        Object.keys(out).forEach(function (h) { r.headersOut[h] = out[h]; });
        r.return(204);
    } catch (e) {
        // Fail closed; a missing secret is an operator error, so say so in the log.
        r.error(String(e.message || e));
        r.return(500);
    }
}

/* Part of the cache key of a route with auth and a cache: a digest of every credential
 * the request carries for the route's methods (the raw credentials would land in the
 * cache files). Evaluated by the proxy module, after auth passed: one client's cached
 * answer is never served to a client with other credentials. */
function collectCredentials(r, node, out) {
    switch (node.type) {
    case 'jwt':
        out.push(jwt.extractToken(r, node.token));
        break;
    case 'api_key':
        out.push(apiKeyGiven(r, node));
        break;
    case 'basic':
    case 'basic_native':
        out.push(util.header(r, 'Authorization'));
        break;
    case 'mtls':
        out.push(r.variables.ssl_client_verify, r.variables.ssl_client_s_dn);
        break;
    default:
        for (var i = 0; i < node.methods.length; i++) {
            collectCredentials(r, node.methods[i], out);
        }
    }
}

function credentialKey(r) {
    try {
        var parts = [];
        collectCredentials(r, util.routeConfig(r).auth, parts);
        return util.sha256hex(JSON.stringify(parts));
    } catch (e) {
        r.error(String(e.message || e));
        return 'unshared:' + r.variables.request_id;  // a key no other request has
    }
}

export default {check, credentialKey};
