"""What a target's consumer reads from a build, and the oracle that proves user text inert.

`read(target, files, env)` turns a build into what the consumer of each file reads: nginx
configs as crossplane's directive tree (arguments unescaped as nginx does); kong.yml as decK
renders and reads it, with Kong's own reading of transformer entries; dynamic.yml as
Traefik's file provider renders it, with every router rule parsed into its matcher calls;
JSON/YAML data loaded; code (njs, the Traefik plugin) as bytes. A registered target missing
from READERS fails the tests.

`differences(b, h, markers, benign, hostile)`: the build `h` of the hostile text must read
exactly like the build `b` of its benign twin (the same files, directives, keys, list lengths,
numbers, code bytes; identifiers derived from content compared by use, `canonical`) except
that a string holding a marker (written before each tried text) holds the hostile text where
`b` holds the twin, both in the same one of the forms that carry text as data (ENCODINGS).
"""
from __future__ import annotations

import io
import json
import re
from urllib.parse import quote, unquote

import crossplane
from ruamel.yaml import YAML

from gatewayc import backends
from gatewayc.ir.answers import quoted

DOLLAR = "${gwc_dollar}"  # what nginx's `$` becomes in a value nginx interpolates (backends/nginx)


def _kong_escape(s: str) -> str:
    from gatewayc.backends.kong.paths import escape

    return escape(s)


def _quote_meta(s: str) -> str:
    from gatewayc.backends.traefik.rules import quote_meta

    return quote_meta(s)


# the forms in which a target carries text as data: each one is undone by the consumer
# (a JSON string, a regex matching exactly the text, nginx's geo variable for `$`, JSON
# escapes for Velocity's `$` and `#` (AWS mapping templates), a
# percent-decoded path, the escaped realm of a challenge)
ENCODINGS = {
    "as is": lambda s: s,
    "JSON string": lambda s: json.dumps(s)[1:-1],
    "JSON string, UTF-8": lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
    "nginx literal": lambda s: s.replace("$", DOLLAR),
    "JSON in nginx": lambda s: json.dumps(s)[1:-1].replace("$", DOLLAR),
    "JSON UTF-8 in nginx": lambda s: json.dumps(s, ensure_ascii=False)[1:-1].replace("$", DOLLAR),
    "JSON in Velocity": lambda s: json.dumps(s, ensure_ascii=False)[1:-1].replace("$", "\\u0024").replace("#", "\\u0023"),
    "regex (Python)": re.escape,
    "regex of the decoded path": lambda s: re.escape(unquote(s)),
    "regex (Kong)": _kong_escape,
    "regex (Go QuoteMeta)": _quote_meta,
    "percent-decoded": unquote,
    "percent-encoded": lambda s: quote(s, safe="/"),
    "challenge realm": quoted,
    "nginx header variable": lambda s: s.lower().replace("-", "_"),
    "Go regexp replacement": lambda s: s.replace("$", "$$"),  # Traefik's replacePathRegex
    "Envoy header formatter": lambda s: s.replace("%", "%%"),  # %VAR% is a command in header values
    "challenge realm, Envoy header formatter": lambda s: quoted(s).replace("%", "%%"),  # a 401 by local_reply
    "identifier slug": lambda s: re.sub(r"[^A-Za-z0-9]", "_", s),  # names of nginx locations and variables
}


def _nginx_tree(text: str) -> list:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".conf", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        parsed = crossplane.parse(f.name, single=True, comments=False, check_ctx=False, check_args=False)
    assert parsed["status"] == "ok", parsed["errors"]
    return _strip_lines(parsed["config"][0]["parsed"])


def _strip_lines(tree: list) -> list:
    from nginx_harness import unescape

    return [{"directive": unescape(n["directive"]), "args": [unescape(a) for a in n["args"]],
             **({"block": _strip_lines(n["block"])} if "block" in n else {})} for n in tree]


def _yaml(data: bytes):
    return YAML(typ="safe", pure=True).load(io.StringIO(data.decode("utf-8")))


def _generic(name: str, data: bytes):
    if name.endswith(".json"):
        return json.loads(data)
    if name.endswith((".yml", ".yaml")):
        return _yaml(data)
    return data  # code and anything else: bytes, compared whole


