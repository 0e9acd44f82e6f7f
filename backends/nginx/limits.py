"""What nginx cannot read back, found on the directive tree before it is written.

nginx reads its configuration through a 4096-byte buffer (NGX_CONF_BUFFER in
src/core/ngx_conf_file.c). A token still being read when the buffer is full is refused
("too long parameter"), and a token counts from its first byte after the opening quote until
the tokenizer moves on: after the closing quote, a `;` ends the directive at once, a space
is read first. So an argument, quotes and escapes included as written, may be 4096 bytes
when it ends a directive and 4095 when something follows it (another argument, a block).
Measured with `nginx -t` on nginx 1.22 in tests/nginx/test_limits.py."""
from __future__ import annotations

from collections.abc import Iterator

from gatewayc.diagnostics import Diagnostic

from .context import Context
from .render import IDENT, quote

BUFFER = 4096


def _tokens(tree: list[dict]) -> Iterator[tuple[dict, str, int]]:
    """(directive, token text, bytes it may take) for every token of `tree`."""
    for node in tree:
        if node["directive"] == "#":
            continue
        args = node["args"]
        ends = "block" not in node
        yield node, node["directive"], BUFFER - (1 if args or not ends else 0)
        for i, a in enumerate(args):
            yield node, a, BUFFER - (0 if ends and i == len(args) - 1 else 1)
        yield from _tokens(node.get("block", []))


def check(tree: list[dict], ctx: Context) -> None:
    """A GWC310 for every token of `tree` nginx would refuse, at the spec value behind it."""
    for node, text, room in _tokens(tree):
        # an unquoted token (a directive name) is counted as if quoted: never shorter
        n = len(quote(text).encode())
        if n > room:
            head = text[:40].encode("unicode_escape").decode()
            ctx.notes.append(Diagnostic(
                "GWC310", f"nginx: the value makes a `{node['directive']}` argument of {n} bytes (\"{head}...\"); "
                f"nginx reads at most {room} there, quotes and escapes included", ctx.spec.origin(text),
                hint="shorten the value (for a long body: serve it from the upstream)"))
