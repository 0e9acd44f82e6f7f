"""The Kong backend class and the rendering of one document to bytes."""
from __future__ import annotations

import json

from gatewayc.backends.base import Backend, BuildOptions, Output, header
from gatewayc.ir import model as ir
from gatewayc.output.dump import to_yaml

from . import ids
from .capabilities import CAPABILITIES
from .context import Ctx
from .document import document


def render(doc: dict, options: BuildOptions, env: set[str]) -> bytes:
    """to_yaml, then un-quote decK placeholders: decK renders them on the raw text, before YAML."""
    text = to_yaml(doc)
    for var in sorted(env):
        ph = ids.placeholder(var)
        text = text.replace(json.dumps(ph), ph)
    return (header(options) + text).encode("utf-8")


class KongBackend(Backend):
    name = "kong"
    title = "Kong Gateway 3.x OSS (DB-less kong.yml / decK)"
    capabilities = CAPABILITIES

    def build(self, spec: ir.IR, gateways: tuple[ir.Gateway, ...], options: BuildOptions) -> Output:
        out = Output()
        stores: dict[tuple, str] = {}  # Redis database -> the gateway whose global limit counts there
        for gw in sorted(gateways, key=lambda g: g.name):
            ctx = Ctx(gw.name, frozenset(options.dropped))
            doc = document(gw, ctx)
            _one_gateway_per_store(ctx, stores)
            path = "kong.yml" if len(gateways) == 1 else f"{gw.name}.kong.yml"
            out.files[path] = render(doc, options, ctx.env)
            out.notes.extend(ctx.notes)
            out.env |= ctx.env
        return out


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
