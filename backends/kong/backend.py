"""The Kong backend class and the rendering of one document to bytes."""
from __future__ import annotations

from gatewayc.backends.base import Backend, BuildOptions, Output, header
from gatewayc.ir import model as ir

from . import deck
from .capabilities import CAPABILITIES
from .context import Ctx
from .document import document


def render(doc: dict, options: BuildOptions) -> bytes:
    return deck.render(header(options), doc).encode("utf-8")


class KongBackend(Backend):
    name = "kong"
    title = "Kong Gateway 3.x OSS (DB-less kong.yml / decK)"
    capabilities = CAPABILITIES

    def build(self, spec: ir.IR, gateways: tuple[ir.Gateway, ...], options: BuildOptions) -> Output:
        out = Output()
        docs, ctxs = self.documents(gateways, options.dropped, options.accepted)
        for path, doc in docs.items():
            out.files[path] = render(doc, options)
        for ctx in ctxs:
            out.notes.extend(ctx.notes)
            out.env |= ctx.env
        return out

    def documents(self, gateways: tuple[ir.Gateway, ...], dropped: frozenset[str],
                  accepted: frozenset[str] = frozenset()) -> tuple[dict, list[Ctx]]:
        """{file name: document} before rendering (the values a decK run must read back), and
        the builders' states."""
        docs: dict[str, dict] = {}
        ctxs = []
        stores: dict[tuple, str] = {}  # Redis database -> the gateway whose global limit counts there
        for gw in sorted(gateways, key=lambda g: g.name):
            ctx = Ctx(gw.name, frozenset(dropped), frozenset(accepted), answers=gw.answers)
            path = "kong.yml" if len(gateways) == 1 else f"{gw.name}.kong.yml"
            docs[path] = document(gw, ctx)
            _one_gateway_per_store(ctx, stores)
            ctxs.append(ctx)
        return docs, ctxs


def _one_gateway_per_store(ctx: Ctx, stores: dict[tuple, str]) -> None:
    """A global plugin's Redis keys name no route or service, so two gateways' global limits
    in one Redis database would count together; budgets never span gateways."""
    rl = ctx.global_limit
    if not isinstance(rl, ir.RateLimit) or rl.store is None:
        return
    where = (rl.store.host, rl.store.port, rl.store.database)
    other = stores.setdefault(where, ctx.gateway)
    if other != ctx.gateway:
        ctx.limitation(f"gateway {ctx.gateway!r}: its shared rate-limit budget would count in the same Redis "
                       f"database as gateway {other!r}'s (Kong's keys for a global plugin name no route)", rl.loc,
                       hint="give each gateway's `store` its own `database`")


BACKEND = KongBackend()
