"""The parts of nginx.conf every build has: main context, events, and the http basics
that make the output runnable as it is (`nginx -p RUNTIME -c OUT/nginx.conf`), with every
runtime file in RUNTIME and none in the output dir."""
from __future__ import annotations

from .context import DOLLAR_VAR, Context, d


def main_context(ctx: Context) -> list[dict]:
    return [
        d("pid", ctx.runtime_path("nginx.pid")),
        # stderr: a prefix-relative log dir would have to exist before nginx starts
        d("error_log", "stderr", "notice"),
        # one per CPU, as nginx's own packaged config does: every limit, the cache and the
        # upstream health state are in shared memory, so they hold across workers
        d("worker_processes", "auto"),
        # regex locations and maps run on every request; JIT makes them several times cheaper
        d("pcre_jit", "on"),
    ]


def events() -> dict:
    return d("events", block=[d("worker_connections", "1024")])


def http_basics(ctx: Context) -> list[dict]:
    out = []
    if ctx.form == "full":  # an include leaves these to the surrounding config
        out += [d("server_tokens", "off"), d("default_type", "application/octet-stream"), d("access_log", "off")]
        # nginx creates these at start-up; a missing parent dir would stop it, so they
        # sit directly in the runtime prefix
        for directive, path in (("client_body_temp_path", "tmp_client_body"), ("proxy_temp_path", "tmp_proxy"),
                                ("fastcgi_temp_path", "tmp_fastcgi"), ("uwsgi_temp_path", "tmp_uwsgi"),
                                ("scgi_temp_path", "tmp_scgi")):
            out.append(d(directive, ctx.runtime_path(path)))
    out += [
        # geo values are never interpolated: ${gwc_dollar} is how a user's "$" survives
        d("geo", "$" + DOLLAR_VAR, block=[d("default", "$")]),
        d("geo", "$gwc_all", block=[d("default", "all")]),
        # the port of the Host header (":8080" or ""), which $host leaves out
        d("map", "$http_host", "$gwc_host_port", block=[d("default", ""), d("~(:[0-9]+)$", "$1")]),
        # redirects keep the listener port, written only when it is not the scheme's own
        d("map", "$scheme:$server_port", "$gwc_port_suffix",
          block=[d("default", ":$server_port"), d("http:80", ""), d("https:443", "")]),
    ]
    return out
