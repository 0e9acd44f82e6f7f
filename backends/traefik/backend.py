"""The Traefik backend class: dynamic.yml, traefik.yml (and the local plugin, when used)."""
from __future__ import annotations

from gatewayc.backends.base import Backend, BuildOptions, Output, header
from gatewayc.ir import model as ir
from gatewayc.output.dump import to_yaml

from . import plugin
from .capabilities import CAPABILITIES
from .context import Ctx
from .document import dynamic
from .render import escape, template_yaml
from .static import DYNAMIC, static


class TraefikBackend(Backend):
    name = "traefik"
    title = "Traefik Proxy v3.7 (file provider)"
    capabilities = CAPABILITIES

    def build(self, spec: ir.IR, gateways: tuple[ir.Gateway, ...], options: BuildOptions) -> Output:
        ctx = Ctx(frozenset(options.dropped))
        if options.form != "full":
            ctx.error("only the full form is built for Traefik (`--form include` is an NGINX form)", None)
        gws = tuple(sorted(gateways, key=lambda g: g.name))
        doc = dynamic(gws, ctx)
        out = Output(notes=ctx.notes, env=ctx.env)
        # the file provider runs the dynamic file through Go templates: comments too
        out.files[DYNAMIC] = (escape(header(options)) + template_yaml(doc)).encode("utf-8")
        out.files["traefik.yml"] = (header(options) + to_yaml(static(gws, plugin.static() if ctx.plugin else {}))
                                    ).encode("utf-8")
        if ctx.plugin:
            out.files.update(plugin.files(lambda comment: header(options, comment)))
        return out


BACKEND = TraefikBackend()
