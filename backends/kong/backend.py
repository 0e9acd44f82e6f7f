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
        for gw in sorted(gateways, key=lambda g: g.name):
            ctx = Ctx(gw.name, frozenset(options.dropped))
            doc = document(gw, ctx)
            path = "kong.yml" if len(gateways) == 1 else f"{gw.name}.kong.yml"
            out.files[path] = render(doc, options, ctx.env)
            out.notes.extend(ctx.notes)
            out.env |= ctx.env
        return out


BACKEND = KongBackend()
