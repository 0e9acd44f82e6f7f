"""Listeners -> static entry points, and the TLS settings of the dynamic configuration.

A Traefik router serves either the plain or the TLS entry points it names (a router with a
`tls` section never answers plain HTTP), so each route gets one router per listener group:
the plain listeners, and the TLS listeners grouped by their TLS options (minimum version,
client CA). Traefik picks TLS options by the server name a client sends, and gives routers
without hostnames the options named `default`: the first TLS settings of the build are
`default`, others are named and work for routes with hostnames only."""
from __future__ import annotations

from dataclasses import dataclass

from gatewayc.ir import model as ir

from .context import SEP, Ctx, env_value, name

_VERSIONS = {"1.2": "VersionTLS12", "1.3": "VersionTLS13"}


DEFAULT = "default"


@dataclass(frozen=True)
class Group:
    suffix: str  # "" for the plain listeners, "tls", "tls2", ... for TLS groups
    entry_points: tuple[str, ...]
    tls: ir.Tls | None
    options: str | None  # the TLS options name


def _settings(tls: ir.Tls, ctx: Ctx) -> tuple:
    return (tls.min_version, None if ctx.dropping("listener.mtls") else tls.client_ca)


def options_names(gateways: tuple[ir.Gateway, ...], ctx: Ctx) -> dict[tuple, str]:
    out: dict[tuple, str] = {}
    for gw in gateways:
        for lst in gw.listeners:
            if lst.tls is not None:
                key = _settings(lst.tls, ctx)
                if key not in out:
                    out[key] = DEFAULT if not out else name(gw.name, f"tls{len(out) + 1}")
    return out


def entry_point_names(gw: ir.Gateway) -> dict[ir.Listener, str]:
    out: dict[ir.Listener, str] = {}
    ports = [lst.port for lst in gw.listeners]
    for lst in gw.listeners:
        if ports.count(lst.port) == 1:
            out[lst] = name(gw.name, str(lst.port))
        else:  # the same port on several addresses of one gateway
            out[lst] = name(gw.name, lst.address.replace(":", "_").strip("[]"), str(lst.port))
    return out


def groups(gw: ir.Gateway, ctx: Ctx, names: dict[tuple, str]) -> list[Group]:
    eps = entry_point_names(gw)
    plain = tuple(sorted(eps[lst] for lst in gw.listeners if lst.tls is None or ctx.dropping("listener.tls")))
    out = [Group("", plain, None, None)] if plain else []
    if ctx.dropping("listener.tls"):
        return out
    by_opts: dict[tuple, list[ir.Listener]] = {}
    for lst in gw.listeners:
        if lst.tls is not None:
            by_opts.setdefault(_settings(lst.tls, ctx), []).append(lst)
    for i, (key, lsts) in enumerate(by_opts.items()):
        suffix = "tls" if i == 0 else f"tls{i + 1}"
        out.append(Group(suffix, tuple(sorted(eps[x] for x in lsts)), lsts[0].tls, names[key]))
    return out


def static_entry_points(gateways: tuple[ir.Gateway, ...]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for gw in gateways:
        for lst, ep in entry_point_names(gw).items():
            host = f"[{lst.address}]" if ":" in lst.address else lst.address
            # delete: a header whose name aliases another (X_User_Id for X-User-Id) never reaches
            # a service, which could not tell it from the header the gateway sets
            out[ep] = {"address": f"{host}:{lst.port}", "http": {"aliasHeadersStrategy": "delete"}}
    return {k: out[k] for k in sorted(out)}


def tls_section(gateways: tuple[ir.Gateway, ...], ctx: Ctx) -> dict:
    """Options per TLS group; certificates go to the one store Traefik has (chosen by SNI)."""
    options: dict[str, dict] = {}
    certs: list[dict] = []
    if ctx.dropping("listener.tls"):
        return {}
    for (version, ca), opt_name in options_names(gateways, ctx).items():
        opt: dict = {"minVersion": _VERSIONS[version]}
        if ca:
            opt["clientAuth"] = {"caFiles": [ca], "clientAuthType": "RequireAndVerifyClientCert"}
        options[opt_name] = opt
    for gw in gateways:
        for lst in gw.listeners:
            if lst.tls is not None:
                cert = certificate(lst.tls, ctx)
                if cert not in certs:
                    certs.append(cert)
    if not options:
        return {}
    out: dict = {"certificates": certs, "options": {k: options[k] for k in sorted(options)}}
    if len(certs) == 1:
        # also served to clients that send no (or another) server name, as nginx does
        out["stores"] = {"default": {"defaultCertificate": dict(certs[0])}}
    else:
        ctx.warn("listeners with different certificates: Traefik keeps all certificates in one store and picks "
                 "one by the server name the client sends (SNI), whichever listener it connects to")
    return out


def certificate(tls: ir.Tls, ctx: Ctx) -> dict:
    if tls.key.kind == "file":
        return {"certFile": tls.certificate, "keyFile": tls.key.name}
    ctx.env.add(tls.key.name)
    return {"certFile": tls.certificate, "keyFile": env_value(tls.key.name)}


__all__ = ["SEP", "Group", "groups", "static_entry_points", "tls_section"]