def read_nginx(files: dict[str, bytes], env: dict[str, str], deck) -> dict:
    return {n: _nginx_tree(d.decode("utf-8")) if n.endswith(".conf") else _generic(n, d) for n, d in files.items()}


def read_kong(files: dict[str, bytes], env: dict[str, str], deck) -> dict:
    import kongcheck

    out = {}
    for n, d in files.items():
        if not n.endswith((".yml", ".yaml")):
            out[n] = _generic(n, d)
            continue
        doc = deck.read(d, env)
        for _, p in kongcheck.all_plugins(doc):
            if p.get("name") in ("request-transformer", "response-transformer"):
                p["config"] = kongcheck.transformer_reads(p)  # Kong's own split and `$(...)` reading
        out[n] = doc
    return out


def read_traefik(files: dict[str, bytes], env: dict[str, str], deck) -> dict:
    from traefik_harness import load_dynamic

    out = {}
    for n, d in files.items():
        if n == "dynamic.yml":
            doc = load_dynamic(d, env)  # fails on any template action gatewayc did not write
            for r in ((doc.get("http") or {}).get("routers") or {}).values():
                r["rule"] = parse_rule(r["rule"])
            out[n] = doc
        else:
            out[n] = _generic(n, d)
    return out


_SUB = re.compile(r"\$\{(!?)([^}]*)\}")


def _cfn_sub(s: str) -> list:
    """CloudFormation's reading of a Fn::Sub string: literal text and ${Name} references
    (`${!x}` is the literal `${x}`)."""
    out, i = [], 0
    for m in _SUB.finditer(s):
        out.append(("text", s[i:m.start()]))
        out.append(("text", "${" + m.group(2) + "}") if m.group(1) else ("ref", m.group(2)))
        i = m.end()
    return out + [("text", s[i:])]


def _cfn(v):
    if isinstance(v, dict):
        if set(v) == {"Fn::Sub"} and isinstance(v["Fn::Sub"], str):
            return {"Fn::Sub": _cfn_sub(v["Fn::Sub"])}
        return {k: _cfn(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_cfn(x) for x in v]
    return v


def read_aws(files: dict[str, bytes], env: dict[str, str], deck) -> dict:
    return {n: _cfn(_yaml(d)) if n == "template.yaml" else _generic(n, d) for n, d in files.items()}


def read_envoy(files: dict[str, bytes], env: dict[str, str], deck) -> dict:
    return {n: _generic(n, d) for n, d in files.items()}


READERS = {"aws": read_aws, "envoy": read_envoy, "kong": read_kong, "nginx": read_nginx, "traefik": read_traefik}


def read(target: str, files: dict[str, bytes], env: dict[str, str], deck) -> dict:
    assert target in READERS, f"no reader for the registered target {target!r}: add one to {__file__}"
    assert set(READERS) >= set(backends.names())
    return READERS[target](files, env, deck)


# --- Traefik rules: Go expressions of matcher calls ---------------------------------------
_TOKEN = re.compile(r'\s*(?:(&&|\|\||!|\(|\)|,)|([A-Za-z][A-Za-z0-9]*)|`([^`]*)`|"((?:[^"\\]|\\.)*)")', re.S)
_GO_ESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"',
           "'": "'"}


def _go_unquote(body: str) -> str:
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        n = body[i + 1]
        if n in _GO_ESC:
            out += _GO_ESC[n].encode()
            i += 2
        elif n == "x":
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        elif n in "uU":
            k = 4 if n == "u" else 8
            out += chr(int(body[i + 2:i + 2 + k], 16)).encode("utf-8", "surrogatepass")
            i += 2 + k
        elif n in "01234567":
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        else:
            raise AssertionError(f"not a Go escape: \\{n}")
    return out.decode("utf-8", "surrogateescape")


def parse_rule(rule: str) -> list:
    """The rule as tokens: operators, matcher names and decoded string values ("str", value).
    Fails on anything that is not one of them (a rule Traefik would not read as meant)."""
    toks, i = [], 0
    while i < len(rule):
        m = _TOKEN.match(rule, i)
        assert m and m.end() > i, f"unreadable rule at {i}: {rule[i:i + 40]!r}"
        op, name, raw, interp = m.groups()
        if op:
            toks.append(op)
        elif name:
            toks.append(("fn", name))
        elif raw is not None:
            toks.append(("str", raw.replace("\r", "")))  # Go drops CR from raw strings
        else:
            toks.append(("str", _go_unquote(interp)))
        i = m.end()
        while i < len(rule) and rule[i].isspace():
            i += 1
    return toks


