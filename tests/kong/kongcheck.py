"""Offline checks of a generated kong.yml: decK's JSON schema, per-plugin config (from Kong's
schema.lua data, see data/NOTICE.md) and Kong's semantic rules that neither covers."""
from __future__ import annotations

import io
import ipaddress
import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft4Validator
from ruamel.yaml import YAML

DATA = Path(__file__).parent / "data"
PLACEHOLDER = re.compile(r'\$\{\{ env "(DECK_[A-Za-z0-9_]+)" \| printf "%q" \}\}')


def render(text: str, env: dict[str, str] | None = None) -> str:
    """What decK does before parsing: expand the env templates (missing variables: mocked)."""
    env = env or {}
    return PLACEHOLDER.sub(lambda m: json.dumps(env.get(m.group(1), f"mock-{m.group(1)}")), text)


def load(text: str | bytes) -> dict:
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return YAML(typ="safe", pure=True).load(io.StringIO(render(text)))


@lru_cache(maxsize=None)
def deck_schema() -> dict:
    return json.loads((DATA / "kong_json_schema.json").read_text())


@lru_cache(maxsize=None)
def plugin_schema(name: str) -> dict | None:
    p = DATA / "plugins" / f"{name}.json"
    return json.loads(p.read_text()) if p.exists() else None


def schema_errors(doc: dict) -> list[str]:
    v = Draft4Validator(deck_schema())
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc))


# --- plugin configs -----------------------------------------------------------------
_LUA_CLASSES = {"u": "A-Z", "l": "a-z", "d": "0-9", "a": "A-Za-z", "w": "A-Za-z0-9", "s": r"\s"}


def lua_pattern(p: str) -> str:
    out, i = "", 0
    while i < len(p):
        c = p[i]
        if c == "%" and i + 1 < len(p):
            n = p[i + 1]
            out += f"[{_LUA_CLASSES[n]}]" if n in _LUA_CLASSES else re.escape(n)
            i += 2
            continue
        out += c
        i += 1
    return out


def _type_ok(t: str, v) -> bool:
    if t == "string":
        return isinstance(v, str)
    if t == "boolean":
        return isinstance(v, bool)
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t in ("array", "set"):
        return isinstance(v, list)
    if t in ("record", "map"):
        return isinstance(v, dict)
    return True


def _value_errors(f: dict, v, where: str) -> list[str]:
    errs = []
    t = f.get("type")
    if v is None:
        return [f"{where}: required"] if f.get("required") and "default" not in f else []
    if not _type_ok(t, v):
        return [f"{where}: {v!r} is not of type {t}"]
    if "one_of" in f and v not in f["one_of"]:
        errs.append(f"{where}: {v!r} not one of {f['one_of']}")
    if "between" in f and not f["between"][0] <= v <= f["between"][1]:
        errs.append(f"{where}: {v!r} not between {f['between']}")
    if "gt" in f and not v > f["gt"]:
        errs.append(f"{where}: {v!r} not > {f['gt']}")
    if "len_min" in f and len(v) < f["len_min"]:
        errs.append(f"{where}: shorter than {f['len_min']}")
    if "match" in f and not re.search(lua_pattern(f["match"]), v):
        errs.append(f"{where}: {v!r} does not match {f['match']}")
    if "starts_with" in f and not v.startswith(f["starts_with"]):
        errs.append(f"{where}: {v!r} does not start with {f['starts_with']}")
    if t in ("array", "set"):
        if t == "set" and len({json.dumps(x) for x in v}) != len(v):
            errs.append(f"{where}: duplicate set elements")
        for i, x in enumerate(v):
            errs += _value_errors({**f.get("elements", {}), "required": True}, x, f"{where}[{i}]")
    if t == "record" and "fields" in f:
        errs += _record_errors(f["fields"], v, where)
    return errs


