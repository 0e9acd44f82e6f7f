/*
 * JWT checks for the auth subrequest. Public keys arrive as SPKI DER (base64) because
 * njs 0.7 WebCrypto cannot import JWK; the build converts the JWKS file.
 */
import util from 'gwc_util.js';

var ALGS = {
    HS256: {hmac: 'SHA-256'},
    HS384: {hmac: 'SHA-384'},
    HS512: {hmac: 'SHA-512'},
    RS256: {kty: 'RSA', imp: {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256'}, ver: {name: 'RSASSA-PKCS1-v1_5'}},
    RS384: {kty: 'RSA', imp: {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384'}, ver: {name: 'RSASSA-PKCS1-v1_5'}},
    RS512: {kty: 'RSA', imp: {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512'}, ver: {name: 'RSASSA-PKCS1-v1_5'}},
    // JWS carries ECDSA signatures as raw r||s, the same form WebCrypto verifies.
    ES256: {kty: 'EC', crv: 'P-256', sigLen: 64,
            imp: {name: 'ECDSA', namedCurve: 'P-256'}, ver: {name: 'ECDSA', hash: 'SHA-256'}},
    ES384: {kty: 'EC', crv: 'P-384', sigLen: 96,
            imp: {name: 'ECDSA', namedCurve: 'P-384'}, ver: {name: 'ECDSA', hash: 'SHA-384'}}
};

function extractToken(r, src) {
    if (src.header) {
        var v = util.header(r, src.header);
        if (v === null) {
            return null;
        }
        v = v.trim();
        if (src.scheme) {
            var sp = v.indexOf(' ');
            if (sp < 0 || v.slice(0, sp).toLowerCase() !== src.scheme.toLowerCase()) {
                return null;
            }
            v = v.slice(sp + 1).trim();
        }
        return v || null;
    }
    if (src.query) {
        return util.queryParam(r, src.query) || null;
    }
    return util.cookie(r, src.cookie) || null;
}

function parseJson(bytes) {
    try {
        var v = JSON.parse(bytes.toString('utf8'));
        return (v !== null && typeof v === 'object' && !Array.isArray(v)) ? v : null;
    } catch (e) {
        return null;
    }
}

// Splits and decodes without trusting anything: the caller still has to verify.
function decode(token) {
    var parts = token.split('.');
    if (parts.length !== 3) {
        return null;
    }
    var h = util.b64urlDecode(parts[0]);
    var p = util.b64urlDecode(parts[1]);
    var s = util.b64urlDecode(parts[2]);
    if (h === null || p === null || s === null) {
        return null;
    }
    var header = parseJson(h);
    var payload = parseJson(p);
    if (header === null || payload === null) {
        return null;
    }
    return {header: header, payload: payload, input: parts[0] + '.' + parts[1], sig: s};
}

// The algorithm must be one the route allows: that is what rejects `none` and the
// RS/HS confusion, since a jwt block never mixes HMAC and public-key algorithms.
function allowedAlg(cfg, t) {
    var alg = t.header.alg;
    if (typeof alg !== 'string' || cfg.algorithms.indexOf(alg) < 0 || !ALGS[alg]) {
        return null;
    }
    // RFC 7515 4.1.11: extensions marked critical that we do not know must fail.
    if (t.header.crit !== undefined) {
        return null;
    }
    return alg;
}

async function verifyHmac(cfg, t, alg) {
    var secret = Buffer.from(util.readSecret(cfg.secret));
    var key = await crypto.subtle.importKey('raw', secret, {name: 'HMAC', hash: ALGS[alg].hmac},
                                            false, ['sign']);
    // (njs 0.7 cannot take an await inside call arguments)
    var mac = await crypto.subtle.sign('HMAC', key, Buffer.from(t.input));
    return util.bytesEqual(Buffer.from(mac), t.sig);
}

function candidateKeys(cfg, t, alg) {
    var a = ALGS[alg];
    var kid = t.header.kid;
    return cfg.keys.filter(function (k) {
        if (kid !== undefined && k.kid !== kid) {
            return false;
        }
        if (k.alg && k.alg !== alg) {
            return false;
        }
        return k.kty === a.kty && (!a.crv || k.crv === a.crv);
    });
}

async function verifyPublicKey(cfg, t, alg) {
    var a = ALGS[alg];
    if (a.sigLen && t.sig.length !== a.sigLen) {
        return false;
    }
    var keys = candidateKeys(cfg, t, alg);
    var data = Buffer.from(t.input);
    for (var i = 0; i < keys.length; i++) {
        var key = await crypto.subtle.importKey('spki', Buffer.from(keys[i].spki, 'base64'),
                                                a.imp, false, ['verify']);
        if (await crypto.subtle.verify(a.ver, key, t.sig, data)) {
            return true;
        }
    }
    return false;
}

function checkClaims(cfg, c) {
    var now = Date.now() / 1000;
    var skew = cfg.clock_skew_s;
    var exp = util.own(c, 'exp');
    if (exp === undefined) {
        // M3: a token that never expires is refused unless the spec says require_exp: false
        if (cfg.require_exp) {
            return 'no exp';
        }
    } else if (typeof exp !== 'number' || now > exp + skew) {
        return 'expired';
    }
    if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf > now + skew)) {
        return 'not yet valid';
    }
    if (cfg.issuer !== null && c.iss !== cfg.issuer) {
        return 'wrong issuer';
    }
    if (cfg.audiences.length) {
        var aud = typeof c.aud === 'string' ? [c.aud] : (Array.isArray(c.aud) ? c.aud : []);
        if (!aud.some(function (x) { return cfg.audiences.indexOf(x) >= 0; })) {
            return 'wrong audience';
        }
    }
    for (var i = 0; i < cfg.required_claims.length; i++) {
        var v = util.own(c, cfg.required_claims[i]);
        if (v === undefined || v === null) {
            return 'missing claim';
        }
    }
    return null;
}

// Resolves to the verified claims, or null (the reason goes to the error log at info).
async function verify(r, cfg) {
    var token = extractToken(r, cfg.token);
    if (token === null) {
        r.log('gatewayc jwt: no token');
        return null;
    }
    var t = decode(token);
    var alg = t === null ? null : allowedAlg(cfg, t);
    if (alg === null) {
        r.log('gatewayc jwt: malformed token or algorithm not allowed');
        return null;
    }
    var ok = ALGS[alg].hmac ? await verifyHmac(cfg, t, alg) : await verifyPublicKey(cfg, t, alg);
    if (!ok) {
        r.log('gatewayc jwt: bad signature');
        return null;
    }
    var why = checkClaims(cfg, t.payload);
    if (why !== null) {
        r.log('gatewayc jwt: ' + why);
        return null;
    }
    return t.payload;
}

export default {verify, extractToken};
