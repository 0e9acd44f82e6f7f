"""What nginx cannot read back, found while the directive tree is written: tokens too long
for its reader, and regexes its PCRE2 does not compile.

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
from .render import BUFFER, quote


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
# a map key spelled like one of these is a parameter of map unless escaped with a backslash
MAP_PARAMETERS = {"default", "hostnames", "include", "volatile"}


@dataclass
class Scan:
    """What the checks need from a directive tree, gathered while render() writes it (a
    10k-route config has hundreds of thousands of directives: no walk of its own).
    `long`: (directive, token text, bytes it may take) for every token longer than FITS
    characters (the others always fit); `hashed`: the longest name (bytes) each hash bucket
    size directive must hold; `regexes`: (directive, regex, caseless) for every regex nginx
    compiles. A block that several places share (a route's body in every server) counts once.
    tests/nginx/test_limits_scan.py compares it with a plain walk of the tree."""

    long: list[tuple[dict, str, int]] = field(default_factory=list)
    hashed: dict[str, int] = field(default_factory=dict)
    # a regex location, rewrite or if as the node itself, a map entry's as (map, regex, caseless):
    # render() is building 20 MB of lines meanwhile, and objects made now and kept would pin
    # the memory of the lines after they are freed (docs/benchmarks.md, peak RSS)
    _regexes: list[dict | tuple[dict, str, bool]] = field(default_factory=list)
    special = frozenset({*_HASHED_BY, "map", "location", "rewrite", "if"})  # the nodes it looks at
    _tokens_seen: set[tuple[int, str]] = field(default_factory=set)

    def token(self, node: dict, text: str) -> None:
        """Every place `text` takes in `node`, once per node: as its name, a `;` or a block
        may follow; as an argument, one more argument or a block may."""
        if (id(node), text) in self._tokens_seen:
            return
        self._tokens_seen.add((id(node), text))
        args, block = node["args"], node.get("block")
        if node["directive"] == text:
            self.long.append((node, text, BUFFER - (1 if args or block is not None else 0)))
        for i, a in enumerate(args):
            if a == text:
                self.long.append((node, a, BUFFER - (0 if block is None and i == len(args) - 1 else 1)))

    def node(self, node: dict) -> Scan | _Tokens:
        name, args = node["directive"], node["args"]
        if name == "map":
            self._map_entries(node)
            return _Tokens(self)  # its entries are keys, not directives
        size_directive = _HASHED_BY.get(name)
        if size_directive is not None:
            self.hashed[size_directive] = max(self.hashed.get(size_directive, 0), len(args[0].encode()))
        elif name == "location" and len(args) == 2 and args[0] in ("~", "~*") or name == "rewrite" and args \
                or name == "if" and len(args) == 3 and args[1] in ("~", "~*", "!~", "!~*"):
            self._regexes.append(node)
        return self

    @property
    def regexes(self) -> list[tuple[dict, str, bool]]:
        """(directive, regex, caseless) for every regex nginx compiles, in the order written."""
        out = []
        for x in self._regexes:
            if type(x) is tuple:
                out.append(x)
                continue
            name, args = x["directive"], x["args"]
            if name == "location":
                out.append((x, args[1], args[0] == "~*"))
            elif name == "rewrite":
                out.append((x, args[0], False))
            else:
                out.append((x, args[2][:-1], args[1].endswith("*")))  # if_() writes "(var", op, "rx)"
        return out

    def _map_entries(self, node: dict) -> None:
        """A map's entries: each key a regex, one of map's own parameters, or a name that goes
        into map_hash (the host class map's keys are route hostnames)."""
        longest = self.hashed.get("map_hash_bucket_size", 0)
        for entry in node["block"]:
            key = entry["directive"]
            if key.startswith("~"):
                caseless = key.startswith("~*")
                self._regexes.append((node, key[2:] if caseless else key[1:], caseless))
            elif key not in MAP_PARAMETERS:
                longest = max(longest, len(key.encode()))
        if longest:
            self.hashed["map_hash_bucket_size"] = longest


@dataclass
class _Tokens:
    """The watcher inside a map block: its entries' keys and values are tokens like any other,
    but no entry is a directive."""

    scan: Scan
    special = frozenset()

    def token(self, node: dict, text: str) -> None:
        self.scan.token(node, text)

    def node(self, node: dict) -> _Tokens:
        return self


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