def _record_errors(fields: list[dict], v: dict, where: str) -> list[str]:
    known = {f["name"]: f for f in fields}
    errs = [f"{where}.{k}: unknown field" for k in v if k not in known]
    for name, f in known.items():
        errs += _value_errors(f, v.get(name), f"{where}.{name}")
    return errs


def _get(conf: dict, dotted: str):
    cur = {"config": conf}
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _match(cond: dict, v) -> bool:
    if "eq" in cond:
        return v == cond["eq"]
    if "gt" in cond:
        return v is not None and v > cond["gt"]
    if "required" in cond:
        return v is not None
    if "contains" in cond:
        return isinstance(v, list) and cond["contains"] in v
    raise AssertionError(f"unknown condition {cond}")


def plugin_errors(p: dict, owner: str = "") -> list[str]:
    where = f"{owner}plugin {p.get('name')}"
    data = plugin_schema(p.get("name", ""))
    if data is None:
        return [f"{where}: not a plugin gatewayc may emit (no vendored schema)"]
    conf = p.get("config") or {}
    errs = _record_errors(data["config_fields"], conf, f"{where}.config")
    for check in data["entity_checks"]:
        if "at_least_one_of" in check and not any(_get(conf, k) not in (None, []) for k in check["at_least_one_of"]):
            errs.append(f"{where}: needs one of {check['at_least_one_of']}")
        if "only_one_of" in check and sum(_get(conf, k) not in (None, []) for k in check["only_one_of"]) > 1:
            errs.append(f"{where}: only one of {check['only_one_of']}")
        if "conditional" in check:
            c = check["conditional"]
            if _match(c["if_match"], _get(conf, c["if_field"])) and \
                    not _match(c["then_match"], _get(conf, c["then_field"])):
                errs.append(f"{where}: {c['if_field']} {c['if_match']} requires {c['then_field']} {c['then_match']}")
    allowed = set(data["protocols"]["elements"]["one_of"])
    for proto in p.get("protocols", []):
        if proto not in allowed:
            errs.append(f"{where}: protocol {proto!r} not allowed")
    if p.get("consumer") is not None and not data["consumer_scoped_allowed"]:
        errs.append(f"{where}: cannot be scoped to a consumer")
    # typedefs.url: the redirect plugin's location must parse with a scheme and a host
    if p.get("name") == "redirect":
        u = urlsplit(conf.get("location") or "")
        if not (u.scheme and u.hostname):
            errs.append(f"{where}: location {conf.get('location')!r} is not a URL with a scheme and a host")
    # Kong's request-termination entity checks (custom): message excludes body/content_type,
    # content_type requires body
    if p.get("name") == "request-termination":
        if conf.get("message") is not None and (conf.get("body") is not None or conf.get("content_type")):
            errs.append(f"{where}: message excludes body/content_type")
        if conf.get("content_type") is not None and conf.get("body") is None:
            errs.append(f"{where}: content_type requires body")
    return errs


def all_plugins(doc: dict):
    for p in doc.get("plugins", []):
        yield "", p
    for s in doc.get("services", []):
        for p in s.get("plugins", []):
            yield f"service {s.get('name')}: ", p
        for r in s.get("routes", []):
            for p in r.get("plugins", []):
                yield f"route {r.get('name')}: ", p
    for c in doc.get("consumers", []):
        for p in c.get("plugins", []):
            yield f"consumer {c.get('username')}: ", {**p, "consumer": c.get("username")}


# Kong's split of a transformer entry, Lua `^([^:]+):*(.-)$` (an empty value is no value), and its
# untrusted_lua=off template test `%$%(.*%)`
_KONG_ENTRY = re.compile(r"^([^:]+):*(.*)$", re.DOTALL)
_KONG_TEMPLATE = re.compile(r"\$\(.*\)", re.DOTALL)


