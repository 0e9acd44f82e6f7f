"""traefik.yml: the static configuration the dynamic file needs. Paths are relative to
Traefik's working directory, which must be the output directory."""
from __future__ import annotations

from gatewayc.ir import model as ir

from . import entrypoints

DYNAMIC = "dynamic.yml"


def static(gateways: tuple[ir.Gateway, ...], plugins: dict[str, dict]) -> dict:
    out: dict = {
        "entryPoints": entrypoints.static_entry_points(gateways),
        "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
        # no watch: a rebuild replaces the whole output directory, which a running Traefik
        # (whose working directory it is) does not see; restart it instead
        "providers": {"file": {"filename": DYNAMIC, "watch": False}},
    }
    if plugins:
        out["experimental"] = {"localPlugins": plugins}
    return out
