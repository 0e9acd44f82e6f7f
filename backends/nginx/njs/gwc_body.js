/*
 * JSON request body field mapping, as a js_set variable the route's location hands to
 * proxy_set_body: the proxy module reads the whole body before it builds the upstream
 * request, so the mapping sees all of it and nginx recomputes Content-Length.
 * Order: rename, then set, then cast. Field names are dotted paths into nested objects.
 * A body that is not a JSON object passes unchanged.
 */
import fs from 'fs';
import util from 'gwc_util.js';

function split(path) {
    return path.split('.');
}

function lookup(obj, path) {
    var keys = split(path);
    var cur = obj;
    for (var i = 0; i < keys.length - 1; i++) {
        cur = util.own(cur, keys[i]);
        if (cur === undefined || cur === null || typeof cur !== 'object' || Array.isArray(cur)) {
            return null;
        }
    }
    var last = keys[keys.length - 1];
    return Object.prototype.hasOwnProperty.call(cur, last) ? {parent: cur, key: last} : null;
}

function assign(obj, path, value) {
    var keys = split(path);
    var cur = obj;
    for (var i = 0; i < keys.length - 1; i++) {
        var next = util.own(cur, keys[i]);
        if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
            next = {};
            util.put(cur, keys[i], next);
        }
        cur = next;
    }
    util.put(cur, keys[keys.length - 1], value);
}

var ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

/* ISO-8601 text -> Unix epoch seconds (an integer). Without a zone the time is taken as
 * UTC. njs 0.7's Date.parse ignores offsets, hence the hand parser. */
function toEpoch(v) {
    if (typeof v === 'number') {
        return Math.floor(v);
    }
    if (typeof v !== 'string') {
        return undefined;
    }
    var t = v.trim();
    if (/^-?\d+(\.\d+)?$/.test(t)) {
        return Math.floor(Number(t));
    }
    var m = ISO.exec(t);
    if (!m) {
        return undefined;
    }
    var ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
    var z = m[8];
    if (z && z !== 'Z' && z !== 'z') {
        var sign = z.charAt(0) === '-' ? -1 : 1;
        var digits = z.slice(1).replace(':', '');
        ms -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60000;
    }
    return Math.floor(ms / 1000);
}

// undefined: the value cannot be cast and stays as it was.
function cast(v, type) {
    switch (type) {
    case 'number':
        if (typeof v === 'number') {
            return v;
        }
        if (typeof v === 'boolean') {
            return v ? 1 : 0;
        }
        if (typeof v === 'string' && v.trim() !== '' && isFinite(Number(v))) {
            return Number(v);
        }
        return undefined;
    case 'boolean':
        if (typeof v === 'boolean') {
            return v;
        }
        if (typeof v === 'number') {
            return v !== 0;
        }
        if (typeof v === 'string') {
            var s = v.trim().toLowerCase();
            if (s === 'true' || s === '1' || s === 'yes') {
                return true;
            }
            if (s === 'false' || s === '0' || s === 'no' || s === '') {
                return false;
            }
        }
        return undefined;
    case 'string':
        if (v === null) {
            return undefined;
        }
        return typeof v === 'string' ? v : (typeof v === 'object' ? JSON.stringify(v) : String(v));
    case 'timestamp':
        return toEpoch(v);
    }
    return undefined;
}

function apply(map, obj) {
    map.rename.forEach(function (p) {
        var at = lookup(obj, p[0]);
        if (at !== null) {
            var v = at.parent[at.key];
            delete at.parent[at.key];
            assign(obj, p[1], v);
        }
    });
    map.set.forEach(function (p) {
        assign(obj, p[0], p[1]);
    });
    map.cast.forEach(function (p) {
        var at = lookup(obj, p[0]);
        if (at !== null) {
            var v = cast(at.parent[at.key], p[1]);
            if (v !== undefined) {
                at.parent[at.key] = v;
            }
        }
    });
    return obj;
}

// With client_body_in_file_only (routes without a small body limit) the body is in a
// temp file that lives until the request ends; njs 0.7 will not read such a body itself.
function bodyText(r) {
    var file = r.variables.request_body_file;
    if (file) {
        return fs.readFileSync(file, 'utf8');
    }
    return r.requestText;
}

function mapped(r) {
    var text = bodyText(r);
    if (text === undefined || text === '') {
        return '';
    }
    var obj;
    try {
        obj = JSON.parse(text);
    } catch (e) {
        return text;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        return text;
    }
    return JSON.stringify(apply(util.routeConfig(r).body, obj));
}

export default {mapped, apply, toEpoch};
