"""A JWKS fetched from a URL (`jwks: {url: https://...}`): jwt_authn's `remote_jwks`, with a
cluster of its own for the JWKS host.

The spec allows https only (GWC106), and the keys decide who gets in, so the host's
certificate is verified as an https service's is (clusters.upstream_tls): from a CA in the
system bundle (SYSTEM_CA), naming the URL's host. The keys are fetched when Envoy starts
(`async_fetch`, the listener waits for the first fetch) and kept for CACHE; a token whose `kid`
is unknown does not make Envoy fetch again before that."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..base import is_ip
from .clusters import SYSTEM_CA, upstream_tls
from .context import name

CACHE = "600s"  # Envoy's own default, written out
FETCH_TIMEOUT = "5s"


def cluster_name(url: str) -> str:
    u = urlsplit(url)
    return name("jwks", u.hostname or "", str(u.port or 443))


def remote(url: str) -> dict:
    """The provider's `remote_jwks`."""
    return {"http_uri": {"uri": url, "cluster": cluster_name(url), "timeout": FETCH_TIMEOUT},
            "cache_duration": CACHE, "async_fetch": {}}


def cluster(url: str) -> dict:
    u = urlsplit(url)
    host, port = u.hostname or "", u.port or 443
    ip = is_ip(host)
    cname = cluster_name(url)
    out: dict = {"name": cname, "type": "STATIC" if ip else "STRICT_DNS"}
    if not ip:
        out["dns_lookup_family"] = "V4_PREFERRED"
    out["connect_timeout"] = FETCH_TIMEOUT
    out["load_assignment"] = {"cluster_name": cname, "endpoints": [{"lb_endpoints": [
        {"endpoint": {"address": {"socket_address": {"address": host, "port_value": port}}}}]}]}
    out["transport_socket"] = upstream_tls(host, SYSTEM_CA)
    return out
