"""What every NGINX feature module (and njs_policies.py) shares while building one output.

Directives are dicts {"directive": str, "args": [str, ...], "block": [...]?}; render.py
quotes every argument, so modules never quote. What they must still do is keep user
text from being *interpolated*: nginx expands `$name` inside quoted strings, so a user
string that lands in a value nginx interpolates (return text, header values, rewrite
replacements, `if` comparisons) goes through `literal()`.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from gatewayc.diagnostics import Diagnostic, Location, Severity
from gatewayc.ir import model as ir

DOLLAR_VAR = "gwc_dollar"  # a geo variable whose value is a literal "$" (geo values are never interpolated)
# gatewayc's own locations (subrequests, internal redirects) start with "//": every server
# sets merge_slashes, so nginx merges the slashes of any client URI and no request and no spec
# path can name them (docs/targets/nginx.md)
INTERNAL = "//_gwc"
NJS_MODULE = "/usr/lib/nginx/modules/ngx_http_js_module.so"  # Debian/Ubuntu libnginx-mod-http-js


def d(directive: str, *args: object, block: list[dict] | None = None) -> dict:
    """One directive; args are stringified, block None means `;`-terminated."""
    strings = [*args]
    for a in strings:
        if type(a) is not str:  # most arguments are strings already: no str() call for each
            strings = [*map(str, args)]
            break
    if block is None:
        return {"directive": directive, "args": strings}
    return {"directive": directive, "args": strings, "block": block}


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:8]


_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")  # compiled once: _slug names every route


def _slug(s: str) -> str:
    return _NOT_ALNUM.sub("_", s)[:24]


def stable_name(prefix: str, *parts: str) -> str:
    """An nginx identifier derived from `parts`: readable, and the same in every build."""
    return f"{prefix}_{_slug('_'.join(parts))}_{digest(*parts)}"


def literal(s: str) -> str:
    """`s` safe for a value nginx interpolates: every `$` becomes the geo variable."""
    return s.replace("$", "${" + DOLLAR_VAR + "}")


def header_var(name: str) -> str | None:
    """The $http_ variable for a request header, or None if nginx cannot name it
    (nginx only maps letters, digits and '-' to variable names)."""
    if not re.fullmatch(r"[A-Za-z0-9-]+", name):
        return None
    return "$http_" + name.lower().replace("-", "_")


@dataclass
class Context:
    spec: ir.IR
    gateways: tuple[ir.Gateway, ...]
    dropped: frozenset[str] = frozenset()
    form: str = "full"
    notes: list[Diagnostic] = field(default_factory=list)
    env: set[str] = field(default_factory=set)

    # --- names: stable across builds, safe as nginx identifiers ------------------
    def route_id(self, gateway: ir.Gateway, route: ir.Route) -> str:
        self.marks += 1  # output that names a route is that route's alone (routing._route_body)
        key = (gateway.name, route.name)
        rid = self._route_ids.get(key)
        if rid is None:
            rid = self._route_ids[key] = f"r_{_slug(route.name)}_{digest(gateway.name, route.name)}"
        return rid

    def upstream_name(self, service: ir.Service) -> str:
        key = ("upstream_name", service.name)  # asked for by every route body and upstream
        name = self.memo.get(key)
        if name is None:
            name = self.memo[key] = f"u_{_slug(service.name)}_{digest(service.name)}"
        return name

    def var(self, *parts: str) -> str:
        """A private nginx variable name (with `$`) derived from `parts`."""
        key = ("var", parts)  # a few names, asked for by every route body
        name = self.memo.get(key)
        if name is None:
            name = self.memo[key] = "$" + stable_name("gwc", *parts)
        return name

    def shared_name(self, kind: str, value: object, values) -> str:
        """A stable name for a shared resource (limit zone, cache): named after the first
        route, in build order, whose policy equals `value`; `values(gateway, route)` lists a
        route's policies of that kind. Equal policies (an inherited gateway-level limit has
        one source location) share one zone, so one counter."""
        names = self._shared.setdefault(kind, {})
        if not names:
            for gw in self.gateways:
                for r in gw.routes:
                    for v in values(gw, r):
                        # repr: policies hold JSON bodies (dicts), which do not hash
                        names.setdefault(repr(v), f"gwc_{kind}_{self.route_id(gw, r)[2:]}")
        return names[repr(value)]

    def named_location(self, *parts: str, block: list[dict]) -> str:
        """A named location holding `block`, defined in every server (see named_locations)."""
        name = "@" + stable_name("gwc", *parts)
        self._named[name] = block
        return name

    def internal_location(self, uri: str, block: list[dict]) -> str:
        """`location = uri` holding `block` (internal: for subrequests), defined in every
        server like the named locations; `uri` is under INTERNAL."""
        self._internal[uri] = [d("internal"), *block]
        return uri

    def __post_init__(self) -> None:
        self._shared: dict[str, dict] = {}
        self._noted: set[Diagnostic] = set()
        self._named: dict[str, list[dict]] = {}
        self._internal: dict[str, list[dict]] = {}
        # http-level maps that modules ask for while building servers, keyed by variable
        self.http_maps: dict[str, dict] = {}
        # (gateway, route, match index) -> the match's location body, built once (routing.py)
        self.route_bodies: dict[tuple[str, str, int], list[dict]] = {}
        # what a body reads -> the body, for bodies that name no route (routing._route_body)
        self.alike_bodies: dict[tuple, list[dict]] = {}
        # calls of route_id() and note(): a body built while this did not move names no route
        self.marks = 0
        self._route_ids: dict[tuple[str, str], str] = {}
        # results of functions of the IR and this build alone, asked for once per route or
        # location: keyed by (function name, arguments; an IR object by id(), as the IR
        # outlives the build)
        self.memo: dict[tuple, object] = {}

    def named_locations(self) -> list[dict]:
        """The named and internal locations, for every server."""
        return ([d("location", name, block=block) for name, block in sorted(self._named.items())]
                + [d("location", "=", uri, block=block) for uri, block in sorted(self._internal.items())])

    # --- paths -------------------------------------------------------------------
    # Generated files and runtime state live apart (docs/targets/nginx.md, Output): the
    # output dir is replaced whole by every build, while nginx keeps writing its pid,
    # temp bodies, cache and log as it runs. nginx resolves the two kinds of relative
    # path against different roots, which is what keeps them apart.
    def generated_path(self, rel: str) -> str:
        """A path for a file this build writes at `rel` in the output dir. nginx resolves
        it against the directory of the main config (js_path, js_preload_object, include),
        which is the output dir for the full form (`-c OUT/nginx.conf`); the include form
        expects the output dir copied to <config dir>/gatewayc/."""
        return rel if self.form == "full" else f"gatewayc/{rel}"

    def runtime_path(self, name: str) -> str:
        """A path for state nginx creates while it runs (pid, temp dirs, cache, log):
        resolved against nginx's prefix (`-p RUNTIME`), never the output dir. Directly in
        the prefix, since nginx creates only a path's last component."""
        return name

    # --- diagnostics ---------------------------------------------------------------
    def note(self, code: str, message: str, loc: Location | None = None,
             severity: Severity | None = None) -> None:
        """GWC310 (an error by default) when the output would not do what the spec says;
        GWC311 (a warning) when it does, approximately."""
        self.marks += 1  # a note names a route or a place in the spec (routing._route_body)
        diag = Diagnostic(code, f"nginx: {message}", loc, severity=severity)
        if diag not in self._noted:  # a service or route is visited once per server
            self._noted.add(diag)
            self.notes.append(diag)

    def dropping(self, feature: str) -> bool:
        """True when the user accepted losing `feature` on this target: leave it out."""
        return feature in self.dropped

    # --- upstream addressing -------------------------------------------------------
    def proxy_scheme(self, service: ir.Service) -> str:
        return service.targets[0].scheme

    def proxy_pass_for(self, service: ir.Service) -> str:
        """proxy_pass argument without a URI part (the request URI passes unchanged)."""
        return f"{self.proxy_scheme(service)}://{self.upstream_name(service)}"


def if_(var: str, op: str, rhs: str, block: list[dict]) -> dict:
    """`if ($var op rhs) {...}`. With `=`/`!=` the rhs is interpolated: pass literal() text;
    with `~` it is a regex and left alone."""
    # what d() makes, without its work on arguments that are strings (43k ifs at 10k routes)
    return {"directive": "if", "args": [f"({var}", op, f"{rhs})"], "block": block}
