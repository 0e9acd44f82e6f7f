"""The Envoy backend class: one static bootstrap, envoy.yaml."""
from __future__ import annotations

from gatewayc.backends.base import Backend, BuildOptions, Output, header
from gatewayc.ir import model as ir
from gatewayc.output.dump import to_yaml

from . import cache, limits, listeners, observability
from .capabilities import CAPABILITIES
from .context import Ctx
from .routes import ADMIN_CLUSTER, GatewayRoutes

FILE = "envoy.yaml"


class EnvoyBackend(Backend):
    name = "envoy"
    title = "Envoy proxy >= 1.30 (static bootstrap; a few features need newer)"
    capabilities = CAPABILITIES

    def build(self, spec: ir.IR, gateways: tuple[ir.Gateway, ...], options: BuildOptions) -> Output:
        ctx = Ctx(frozenset(options.dropped))
        if options.form != "full":
            ctx.error("only the full form is built for Envoy (`--form include` is an NGINX form)", None)
        out = Output(notes=ctx.notes, env=ctx.env)
        doc = bootstrap(gateways, ctx)
        limits.check(doc, spec.origin, ctx)
        out.files[FILE] = (header(options) + to_yaml(doc)).encode("utf-8")
        return out


def bootstrap(gateways: tuple[ir.Gateway, ...], ctx: Ctx) -> dict:
    cluster_defs: dict[str, dict] = {}
    lsts: list[dict] = []
    internal = False
    for gw in sorted(gateways, key=lambda g: g.name):
        rb = GatewayRoutes(gw, ctx, cluster_defs)
        lsts += listeners.listeners(gw, rb, ctx)
        cluster_defs.update(rb.cache.clusters())
        internal = internal or bool(rb.cache.inner)
    doc: dict = {}
    if internal:
        doc["bootstrap_extensions"] = [cache.INTERNAL_EXTENSION]
    if observability.uses_admin(gateways, ctx):
        doc["admin"] = observability.admin()
        cluster_defs[ADMIN_CLUSTER] = observability.admin_cluster(ADMIN_CLUSTER)
    doc["static_resources"] = {"listeners": lsts, "clusters": [cluster_defs[k] for k in sorted(cluster_defs)]}
    return doc


BACKEND = EnvoyBackend()