# --- the oracle ----------------------------------------------------------------------------
def _marked(s: str, markers: list[str]) -> bool:
    return any(m in s for m in markers)


def _string_ok(b: str, h: str, markers: list[str], benign: str, text: str) -> str | None:
    """None when `h` is `b` with the benign text after each marker replaced by the hostile
    text, both in one data form; else why not. Only a string holding a marker may differ."""
    if not _marked(b, markers):
        return None if b == h else "changed"
    for enc in ENCODINGS.values():
        eb, et = enc(benign), enc(text)
        want = re.sub("(" + "|".join(map(re.escape, markers)) + ")" + re.escape(eb), lambda m: m.group(1) + et, b)
        if want == h:
            return None
    return "not the text in any data form"


_IDS = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"  # Kong's uuid5 ids
                  r"|\bgwc_(?!dollar\b)[A-Za-z0-9_]*_[0-9a-f]{8,12}\b"  # nginx's stable names
                  r"|\b[A-Za-z0-9_]+_[0-9a-f]{8}\b"  # njs configuration keys
                  r"|\bDeployment[0-9a-f]{12}\b|\b[0-9a-f]{12}\b")  # AWS's digests of a document


def canonical(tree):
    """Identifiers derived from content (hashes) renamed in order of first use, so that two
    builds compare by how they use them, not by their digests. nginx `map` blocks (whose order
    does not matter, and which gatewayc sorts by their digest names) are named after the
    directives that use them and then sorted by what they hold."""
    seen: dict[str, str] = {}

    def name(m):
        return seen.setdefault(m.group(), f"<id{len(seen)}>")

    if isinstance(tree, dict):
        for f, t in tree.items():
            if f.endswith(".conf") and isinstance(t, list):
                _name_nginx(t, seen, name)

    def walk(v):
        if isinstance(v, str):
            return _IDS.sub(name, v)
        if isinstance(v, dict):
            return {walk(k): walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, tuple):
            return tuple(walk(x) for x in v)
        return v
    return walk(tree)


def differences(b, h, markers: list[str], benign: str, text: str, path: str = "") -> list[str]:
    if isinstance(b, str) and isinstance(h, str):
        why = _string_ok(b, h, markers, benign, text)
        return [] if why is None else [f"{path}: {why}: {b[:80]!r} -> {h[:80]!r}"]
    if type(b) is not type(h):
        return [f"{path}: {type(b).__name__} -> {type(h).__name__}"]
    if isinstance(b, dict):
        errs, used = [], set()
        plain = {k for k in b if not (isinstance(k, str) and _marked(k, markers))}
        for k in b:
            if k in plain:
                if k not in h:
                    return [f"{path}: key {k!r} missing"]
                used.add(k)
                errs += differences(b[k], h[k], markers, benign, text, f"{path}/{k}")
            else:
                cands = [x for x in h if x not in plain and x not in used
                         and _string_ok(k, x, markers, benign, text) is None]
                if not cands:
                    return [f"{path}: no key for {k[:60]!r}"]
                used.add(cands[0])
                errs += differences(b[k], h[cands[0]], markers, benign, text, f"{path}/{k[:30]}")
        extra = set(h) - used
        return errs + ([f"{path}: extra keys {sorted(map(str, extra))[:5]}"] if extra else [])
    if isinstance(b, (list, tuple)):
        if len(b) != len(h):
            return [f"{path}: {len(b)} items -> {len(h)}"]
        return [e for i, (x, y) in enumerate(zip(b, h))
                for e in differences(x, y, markers, benign, text, f"{path}[{i}]")]
    return [] if b == h else [f"{path}: {b!r} -> {h!r}"]