def transformer_reads(p: dict) -> list:
    """(op, part, name, value) as Kong reads each entry; a value request-transformer would
    evaluate as a template reads as None."""
    out = []
    for op, parts in sorted(p["config"].items()):
        for part, entries in sorted(parts.items()):
            if part == "uri":
                out.append((op, part, None if _KONG_TEMPLATE.search(entries) else entries))
                continue
            if part == "json_types":
                continue
            for e in entries:
                m = _KONG_ENTRY.match(e)
                name, value = (m.group(1), m.group(2) or None) if m else (None, None)
                if value is not None and p["name"] == "request-transformer" and _KONG_TEMPLATE.search(value):
                    value = None
                out.append((op, part, name, value if op != "remove" else None))
    return out


# --- Kong semantics ------------------------------------------------------------------
# fields of Kong OSS 3.x entities (kong/db/schema/entities/*.lua); anything else in the decK
# schema is Enterprise/Konnect-only or read-only
OSS_FIELDS = {
    "service": {"name", "id", "protocol", "host", "port", "path", "retries", "connect_timeout", "write_timeout",
                "read_timeout", "tags", "client_certificate", "tls_verify", "tls_verify_depth", "ca_certificates",
                "enabled", "url", "routes", "plugins"},
    "route": {"name", "id", "protocols", "methods", "hosts", "paths", "headers", "https_redirect_status_code",
              "regex_priority", "strip_path", "path_handling", "preserve_host", "request_buffering",
              "response_buffering", "snis", "sources", "destinations", "tags", "service", "plugins"},
    "upstream": {"name", "id", "algorithm", "hash_on", "hash_fallback", "hash_on_header", "hash_fallback_header",
                 "hash_on_cookie", "hash_on_cookie_path", "hash_on_query_arg", "hash_fallback_query_arg",
                 "hash_on_uri_capture", "hash_fallback_uri_capture", "slots", "healthchecks", "tags",
                 "host_header", "client_certificate", "use_srv_name", "targets"},
    "target": {"target", "id", "weight", "tags"},
    "consumer": {"username", "id", "custom_id", "tags", "acls", "jwt_secrets", "keyauth_credentials",
                 "basicauth_credentials", "plugins"},
    "acl": {"group", "id", "tags"},
    "jwt_secrets": {"key", "secret", "algorithm", "rsa_public_key", "id", "tags"},
    "keyauth_credentials": {"key", "id", "tags", "ttl"},
    "basicauth_credentials": {"username", "password", "id", "tags"},
    "plugin": {"name", "id", "config", "enabled", "protocols", "tags", "instance_name", "service", "route",
               "consumer"},
}
_UTF8_NAME = re.compile(r"^[A-Za-z0-9._~-]+$")


