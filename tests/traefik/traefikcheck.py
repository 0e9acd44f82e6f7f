"""Offline checks of generated Traefik files: Traefik's own field list (Go structs of 3.7),
SchemaStore's schemas (which lag: see NEWER), the static flags the binary knows, and the
rules Traefik applies beyond both (no empty maps, resolvable references, one-line rules)."""
from __future__ import annotations

import copy
import json
import re
import subprocess
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft7Validator

from traefik_harness import TRAEFIK

DATA = Path(__file__).parent / "data"

# fields gatewayc emits that SchemaStore's v3 schema does not know yet (Traefik version)
NEWER = {
    ("http", "serversTransports"): "3.0 in Go, never in the schema",
    ("http", "services", "*", "middlewares"): "3.7",
    ("http", "services", "*", "loadBalancer", "passiveHealthCheck"): "3.6",
    ("http", "middlewares", "*", "rateLimit", "redis"): "3.4",
    ("http", "middlewares", "*", "retry", "status"): "3.7",
    ("http", "middlewares", "*", "retry", "disableRetryOnNetworkError"): "3.7",
    ("http", "middlewares", "*", "retry", "retryNonIdempotentMethod"): "3.7",
    ("http", "middlewares", "*", "retry", "timeout"): "3.7",
}
STATIC_NEWER = {
    ("entryPoints", "*", "http", "aliasHeadersStrategy"): "3.7",
}
ALLOW_EMPTY = {"Compress", "ContentType", "RouterTLSConfig", "IPStrategy", "Cookie", "HealthCheck", "Spiffe"}


@lru_cache(maxsize=None)
def fields() -> dict[str, list[dict]]:
    return json.loads((DATA / "traefik-fields-v3.7.json").read_text())


@lru_cache(maxsize=None)
def _schema(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def _strip(doc: dict, paths) -> dict:
    doc = copy.deepcopy(doc)

    def walk(node, path):
        if not isinstance(node, dict) or not path:
            return
        head, rest = path[0], path[1:]
        keys = list(node) if head == "*" else [head]
        for k in keys:
            if k not in node:
                continue
            if not rest:
                del node[k]
            else:
                walk(node[k], rest)
    for p in paths:
        walk(doc, p)
    return doc


def schema_errors(doc: dict) -> list[str]:
    v = Draft7Validator(_schema("traefik-v3-file-provider.json"))
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(_strip(doc, NEWER)))


def static_schema_errors(static: dict) -> list[str]:
    v = Draft7Validator(_schema("traefik-v3.json"))
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in v.iter_errors(_strip(static, STATIC_NEWER)))


# --- Traefik's Go field list -------------------------------------------------------------
_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")


def field_errors(doc: dict) -> list[str]:
    errs: list[str] = []
    http = doc.get("http")
    if http is not None:
        _struct(http, "HTTPConfiguration", "http", errs)
    return errs


def _struct(v, typ: str, path: str, errs: list[str]) -> None:
    if not isinstance(v, dict):
        errs.append(f"{path}: expected a mapping for {typ}")
        return
    if not v and typ not in ALLOW_EMPTY:
        errs.append(f"{path}: empty {typ} (Traefik: cannot be a standalone element)")
    known = {f["yaml"]: f for f in fields()[typ] if "yaml" in f}
    for k, x in v.items():
        f = known.get(k)
        if f is None:
            errs.append(f"{path}.{k}: no such field in {typ} (Traefik 3.7)")
            continue
        if f.get("deprecated"):
            errs.append(f"{path}.{k}: deprecated in Traefik 3.7")
        _value(x, f["type"], f"{path}.{k}", errs)


def _empty_maps(v, path: str) -> list[str]:
    if isinstance(v, dict):
        out = [f"{path}: empty mapping"] if not v else []
        for k, x in v.items():
            out += _empty_maps(x, f"{path}.{k}")
        return out
    if isinstance(v, list):
        return [e for i, x in enumerate(v) for e in _empty_maps(x, f"{path}[{i}]")]
    return []