def _name_nginx(tree: list, seen: dict, name) -> None:
    """Names the ids of an nginx tree: first everything outside `map` blocks, in order, then
    each map once its variable is named (a map feeding only other maps after those), the rest
    in the order of their content with ids masked; the maps are then sorted by their names."""
    def visit(nodes):
        for n in nodes:
            if n["directive"] == "map":
                continue
            for a in n["args"]:
                _IDS.sub(name, a)
            _IDS.sub(name, n["directive"])
            visit(n.get("block", []))

    def maps(nodes):
        for n in nodes:
            if n["directive"] == "map":
                yield n
            else:
                yield from maps(n.get("block", []))

    visit(tree)
    pending = list(maps(tree))
    while pending:
        ready = [m for m in pending if any(x in seen for x in _IDS.findall(m["args"][-1]))]
        if not ready:
            ready = [min(pending, key=lambda m: json.dumps(m, sort_keys=True).replace("_", ""))]
            ready = [min(pending, key=lambda m: _IDS.sub("<id>", json.dumps(m)))]
        for m in ready:
            pending.remove(m)
            _IDS.sub(name, json.dumps(m))

    def order(nodes):
        idx = [i for i, n in enumerate(nodes) if n["directive"] == "map"]
        ms = sorted((nodes[i] for i in idx), key=lambda m: _IDS.sub(lambda x: seen.get(x.group(), ""), json.dumps(m)))
        for i, m in zip(idx, ms):
            nodes[i] = m
        for n in nodes:
            order(n.get("block", []))
    order(tree)


def _walk_nodes(tree):
    for n in tree:
        yield n
        yield from _walk_nodes(n.get("block", []))


def nginx_differences(b: list, h: list, markers: list[str], benign: str, text: str) -> list[str]:
    """nginx builds order maps and named locations by digest, so their trees are compared as
    what cannot be injected without showing: the same directives, each as often and with as
    many arguments; the same variable references; every argument that holds tried text holds
    it in a data form (and only the benign build's twin where the benign one has it)."""
    def shape(tree):
        out = {}
        for n in _walk_nodes(tree):
            d = _IDS.sub("<id>", n["directive"]) if not _marked(n["directive"], markers) else "<text>"
            out.setdefault(d, []).append(len(n["args"]) + (1000 if "block" in n else 0))
        return {k: sorted(v) for k, v in out.items()}

    errs = []
    sb, sh = shape(b), shape(h)
    if sb != sh:
        errs += [f"directive {k!r}: {sb.get(k)} -> {sh.get(k)}" for k in sorted(set(sb) | set(sh))
                 if sb.get(k) != sh.get(k)][:10]
    def var(v):  # a variable named after a header name holding tried text: compared up to it
        return re.sub(r"zqx\d{3}q[A-Za-z0-9_]*", "<text>", _IDS.sub("<id>", v))
    vb = sorted(map(var, nginx_variables(b)))
    vh = sorted(map(var, nginx_variables(h)))
    if vb != vh:
        errs.append(f"variables: {sorted(set(vb) - set(vh))[:5]} -> {sorted(set(vh) - set(vb))[:5]}")
    for n in _walk_nodes(h):
        for a in [n["directive"], *n["args"]]:
            if _marked(a, markers) and not any(enc(text) in a for enc in ENCODINGS.values()):
                errs.append(f"{n['directive']}: {a[:80]!r} holds the text in no data form")
    for n in _walk_nodes(b):
        for a in [n["directive"], *n["args"]]:
            if _marked(a, markers) and not any(enc(benign) in a for enc in ENCODINGS.values()):
                errs.append(f"benign {n['directive']}: {a[:80]!r} holds the twin in no data form")
    return errs


_VAR = re.compile(r"(?<!\\)\$(\{[A-Za-z0-9_]+\}|[A-Za-z0-9_]+)")


def nginx_variables(tree) -> list[str]:
    """Every nginx variable reference in a read config (`${gwc_dollar}` excepted): the
    hostile build must not reference one the benign build does not."""
    out = []
    if isinstance(tree, dict):
        # nginx reads a location's path literally (no variables in it)
        for a in tree.get("args", []) if tree.get("directive") != "location" else []:
            out += [v for v in _VAR.findall(a) if v != "{gwc_dollar}"]
        for n in tree.get("block", []):
            out += nginx_variables(n)
    elif isinstance(tree, list):
        for n in tree:
            out += nginx_variables(n)
    return out
