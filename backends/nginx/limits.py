"""What nginx cannot read back, found on the directive tree before it is written: tokens
too long for its reader, and regexes its PCRE2 does not compile.

nginx reads its configuration through a 4096-byte buffer (NGX_CONF_BUFFER in
src/core/ngx_conf_file.c). A token still being read when the buffer is full is refused
("too long parameter"), and a token counts from its first byte after the opening quote until
the tokenizer moves on: after the closing quote, a `;` ends the directive at once, a space
is read first. So an argument, quotes and escapes included as written, may be 4096 bytes
when it ends a directive and 4095 when something follows it (another argument, a block).
Measured with `nginx -t` on nginx 1.22 in tests/nginx/test_limits.py."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from gatewayc.diagnostics import Diagnostic

from . import pcre2
from .context import Context
from .render import IDENT, quote

BUFFER = 4096


# a token of at most this many characters fits anywhere: quoted and UTF-8 encoded (at most
# 4 bytes a character), it takes at most 4 * 1023 + 2 = 4094 bytes
_FITS = (BUFFER - 1 - 2) // 4


@dataclass
class Scan:
    """What the checks need from a directive tree, found in one walk of it (a 10k-route
    config has hundreds of thousands of directives: one walk instead of one per check).
    `long`: (directive, token text, bytes it may take) for every token longer than _FITS
    characters (the others always fit); `hashed`: the longest name (bytes) each hash bucket
    size directive must hold; `regexes`: (directive, regex, caseless) for every regex nginx
    compiles. A block that several places share (a route's body in every server) counts once."""

    long: list[tuple[dict, str, int]] = field(default_factory=list)
    hashed: dict[str, int] = field(default_factory=dict)
    regexes: list[tuple[dict, str, bool]] = field(default_factory=list)


def scan(tree: list[dict]) -> Scan:
    found = Scan()
    _scan(tree, found, set())
    return found


def _scan(tree: list[dict], found: Scan, seen: set[int]) -> None:
    long, hashed, regexes = found.long, found.hashed, found.regexes
    for node in tree:
        name = node["directive"]
        if name == "#":
            continue
        args = node["args"]
        block = node.get("block")
        if len(name) > _FITS:
            long.append((node, name, BUFFER - (1 if args or block is not None else 0)))
        for i, a in enumerate(args):
            if len(a) > _FITS:
                long.append((node, a, BUFFER - (0 if block is None and i == len(args) - 1 else 1)))
        if name in _SPECIAL:
            if name == "map":
                _map_entries(node, found)
                continue  # its entries are keys, not directives
            size_directive = _HASHED_BY.get(name)
            if size_directive is not None:
                hashed[size_directive] = max(hashed.get(size_directive, 0), len(args[0].encode()))
            elif name == "location" and len(args) == 2 and args[0] in ("~", "~*"):
                regexes.append((node, args[1], args[0] == "~*"))
            elif name == "rewrite" and args:
                regexes.append((node, args[0], False))
            elif name == "if" and len(args) == 3 and args[1] in ("~", "~*", "!~", "!~*"):
                regexes.append((node, args[2][:-1], args[1].endswith("*")))  # if_() writes "(var", op, "rx)"
        if block and id(block) not in seen:
            seen.add(id(block))
            _scan(block, found, seen)


def _map_entries(node: dict, found: Scan) -> None:
    """A map's entries: each key a regex, one of map's own parameters, or a name that goes
    into map_hash (the host class map's keys are route hostnames); keys and values are
    tokens like any other."""
    longest = found.hashed.get("map_hash_bucket_size", 0)
    for entry in node["block"]:
        key, args = entry["directive"], entry["args"]
        if len(key) > _FITS:
            found.long.append((entry, key, BUFFER - (1 if args else 0)))
        for i, a in enumerate(args):
            if len(a) > _FITS:
                found.long.append((entry, a, BUFFER - (0 if i == len(args) - 1 else 1)))
        if key.startswith("~"):
            caseless = key.startswith("~*")
            found.regexes.append((node, key[2:] if caseless else key[1:], caseless))
        elif key not in MAP_PARAMETERS:
            longest = max(longest, len(key.encode()))
    if longest:
        found.hashed["map_hash_bucket_size"] = longest


def _refuse(ctx: Context, text: str, message: str, hint: str, code: str = "GWC310") -> None:
    """One refusal per spec value: a value written into several places is reported once."""
    loc = ctx.spec.origin(text)
    if loc is None or all(d.location != loc or d.code != code for d in ctx.notes):
        ctx.notes.append(Diagnostic(code, message, loc, hint=hint))


def check(found: Scan, ctx: Context) -> None:
    """A GWC350 for every token nginx would refuse, at the spec value behind it."""
    for node, text, room in found.long:
        if 4 * len(text) + 2 <= room:
            continue  # quoted and UTF-8 encoded, a character takes at most 4 bytes
        # an unquoted token (a directive name) is counted as if quoted: never shorter
        n = len(quote(text).encode())
        if n > room:
            head = text[:40].encode("unicode_escape").decode()
            _refuse(ctx, text, f"nginx: the value makes a `{node['directive']}` argument of {n} bytes "
                    f"(\"{head}...\"); nginx reads at most {room} there, quotes and escapes included",
                    "shorten the value (for a long body: serve it from the upstream)", "GWC350")


# nginx keeps some names in hashes whose buckets must each hold the longest name
# (ngx_hash_init: a name takes two pointers, itself and 2 bytes, 8-aligned; the bucket size is
# rounded up to the cache line). The defaults (64 bytes) hold names of up to 46 bytes: a longer
# header name or host name would stop nginx from loading ("could not build proxy_headers_hash,
# you should increase proxy_headers_hash_bucket_size"). Measured in tests/harden/test_output_limits.py.
_DEFAULT_BUCKET = 64
_HASHED = {  # bucket size directive -> the directives whose names go into that hash
    "proxy_headers_hash_bucket_size": ("proxy_set_header", "proxy_hide_header", "proxy_pass_header"),
}
_HASHED_BY = {name: size for size, names in _HASHED.items() for name in names}
_SPECIAL = {*_HASHED_BY, "map", "location", "rewrite", "if"}  # what _scan looks at beyond tokens
# a map key spelled like one of these is a parameter of map unless escaped with a backslash
MAP_PARAMETERS = {"default", "hostnames", "include", "volatile"}


def bucket_size(name_bytes: int) -> int:
    """The smallest bucket size (a multiple of the 64-byte cache line) that holds a name."""
    need = 8 + 8 + -(-(name_bytes + 2) // 8) * 8
    return -(-need // _DEFAULT_BUCKET) * _DEFAULT_BUCKET


def hash_sizes(found: Scan) -> list[dict]:
    """The http-level bucket sizes the names found need beyond nginx's defaults."""
    return [{"directive": k, "args": [str(bucket_size(n))]} for k, n in sorted(found.hashed.items())
            if bucket_size(n) > _DEFAULT_BUCKET]


def check_regexes(found: Scan, ctx: Context) -> None:
    """A GWC310 for every regex found that PCRE2 refuses (when libpcre2 is installed)."""
    errors = cache(pcre2.compile_error)  # the same map condition is in many servers
    for node, rx, caseless in found.regexes:
        err = errors(rx, caseless)
        if err is not None:
            _refuse(ctx, rx, f"nginx: PCRE2 refuses the `{node['directive']}` regex built from this value: {err}",
                    "simplify the regex (fewer repetitions of classes or groups)")
