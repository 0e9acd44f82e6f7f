"""The NGINX backend: open-source nginx >= 1.22 with njs >= 0.7 (no NGINX Plus)."""
from __future__ import annotations

from gatewayc.ir import model as ir

from ..base import Backend, BuildOptions, Output, header
from . import (actions, answers, cache, cors, forwarding, limits, mirror, njs_bridge, observability, ratelimit,
               routing, transforms, upstreams)
from .capabilities import CAPABILITIES
from .context import NJS_MODULE, Context, d
from .render import lines, render
from .skeleton import events, http_basics, main_context


class NginxBackend(Backend):
    name = "nginx"
    title = "NGINX (open source, with njs)"
    capabilities = CAPABILITIES
    forms = ("full", "include")

    def build(self, spec: ir.IR, gateways: tuple[ir.Gateway, ...], options: BuildOptions) -> Output:
        ctx = Context(spec, gateways, frozenset(options.dropped), options.form)
        njs_http = njs_bridge.call("http_directives", gateways, ctx)
        http = self._http(gateways, njs_http, ctx)
        out = Output(notes=ctx.notes, env=ctx.env)
        njs_main = njs_bridge.call("main_directives", gateways, ctx)
        if njs_http:
            njs_main = [d("load_module", NJS_MODULE), *njs_main]
        # the checks of what nginx cannot read back hear of every directive as it is written;
        # the hash sizes they find go at the top of the http block
        found, njs_found = limits.Scan(), limits.Scan()
        main_text = render(njs_main, 0, njs_found)
        depth = 0 if options.form == "include" else 1
        http_lines = lines(http, depth, found)
        limits.check(njs_found, ctx)
        limits.check(found, ctx)
        limits.check_regexes(found, ctx)
        sizes = render(limits.hash_sizes(found), depth)
        if options.form == "include":
            name, text = "gatewayc-http.conf", "".join((header(options), sizes, *http_lines))
        else:
            name, text = "nginx.conf", "".join((header(options), render(main_context(ctx)), main_text,
                                                render([events()]), "http {\n", sizes, *http_lines, "}\n"))
        del http_lines  # before encoding: at 10k routes the lines are 35 MB, the text 20 MB
        out.files[name] = text.encode()
        del text
        if options.form == "include" and njs_main:
            # main-context lines cannot live in an http include
            out.files["gatewayc-main.conf"] = (header(options) + main_text).encode()
        for rel, data in sorted(njs_bridge.call("files", gateways, ctx, default={}).items()):
            # the modules are copies of gatewayc's own files; say so where a comment fits
            out.files[rel] = (header(options, "//").encode() + data) if rel.endswith(".js") else data
        out.env |= ctx.env
        return out

    def _http(self, gateways: tuple[ir.Gateway, ...], njs_http: list[dict], ctx: Context) -> list[dict]:
        maps = routing.new_maps()
        servers: list[dict] = []
        defaults: set[str] = set()
        classes = routing.host_classes(gateways)
        for gw in gateways:
            extra = (observability.server_directives(gw, ctx) + forwarding.server_directives(gw)
                     + answers.server_directives(gw, ctx) + njs_bridge.call("server_directives", gw, ctx))
            servers += routing.servers(gw, maps, defaults, ctx, extra, classes)
        services = {s.name: s for gw in gateways for s in gw.services}
        http = [*http_basics(ctx),
                *njs_http,
                *forwarding.http_directives(gateways),
                *observability.http_directives(gateways, ctx),
                *cors.http_directives(gateways, ctx),
                *mirror.http_directives(gateways, ctx),
                *transforms.http_directives(gateways, ctx),
                *ratelimit.http_directives(gateways, ctx),
                *cache.http_directives(gateways, ctx),
                *answers.http_directives(gateways, ctx),
                *[upstreams.upstream_block(services[k], ctx) for k in sorted(services)],
                *[maps.blocks[k] for k in sorted(maps.blocks)],
                *routing.host_map(classes),
                *servers]
        # every server holds every named location any part of the build asked for
        named = ctx.named_locations()
        for s in servers:
            s["block"] += named
        return http


BACKEND = NginxBackend()