def _value(v, typ: str, path: str, errs: list[str]) -> None:
    t = typ.lstrip("*")
    if t.startswith("map[string]"):
        inner = t[len("map[string]"):].lstrip("*")
        if not isinstance(v, dict) or not v:
            errs.append(f"{path}: expected a non-empty mapping ({typ})")
            return
        for k, x in v.items():
            if inner == "PluginConf":
                if not isinstance(x, dict):
                    errs.append(f"{path}.{k}: plugin configuration must be a mapping")
                errs.extend(_empty_maps(x, f"{path}.{k}"))
            elif inner in ("string", "int"):
                _value(x, inner, f"{path}.{k}", errs)
            else:
                _struct(x, inner, f"{path}.{k}", errs)
    elif t.startswith("[]") or t == "Users":
        inner = "string" if t == "Users" else t[2:]
        if not isinstance(v, list):
            errs.append(f"{path}: expected a list ({typ})")
            return
        for i, x in enumerate(v):
            if inner in fields():
                _struct(x, inner, f"{path}[{i}]", errs)
            else:
                _value(x, inner, f"{path}[{i}]", errs)
    elif t in ("string", "BalancerStrategy", "types.FileOrContent"):
        if not isinstance(v, str):
            errs.append(f"{path}: expected a string, got {v!r}")
    elif t in ("int", "int64"):
        if not isinstance(v, int) or isinstance(v, bool):
            errs.append(f"{path}: expected an integer, got {v!r}")
    elif t == "bool":
        if not isinstance(v, bool):
            errs.append(f"{path}: expected a boolean, got {v!r}")
    elif t == "ptypes.Duration":
        if not (isinstance(v, str) and _DURATION.match(v)):
            errs.append(f"{path}: not a Go duration: {v!r}")
    elif t in fields():
        _struct(v, t, path, errs)
    else:
        errs.append(f"{path}: type {typ} is not checked here; teach traefikcheck.py")


# --- what neither covers ------------------------------------------------------------------
_RULE_FN = re.compile(r"\b(Host|HostRegexp|Path|PathPrefix|PathRegexp|Method|Header|HeaderRegexp|Query|"
                      r"QueryRegexp|ClientIP)\(")


def semantic_errors(doc: dict, static: dict) -> list[str]:
    errs: list[str] = []
    http = doc.get("http") or {}
    routers, mws, svcs = (http.get(k) or {} for k in ("routers", "middlewares", "services"))
    transports = http.get("serversTransports") or {}
    eps = set(static.get("entryPoints") or {})
    plugins = set(((static.get("experimental") or {}).get("localPlugins") or {}))
    tls_options = set(((doc.get("tls") or {}).get("options") or {}))
    for n, r in routers.items():
        rule = r.get("rule", "")
        if "\n" in rule or "\r" in rule:
            errs.append(f"router {n}: rule spans lines")
        if not _RULE_FN.search(rule):
            errs.append(f"router {n}: rule without a v3 matcher: {rule!r}")
        if not isinstance(r.get("priority"), int):
            errs.append(f"router {n}: no explicit priority")
        for ep in r.get("entryPoints") or []:
            if ep not in eps:
                errs.append(f"router {n}: unknown entry point {ep}")
        if not r.get("entryPoints"):
            errs.append(f"router {n}: no entry points (it would join every default entry point)")
        for m in r.get("middlewares") or []:
            if m not in mws:
                errs.append(f"router {n}: unknown middleware {m}")
        s = r.get("service")
        if s not in svcs and not str(s).endswith("@internal"):
            errs.append(f"router {n}: unknown service {s}")
        opt = (r.get("tls") or {}).get("options")
        if opt is not None and opt not in tls_options:
            errs.append(f"router {n}: unknown TLS options {opt}")
    for n, s in svcs.items():
        for m in s.get("middlewares") or []:
            if m not in mws:
                errs.append(f"service {n}: unknown middleware {m}")
        for child in (s.get("weighted") or {}).get("services") or []:
            if child["name"] not in svcs:
                errs.append(f"service {n}: unknown child service {child['name']}")
        lb = s.get("loadBalancer") or {}
        if lb.get("serversTransport") and lb["serversTransport"] not in transports:
            errs.append(f"service {n}: unknown serversTransport {lb['serversTransport']}")
        for srv in lb.get("servers") or []:
            if not re.match(r"^https?://", srv.get("url", "")):
                errs.append(f"service {n}: server URL without a scheme")
    for n, m in mws.items():
        for p in (m.get("plugin") or {}):
            if p not in plugins:
                errs.append(f"middleware {n}: plugin {p} is not declared in the static configuration")
    return errs


@lru_cache(maxsize=None)
def static_flags() -> frozenset[str]:
    text = subprocess.run([TRAEFIK, "--help"], capture_output=True, text=True, timeout=60).stdout
    return frozenset(m.group(1) for m in re.finditer(r"^\s+--([a-z0-9.<>]+)", text, re.M))


_NAMED = {("entrypoints",), ("experimental", "localplugins")}


def static_flag_errors(static: dict) -> list[str]:
    """Every leaf of traefik.yml is a flag the binary knows (its --help lists them all)."""
    errs: list[str] = []

    def walk(v, path: list[str]):
        if isinstance(v, dict):
            if not v:
                errs.append(f"{'.'.join(path)}: empty mapping")
            named = tuple(path) in _NAMED
            for k, x in v.items():
                walk(x, path + (["<name>"] if named else [k.lower()]))
        else:
            flag = ".".join(path)
            if flag not in static_flags():
                errs.append(f"{flag}: not a static configuration option of this Traefik")
    walk(static, [])
    return errs
