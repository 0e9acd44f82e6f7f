/*
 * Helpers shared by the gatewayc njs modules (njs 0.7: no for..of, no destructuring,
 * Date.parse ignores offsets, and each request runs in a fresh VM copy, so nothing
 * computed here survives between requests).
 *
 * Per-route settings come from gwc_config, a JSON file the build writes and nginx
 * preloads (js_preload_object), keyed by route id. User strings only ever reach this
 * code as data.
 */
import fs from 'fs';
import cr from 'crypto';

function routeConfig(r) {
    var id = r.variables.gwc_route;
    var routes = gwc_config.routes;
    if (!id || !Object.prototype.hasOwnProperty.call(routes, id)) {
        throw new Error('gatewayc: no njs configuration for route "' + id + '"');
    }
    // A copy: njs 0.7 preloaded objects are frozen and their arrays lack the Array
    // methods (indexOf, map, ...), which the checks below rely on.
    return JSON.parse(JSON.stringify(routes[id]));
}

var B64URL = /^[A-Za-z0-9_-]*$/;

// Buffer.from(.., 'base64url') skips characters it does not know; a token that
// carries any must not verify, so check the alphabet first.
function b64urlDecode(s) {
    if (typeof s !== 'string' || !B64URL.test(s)) {
        return null;
    }
    return Buffer.from(s, 'base64url');
}

// Compares in time that depends only on the length of `a`: the attacker controls `b`
// and must not learn how many leading bytes matched.
function bytesEqual(a, b) {
    var diff = a.length ^ b.length;
    for (var i = 0; i < a.length; i++) {
        diff |= a[i] ^ (i < b.length ? b[i] : 0);
    }
    return diff === 0;
}

// Hashing first hides the length of the secret as well.
function stringsEqual(secret, given) {
    var a = cr.createHash('sha256').update(secret).digest();
    var b = cr.createHash('sha256').update(given).digest();
    return bytesEqual(a, b);
}

function sha256hex(s) {
    return cr.createHash('sha256').update(s).digest('hex');
}

// Relative paths resolve against the directory of nginx.conf, as nginx's own
// auth_basic_user_file and ssl_certificate do; a worker's cwd is not meaningful.
function resolvePath(p) {
    return p.charAt(0) === '/' ? p : ngx.conf_prefix + p;
}

/* The secret is read on every request: njs 0.7 has no cache that outlives one, and
 * reading it at run time keeps it out of every generated file. A single trailing
 * newline of a file is dropped because editors add one. */
function readSecret(ref) {
    var v;
    if (ref.kind === 'env') {
        v = process.env[ref.name];
        if (v === undefined || v === '') {
            throw new Error('gatewayc: environment variable ' + ref.name + ' is not set for nginx');
        }
        return v;
    }
    var path = resolvePath(ref.name);
    try {
        v = fs.readFileSync(path, 'utf8');
    } catch (e) {
        // Workers usually run as an unprivileged user: the file must be readable by it.
        throw new Error('gatewayc: cannot read secret file ' + path + ': ' + e.message);
    }
    return v.replace(/\r?\n$/, '');
}

function queryParam(r, name) {
    // $request_uri, not r.args: an auth_request subrequest has no arguments of its own.
    var uri = r.variables.request_uri || '';
    var q = uri.indexOf('?');
    if (q < 0) {
        return null;
    }
    var pairs = uri.slice(q + 1).split('&');
    for (var i = 0; i < pairs.length; i++) {
        var eq = pairs[i].indexOf('=');
        var k = eq < 0 ? pairs[i] : pairs[i].slice(0, eq);
        if (safeDecode(k) === name) {
            return eq < 0 ? '' : safeDecode(pairs[i].slice(eq + 1));
        }
    }
    return null;
}

function safeDecode(s) {
    try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch (e) {
        return null;
    }
}

/* Names chosen in the spec (claims, body fields, part keys) are looked up and stored as
 * own properties only: `c[name]` would find `constructor` or `toString` on every object's
 * prototype, so a token without such a claim would pass a required-claims check, and
 * storing under `__proto__` would replace the prototype instead of adding a field. */
function own(obj, key) {
    return (obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key))
        ? obj[key] : undefined;
}

function put(obj, key, value) {
    Object.defineProperty(obj, key, {value: value, writable: true, enumerable: true, configurable: true});
}

function header(r, name) {
    var v = r.headersIn[name];
    return v === undefined ? null : v;
}

function cookie(r, name) {
    var raw = r.headersIn.Cookie;
    if (!raw) {
        return null;
    }
    var parts = raw.split(';');
    for (var i = 0; i < parts.length; i++) {
        var c = parts[i].trim();
        var eq = c.indexOf('=');
        if (eq > 0 && c.slice(0, eq) === name) {
            var v = c.slice(eq + 1);
            if (v.length >= 2 && v.charAt(0) === '"' && v.charAt(v.length - 1) === '"') {
                v = v.slice(1, -1);
            }
            return v;
        }
    }
    return null;
}

export default {routeConfig, b64urlDecode, bytesEqual, stringsEqual, sha256hex, readSecret,
                resolvePath, queryParam, decode: safeDecode, own, put, header, cookie};
