"""Reads an Envoy bootstrap (as loaded from envoy.yaml) against the vendored Envoy 1.30 API
(api_1_30/fields.json): every key must be a field of its message there, found through the
bootstrap's message types, repeated fields, maps and the `@type` of each google.protobuf.Any.

`check(doc)` returns (beyond, newer): the paths of keys that are not in the 1.30 API at all
(an unknown field, an @type 1.30 lacks, a list where 1.30 wants one value...), and, for keys that
are fields added after 1.30 and listed under "after_1_30", the path and "<message>.<field>"."""
from __future__ import annotations

import json
from pathlib import Path

API = json.loads((Path(__file__).parent / "api_1_30" / "fields.json").read_text())
ROOT = "envoy.config.bootstrap.v3.Bootstrap"
T = "type.googleapis.com/"
SCALARS = {"string", "bool", "uint32", "int64", "double", "enum"}
# well-known types Envoy's YAML writes as one value (JSON mapping of the protobuf wrappers, a
# Duration as "1.5s"); a wrapper may also be written as its message, {value: ...}
WRAPPERS = {"google.protobuf.UInt32Value", "google.protobuf.UInt64Value", "google.protobuf.BoolValue"}
OPAQUE = {"google.protobuf.Struct"}  # free-form JSON: nothing in it is a proto field


class Walk:
    def __init__(self) -> None:
        self.beyond: list[str] = []
        self.newer: list[tuple[str, str]] = []

    def field_type(self, message: str, key: str, path: str) -> str | None:
        fields = API["messages"].get(message)
        if fields is None:
            self.beyond.append(f"{path} (message {message} is not vendored)")
            return None
        if key in fields:
            return fields[key]
        later = API["after_1_30"].get(message, {}).get(key)
        if later is not None:
            self.newer.append((path, f"{message}.{key}"))
            return later["type"]
        self.beyond.append(f"{path} (no field {key!r} in {message})")
        return None

    def value(self, v, kind: str, path: str) -> None:
        repeated = kind.startswith("repeated ")
        if repeated:
            if not isinstance(v, list):
                self.beyond.append(f"{path} (a repeated field, given one value)")
                return
            for i, item in enumerate(v):
                self.single(item, kind.removeprefix("repeated "), f"{path}[{i}]")
        elif kind.startswith("map "):
            if not isinstance(v, dict):
                self.beyond.append(f"{path} (a map, given {type(v).__name__})")
                return
            for k, item in v.items():
                self.single(item, kind.removeprefix("map "), f"{path}[{k}]")
        elif isinstance(v, list):
            self.beyond.append(f"{path} (a single field, given a list)")
        else:
            self.single(v, kind, path)

    def single(self, v, kind: str, path: str) -> None:
        if kind in SCALARS or kind == "google.protobuf.Duration" or kind in OPAQUE:
            if kind not in OPAQUE and isinstance(v, (dict, list)):
                self.beyond.append(f"{path} ({kind}, given {type(v).__name__})")
            return
        if kind in WRAPPERS:
            if isinstance(v, dict) and set(v) - {"value"}:
                self.beyond.append(f"{path} ({kind} takes only `value`)")
            return
        if not isinstance(v, dict):
            self.beyond.append(f"{path} (message {kind}, given {type(v).__name__})")
            return
        if kind == "google.protobuf.Empty":
            if v:
                self.beyond.append(f"{path} (google.protobuf.Empty, given fields)")
            return
        if kind == "google.protobuf.Any":
            url = v.get("@type", "")
            if not url.startswith(T) or url.removeprefix(T) not in API["types"]:
                self.beyond.append(f"{path}[@type] ({url or 'missing'}: not a type of Envoy 1.30's API)")
                return
            kind = url.removeprefix(T)
            v = {k: x for k, x in v.items() if k != "@type"}
        self.message(v, kind, path)

    def message(self, v: dict, message: str, path: str) -> None:
        for key, item in v.items():
            where = f"{path}.{key}" if path else key
            kind = self.field_type(message, key, where)
            if kind is not None:
                self.value(item, kind, where)


def check(doc: dict) -> tuple[list[str], list[tuple[str, str]]]:
    w = Walk()
    w.message(doc, ROOT, "")
    return w.beyond, w.newer