def semantic_errors(doc: dict) -> list[str]:
    errs: list[str] = []
    if doc.get("_format_version") != "3.0":
        errs.append("_format_version must be \"3.0\"")
    for k in doc:
        if k.startswith("_") and k != "_format_version":
            errs.append(f"top-level {k!r}: not for Kong DB-less")
    ids: dict[str, str] = {}

    def ident(kind: str, e: dict, label: str) -> None:
        extra = set(e) - OSS_FIELDS.get(kind, set(e))
        if extra:
            errs.append(f"{label}: not Kong OSS fields: {sorted(extra)}")
        for k in e:
            if k in ("_comment", "_ignore"):
                errs.append(f"{label}: {k}")
        i = e.get("id")
        if i is not None:
            if i in ids:
                errs.append(f"{label}: id {i} also used by {ids[i]}")
            ids[i] = label

    upstream_names = set()
    for u in doc.get("upstreams", []):
        ident("upstream", u, f"upstream {u.get('name')}")
        name = u.get("name", "")
        if name in upstream_names:
            errs.append(f"upstream {name}: duplicate name")
        upstream_names.add(name)
        if not re.match(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", name) or ":" in name:
            errs.append(f"upstream {name}: not a hostname")
        seen_t = set()
        for t in u.get("targets", []):
            ident("target", t, f"target {t.get('target')}")
            if t["target"] in seen_t:
                errs.append(f"upstream {name}: duplicate target {t['target']}")
            seen_t.add(t["target"])
            if not re.match(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$", t["target"]):
                errs.append(f"target {t['target']}: not host:port")
            if not 0 <= t.get("weight", 100) <= 65535:
                errs.append(f"target {t['target']}: weight out of range")
        errs += _healthcheck_errors(u.get("healthchecks", {}), f"upstream {name}")
    consumers = {c.get("username"): c for c in doc.get("consumers", [])}
    consumer_ids = {c.get("id") for c in doc.get("consumers", [])}
    if len(consumers) != len(doc.get("consumers", [])):
        errs.append("duplicate consumer usernames")
    groups, cred_keys = set(), {}
    for c in doc.get("consumers", []):
        ident("consumer", c, f"consumer {c.get('username')}")
        for a in c.get("acls", []):
            groups.add(a["group"])
            ident("acl", a, f"acl {a['group']}")
        for kind, uniq in (("jwt_secrets", "key"), ("keyauth_credentials", "key"),
                           ("basicauth_credentials", "username")):
            for cred in c.get(kind, []):
                ident(kind, cred, f"{kind} of {c.get('username')}")
                k = (kind, cred.get(uniq))
                if k in cred_keys:
                    errs.append(f"{kind}: {uniq} {cred.get(uniq)!r} used twice")
                cred_keys[k] = c.get("username")
                if kind == "jwt_secrets" and cred.get("algorithm", "HS256")[:2] in ("RS", "ES", "PS") and \
                        "BEGIN PUBLIC KEY" not in (cred.get("rsa_public_key") or ""):
                    errs.append(f"jwt secret {cred.get('key')}: {cred.get('algorithm')} needs rsa_public_key")
    route_names, service_names = set(), set()
    for s in doc.get("services", []):
        label = f"service {s.get('name')}"
        ident("service", s, label)
        if s.get("name") in service_names:
            errs.append(f"{label}: duplicate name")
        service_names.add(s.get("name"))
        if not _UTF8_NAME.match(s.get("name", "")):
            errs.append(f"{label}: invalid name")
        host = s.get("host", "")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if host not in upstream_names:
                errs.append(f"{label}: host {host!r} is no upstream of this file")
        for k in ("connect_timeout", "read_timeout", "write_timeout"):
            if not 1 <= s.get(k, 60000) <= 2147483646:
                errs.append(f"{label}: {k} out of range")
        if not 0 <= s.get("retries", 5) <= 32767:
            errs.append(f"{label}: retries out of range")
        if s.get("path") is not None and not s["path"].startswith("/"):
            errs.append(f"{label}: path must start with /")
        names = [p["name"] for p in s.get("plugins", [])]
        if len(names) != len(set(names)):
            errs.append(f"{label}: a plugin is attached twice")
        for r in s.get("routes", []):
            errs += _route_errors(r, route_names)
            ident("route", r, f"route {r.get('name')}")
    for owner, p in all_plugins(doc):
        ident("plugin", p, f"{owner}plugin {p.get('name')}")
        errs += plugin_errors(p, owner)
        conf = p.get("config") or {}
        if conf.get("anonymous") is not None and conf["anonymous"] not in consumer_ids:
            errs.append(f"{owner}plugin {p['name']}: anonymous consumer {conf['anonymous']} not found")
        if p["name"] == "acl":
            for g in conf.get("allow") or []:
                if g not in groups:
                    errs.append(f"{owner}acl: group {g!r} has no consumer")
    return errs


def _route_errors(r: dict, seen: set) -> list[str]:
    label = f"route {r.get('name')}"
    errs = []
    if r.get("name") in seen:
        errs.append(f"{label}: duplicate name")
    seen.add(r.get("name"))
    if not _UTF8_NAME.match(r.get("name", "")):
        errs.append(f"{label}: invalid name")
    if not any(r.get(k) for k in ("methods", "hosts", "headers", "paths")):
        errs.append(f"{label}: needs methods, hosts, headers or paths")
    paths = r.get("paths") or []
    kinds = {p.startswith("~") for p in paths}
    if len(kinds) > 1:
        errs.append(f"{label}: mixes regex and prefix paths")
    for p in paths:
        if p.startswith("~"):
            if not p.startswith("~/"):
                errs.append(f"{label}: regex path {p!r} must start with ~/")
            try:
                re.compile(p[1:])
            except re.error as exc:
                errs.append(f"{label}: regex path {p!r}: {exc}")
            if re.search(r"\(\?[=!<]|\\[1-9]", p):
                errs.append(f"{label}: regex path {p!r} uses lookaround/backreferences (Rust regex)")
        else:
            if not p.startswith("/") or "//" in p:
                errs.append(f"{label}: path {p!r} must start with / and be normalised")
            if re.search(r"[^a-zA-Z0-9._~/%-]", p):
                errs.append(f"{label}: path {p!r} looks like a regex but has no ~")
    for m in r.get("methods") or []:
        if not re.match(r"^[A-Z]+$", m):
            errs.append(f"{label}: method {m!r}")
    for h in r.get("hosts") or []:
        if h.count("*") > 1 or ("*" in h and not (h.startswith("*.") or h.endswith(".*"))):
            errs.append(f"{label}: host {h!r}")
    for name in r.get("headers") or {}:
        if name.lower() == "host":
            errs.append(f"{label}: host header")
    if r.get("path_handling", "v0") != "v0":
        errs.append(f"{label}: path_handling must be v0")
    if r.get("https_redirect_status_code", 426) not in (426, 301, 302, 307, 308):
        errs.append(f"{label}: https_redirect_status_code")
    if set(r.get("protocols", ["http", "https"])) - {"http", "https"}:
        errs.append(f"{label}: protocols")
    return errs


def _healthcheck_errors(hc: dict, label: str) -> list[str]:
    errs = []
    if not 0 <= hc.get("threshold", 0) <= 100:
        errs.append(f"{label}: threshold out of range")
    for kind in ("active", "passive"):
        h = hc.get(kind, {})
        for state in ("healthy", "unhealthy"):
            for k, v in h.get(state, {}).items():
                if k in ("successes", "http_failures", "tcp_failures", "timeouts") and not 0 <= v <= 255:
                    errs.append(f"{label}: {kind}.{state}.{k} out of range")
                if k == "interval" and not 0 <= v <= 65535:
                    errs.append(f"{label}: {kind}.{state}.interval out of range")
                if k == "http_statuses" and any(not 100 <= s <= 999 for s in v):
                    errs.append(f"{label}: {kind}.{state}.http_statuses out of range")
            if kind == "passive" and h.get(state, {}).get("interval") is not None:
                errs.append(f"{label}: passive checks have no interval")
        if kind == "active":
            if not 0 <= h.get("timeout", 1) <= 65535:
                errs.append(f"{label}: active.timeout out of range")
            if h.get("type", "http") not in ("http", "https", "tcp", "grpc", "grpcs"):
                errs.append(f"{label}: active.type")
    a, p = hc.get("active", {}), hc.get("passive", {})
    passive_on = any(p.get("unhealthy", {}).get(k) for k in ("http_failures", "tcp_failures", "timeouts"))
    recovers = a.get("unhealthy", {}).get("interval", 0) > 0 and a.get("healthy", {}).get("successes", 0) > 0
    if passive_on and not recovers:
        errs.append(f"{label}: passive checks without active recovery: ejected targets never come back")
    return errs


def check_all(text: str | bytes) -> list[str]:
    doc = load(text)
    return schema_errors(doc) + semantic_errors(doc)
