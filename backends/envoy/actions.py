"""What an Envoy route does: forward (rewrites, timeouts, retries, mirror), redirect, or
answer itself (direct_response).

A prefix rewrite is segment-wise (/p -> new, /p/rest -> new/rest, and /p stripped to nothing
is /), which one Envoy rewrite cannot say for both /p and /p/...: such a match becomes two
Envoy routes, the exact path and the prefix below it, each with its own regex_rewrite. The
service's base path goes in front of whatever the route sends."""
from __future__ import annotations

import json
import re

from gatewayc.ir import answers
from gatewayc.ir import model as ir

from . import clusters, floor
from .context import Ctx, dur

REDIRECT_CODES = {301: "MOVED_PERMANENTLY", 302: "FOUND", 303: "SEE_OTHER", 307: "TEMPORARY_REDIRECT",
                  308: "PERMANENT_REDIRECT"}


def substitution(s: str) -> str:
    """Literal text in an Envoy regex_rewrite substitution (`\\N` is a group there)."""
    return s.replace("\\", "\\\\")


def _rewrite(pattern: str, sub: str) -> dict:
    return {"regex_rewrite": {"pattern": {"regex": pattern}, "substitution": sub}}


def pieces(m: ir.Match, rw: ir.PathRewrite | None, base: str) -> list[tuple[dict | None, dict]]:
    """(path matcher replacing the match's own, or None; the rewrite fields) per Envoy route."""
    if rw is None:
        return [(None, _rewrite("^(.*)$", substitution(base) + "\\1") if base else {})]
    if rw.kind == "full" or m.path.kind != "prefix":
        # (the compiler refuses a prefix rewrite without a prefix match)
        return [(None, _rewrite("^.*$", substitution(base + rw.value)))]
    new = substitution(base + ("" if rw.kind == "strip_prefix" else rw.value.rstrip("/")))
    p = m.path.value.rstrip("/")
    if not p:
        return [(None, _rewrite("^/(.*)$", new + "/\\1"))]
    return [({"path": p}, _rewrite("^.*$", new or "/")),
            ({"prefix": p + "/"}, _rewrite(f"^{re.escape(p)}/(.*)$", new + "/\\1"))]


def base_path(svc: ir.Service) -> str:
    return svc.targets[0].base_path.rstrip("/")


def path_rewrite(a: ir.Forward, ctx: Ctx) -> ir.PathRewrite | None:
    rw = a.path_rewrite
    if rw is not None and ctx.dropping("rewrite.strip_prefix" if rw.kind == "strip_prefix" else "rewrite.path"):
        return None
    return rw


def effective_timeouts(route: ir.Route, svc: ir.Service, ctx: Ctx) -> ir.Timeouts:
    """The route's timeouts policy over its service's, field by field, less what is dropped."""
    r, s = route.policies.timeouts, svc.timeouts
    read = None if ctx.dropping("upstream.timeouts") else (r.read_ms or s.read_ms)
    send = None if ctx.dropping("upstream.timeouts") else (r.send_ms or s.send_ms)
    whole = None if ctx.dropping("upstream.request_timeout") else (r.request_ms or s.request_ms)
    per_try = None if ctx.dropping("upstream.per_try_timeout") else (r.per_try_ms or s.per_try_ms)
    return ir.Timeouts(None, read, send, whole, per_try)


def retry_on(r: ir.Retry, idempotent: bool) -> list[str]:
    """Envoy's retry_on conditions. Statuses and timeouts retry POST and PATCH only with
    `non_idempotent`; a connection that could not be made is retried for any method."""
    out = []
    if r.on_connect_failure:
        out.append("connect-failure")
    if idempotent or r.non_idempotent:
        if r.on_timeout:
            out.append("reset")  # no answer at all: reset, disconnect, per-try timeout
        if r.statuses:
            out.append("retriable-status-codes")
    return out


def needs_method_split(svc: ir.Service, ctx: Ctx) -> bool:
    r = svc.retry
    if r is None or ctx.dropping("upstream.retry") or r.non_idempotent:
        return False
    return retry_on(r, True) != retry_on(r, False)


