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

from collections.abc import Iterator
from functools import cache

from gatewayc.diagnostics import Diagnostic

from . import pcre2
from .context import Context
from .render import IDENT, quote

BUFFER = 4096


# a token of at most this many characters fits anywhere: quoted and UTF-8 encoded (at most
# 4 bytes a character), it takes at most 4 * 1023 + 2 = 4094 bytes
_FITS = (BUFFER - 1 - 2) // 4


def _long_tokens(tree: list[dict], seen: set[int] | None = None) -> Iterator[tuple[dict, str, int]]:
    """(directive, token text, bytes it may take) for every token of `tree` longer than
    _FITS characters (the others always fit); a block that several places share (a route's
    body in every server) once. A 10k-route config has millions of tokens: the test of
    each is inline, and only the rare long one is yielded."""
    seen = set() if seen is None else seen
    for node in tree:
        name = node["directive"]
        if name == "#":
            continue
        args = node["args"]
        ends = "block" not in node
        if len(name) > _FITS:
            yield node, name, BUFFER - (1 if args or not ends else 0)
        for i, a in enumerate(args):
            if len(a) > _FITS:
                yield node, a, BUFFER - (0 if ends and i == len(args) - 1 else 1)
        block = node.get("block")
        if block and id(block) not in seen:
            seen.add(id(block))
            yield from _long_tokens(block, seen)


def _refuse(ctx: Context, text: str, message: str, hint: str) -> None:
    """One GWC310 per spec value: a value written into several places is reported once."""
    loc = ctx.spec.origin(text)
    if loc is None or all(d.location != loc or d.code != "GWC310" for d in ctx.notes):
        ctx.notes.append(Diagnostic("GWC310", message, loc, hint=hint))


def check(tree: list[dict], ctx: Context) -> None:
    """A GWC310 for every token of `tree` nginx would refuse, at the spec value behind it."""
    for node, text, room in _long_tokens(tree):
        if 4 * len(text) + 2 <= room:
            continue  # quoted and UTF-8 encoded, a character takes at most 4 bytes
        # an unquoted token (a directive name) is counted as if quoted: never shorter
        n = len(quote(text).encode())
        if n > room:
            head = text[:40].encode("unicode_escape").decode()
            _refuse(ctx, text, f"nginx: the value makes a `{node['directive']}` argument of {n} bytes "
                    f"(\"{head}...\"); nginx reads at most {room} there, quotes and escapes included",
                    "shorten the value (for a long body: serve it from the upstream)")


def _regexes(tree: list[dict], seen: set[int] | None = None) -> Iterator[tuple[dict, str, bool]]:
    """(directive, regex, caseless) for every regex nginx compiles from `tree` (a shared
    block once)."""
    seen = set() if seen is None else seen
    for node in tree:
        name, args = node["directive"], node["args"]
        if name == "location" and len(args) == 2 and args[0] in ("~", "~*"):
            yield node, args[1], args[0] == "~*"
        elif name == "rewrite" and args:
            yield node, args[0], False
        elif name == "if" and len(args) == 3 and args[1] in ("~", "~*", "!~", "!~*"):
            yield node, args[2][:-1], args[1].endswith("*")  # if_() writes "(var", op, "rx)"
        elif name == "map":
            for entry in node.get("block", []):
                key = entry["directive"]
                if key.startswith("~"):
                    caseless = key.startswith("~*")
                    yield node, key[2:] if caseless else key[1:], caseless
        block = node.get("block")
        if block and id(block) not in seen:
            seen.add(id(block))
            yield from _regexes(block, seen)


def check_regexes(tree: list[dict], ctx: Context) -> None:
    """A GWC310 for every regex of `tree` that PCRE2 refuses (when libpcre2 is installed)."""
    errors = cache(pcre2.compile_error)  # the same map condition is in many servers
    for node, rx, caseless in _regexes(tree):
        err = errors(rx, caseless)
        if err is not None:
            _refuse(ctx, rx, f"nginx: PCRE2 refuses the `{node['directive']}` regex built from this value: {err}",
                    "simplify the regex (fewer repetitions of classes or groups)")