def forward(route: ir.Route, a: ir.Forward, cluster: str, idempotent: bool, ctx: Ctx) -> dict:
    svc = a.service
    out: dict = {"cluster": cluster}
    t = effective_timeouts(route, svc, ctx)
    # Envoy's own default is 15 s for the whole request; the spec has none unless `request` says so
    out["timeout"] = dur(t.request_ms) if t.request_ms else "0s"
    policy: dict = {}
    r = svc.retry if not ctx.dropping("upstream.retry") else None
    conditions = retry_on(r, idempotent) if r else []
    if r and conditions:
        policy["retry_on"] = ",".join(conditions)
        policy["num_retries"] = r.attempts - 1
        if r.statuses and "retriable-status-codes" in conditions:
            policy["retriable_status_codes"] = list(r.statuses)
        if len([x for x in svc.targets if x.weight]) > 1:
            # the next try goes to another target while there is one
            policy["retry_host_predicate"] = [{"name": "envoy.retry_host_predicates.previous_hosts",
                                               "typed_config": {"@type": "type.googleapis.com/envoy.extensions."
                                                                "retry.host.previous_hosts.v3."
                                                                "PreviousHostsPredicate"}}]
            policy["host_selection_retry_max_attempts"] = len(svc.targets)
        if r.backoff_base_ms is not None and not ctx.dropping("upstream.retry.backoff"):
            policy["retry_back_off"] = {"base_interval": dur(r.backoff_base_ms),
                                        "max_interval": dur(r.backoff_max_ms or r.backoff_base_ms)}
        else:
            # Envoy waits 25 ms and more between tries by default; the spec: no backoff
            policy["retry_back_off"] = {"base_interval": "0.001s", "max_interval": "0.001s"}
    else:
        policy["num_retries"] = 0
    if t.per_try_ms:
        policy["per_try_timeout"] = dur(t.per_try_ms)
    idle = max(x for x in (t.read_ms, t.send_ms, 0) if x is not None)
    if idle:
        policy["per_try_idle_timeout"] = dur(idle)
    if policy != {"num_retries": 0}:
        out["retry_policy"] = policy
    if a.host_rewrite and not ctx.dropping("rewrite.host"):
        out["host_rewrite_literal"] = a.host_rewrite
    if a.websocket and not ctx.dropping("upstream.websocket"):
        out["upgrade_configs"] = [{"upgrade_type": "websocket", "enabled": True}]
    m = a.mirror
    if m is not None and not ctx.dropping("mirror"):
        if base_path(m.service) != base_path(svc):
            ctx.error(f"route {route.name!r}: the mirror service's base path differs from the route's service's: "
                      f"Envoy sends the mirror the very path the route's service gets", m.loc)
        floor.needs(ctx, "mirror", m.loc)
        mirror: dict = {"cluster": clusters.cluster_name(None, m.service, ctx),
                        "disable_shadow_host_suffix_append": True}
        if m.percent < 100:
            mirror["runtime_fraction"] = {"default_value": {"numerator": m.percent, "denominator": "HUNDRED"}}
        out["request_mirror_policies"] = [mirror]
    return out


def redirect(a: ir.Redirect, rewrite: dict) -> dict:
    out: dict = {}
    if a.scheme:
        out["scheme_redirect"] = a.scheme
    if a.hostname:
        out["host_redirect"] = a.hostname
    if a.port:
        out["port_redirect"] = a.port
    out.update(rewrite)
    out["response_code"] = REDIRECT_CODES[a.status]
    return {"redirect": out}


def json_text(body) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def respond(gw: ir.Gateway, a: ir.Respond) -> tuple[dict, dict | None]:
    """The direct_response, and the Content-Type header to add (None: no body)."""
    body = a.body
    if body is None and a.status >= 400:
        body = answers.body_for(gw.answers, a.status)
    out: dict = {"status": a.status}
    if body is None:
        return {"direct_response": out}, None
    out["body"] = {"inline_string": json_text(body)}
    return {"direct_response": out}, {"header": {"key": "content-type", "value": "application/json"},
                                      "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}
