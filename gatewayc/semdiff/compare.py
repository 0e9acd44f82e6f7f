"""IR x IR -> the list of changes a reviewer cares about.

Objects are matched by identity (gateway name, gateway + route name, service name,
listener address:port) and compared field by field with `words.flatten`, which leaves
out source positions, so moving a block in the file is not a change.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable

from ..ir import model as ir
from . import words as w
from .model import Change

_LONG = 100


def _short(v: str) -> str:
    if len(v) <= _LONG:
        return v
    digest = hashlib.sha256(v.encode()).hexdigest()[:8]
    return f"{v[:60]}... (sha256 {digest})"


def _field_diffs(old: dict[str, str], new: dict[str, str], skip: set[str] = frozenset()) -> list[str]:
    out = []
    for k in list(old) + [k for k in new if k not in old]:
        if k in skip:
            continue
        a, b = old.get(k, "none"), new.get(k, "none")
        if a != b:
            out.append(f"{k} {_short(a)} -> {_short(b)}" if k else f"{_short(a)} -> {_short(b)}")
    return out


def _describe(flat: dict[str, str], skip: set[str] = frozenset()) -> str:
    return "; ".join(f"{k} {_short(v)}" for k, v in flat.items()
                     if k not in skip and v not in ("none", "", "no"))


# --- policies -----------------------------------------------------------------------
class PolicyKind:
    def __init__(self, attr: str, title: str, summary: Callable[[Any], str] | None = None,
                 primary: tuple[str, ...] = (), security: str | None = None):
        self.attr, self.title, self.summary, self.primary, self.security = attr, title, summary, primary, security

    def get(self, p: ir.Policies):
        v = getattr(p, self.attr)
        if isinstance(v, (ir.Transforms, ir.Timeouts)) and not w.flatten_nonempty(v):
            return None
        return v

    def flat(self, v) -> dict[str, str]:
        if isinstance(v, int):
            return {"": w.size(v)}
        return w.flatten(v)

    def brief(self, v) -> str:
        if isinstance(v, int):
            return w.size(v)
        head = self.summary(v) if self.summary else ""
        rest = _describe(self.flat(v), set(self.primary))
        return "; ".join(x for x in (head, rest) if x) or "on"

    def diff(self, a, b) -> list[str]:
        parts = []
        if self.summary and self.summary(a) != self.summary(b):
            parts.append(f"{self.summary(a)} -> {self.summary(b)}")
        return parts + _field_diffs(self.flat(a), self.flat(b), set(self.primary))


POLICY_KINDS = (
    PolicyKind("rate_limit", "rate limit", lambda r: f"{r.requests}/{w.duration(r.period_ms)}",
               ("requests", "period")),
    PolicyKind("concurrency_limit", "concurrency limit", lambda c: f"max {c.max}", ("max",)),
    PolicyKind("ip", "IP filter", None, (), security="ip"),
    PolicyKind("cors", "CORS", lambda c: f"origins {w.listing(c.origins)}", ("origins",)),
    PolicyKind("cache", "cache", lambda c: f"ttl {w.duration(c.ttl_ms)}", ("ttl",)),
    PolicyKind("body_limit", "body limit"),
    PolicyKind("validation", "validation"),
    PolicyKind("transforms", "transforms"),
    PolicyKind("timeouts", "timeouts"),
)


def _ip_loosened(a: ir.IpFilter | None, b: ir.IpFilter | None) -> str | None:
    if a is None:
        return None
    if b is None:
        return "IP filter removed"
    if a.allow and not b.allow:
        return "allow list removed"
    if set(b.allow) - set(a.allow) and a.allow:
        return "more addresses allowed"
    if set(a.deny) - set(b.deny):
        return "fewer addresses denied"
    return None


# --- auth ---------------------------------------------------------------------------
def auth_weakening(a: ir.AuthMethod, b: ir.AuthMethod) -> list[str]:
    """Why method `b` accepts requests that `a` refused (empty: not weaker as far as we can tell)."""
    if type(a) is not type(b):
        if isinstance(b, ir.AnyOf) and any(_same(a, x) for x in b.methods):
            return ["alternatives added"]
        if isinstance(a, ir.AllOf) and any(_same(b, x) for x in a.methods):
            return ["fewer methods required"]
        return [f"{_kind(a)} replaced by {_kind(b)}"]
    why: list[str] = []
    if isinstance(a, ir.JwtAuth):
        if set(b.algorithms) - set(a.algorithms):
            why.append("more algorithms accepted")
        if a.issuer and a.issuer != b.issuer:
            why.append("issuer check removed" if not b.issuer else "issuer changed")
        if a.audiences and (not b.audiences or set(b.audiences) - set(a.audiences)):
            why.append("audience check removed" if not b.audiences else "more audiences accepted")
        if set(a.required_claims) - set(b.required_claims):
            why.append("fewer claims required")
        if b.clock_skew_ms > a.clock_skew_ms:
            why.append("more clock skew allowed")
        if (a.secret, a.jwks and a.jwks.source) != (b.secret, b.jwks and b.jwks.source):
            why.append("signing key source changed")
        if a.require_exp and not b.require_exp:
            why.append("tokens without exp accepted")
    elif isinstance(a, ir.ApiKeyAuth):
        if a.keys != b.keys:
            why.append("key source changed")
    elif isinstance(a, ir.BasicAuth):
        if a.credentials != b.credentials:
            why.append("credentials source changed")
    elif isinstance(a, ir.MtlsAuth):
        if a.subjects and (not b.subjects or set(b.subjects) - set(a.subjects)):
            why.append("any trusted certificate accepted" if not b.subjects else "more subjects accepted")
    elif isinstance(a, ir.AnyOf):
        if any(not any(_same(x, y) for y in a.methods) for x in b.methods):
            why.append("alternatives added or changed")
    elif isinstance(a, ir.AllOf):
        if any(not any(_same(x, y) for y in b.methods) for x in a.methods):
            why.append("fewer or different methods required")
    return why


def _same(a, b) -> bool:
    return type(a) is type(b) and w.flatten(a) == w.flatten(b)


def _kind(m) -> str:
    return {ir.JwtAuth: "jwt", ir.ApiKeyAuth: "api key", ir.BasicAuth: "basic", ir.MtlsAuth: "mtls",
            ir.AnyOf: "any_of", ir.AllOf: "all_of"}.get(type(m), type(m).__name__)


def _auth_changes(g: str, r: ir.Route, a: ir.Auth | None, b: ir.Auth | None) -> list[Change]:
    where = w.route_label(r)
    base = dict(kind="auth", gateway=g, route=r.name, policy="auth", security=True)
    if a is None and b is None:
        return []
    if a is None:
        return [Change(action="added", message=f"auth added on {where}: {w.auth_method(b.method)}",
                       old=w.auth_method(None), new=w.auth_method(b.method), location=b.loc, **base)]
    if b is None:
        return [Change(action="removed",
                       message=f"auth removed on {where}: {w.auth_method(a.method)} -> {w.auth_method(None)}",
                       old=w.auth_method(a.method), new=w.auth_method(None), location=r.loc, **base)]
    out = []
    fa, fb = w.flatten(a.method), w.flatten(b.method)
    if type(a.method) is not type(b.method) or fa != fb:
        why = auth_weakening(a.method, b.method)
        verb = "weakened" if why else "changed"
        text = f"auth {verb} on {where}: {w.auth_method(a.method)} -> {w.auth_method(b.method)}"
        if type(a.method) is type(b.method) and w.auth_method(a.method) == w.auth_method(b.method):
            # the one-line descriptions hide the difference: say which fields changed
            text += f" ({'; '.join(_field_diffs(fa, fb))})"
        if why:
            text += f" [{', '.join(why)}]"
        out.append(Change(action="changed", message=text, old=w.auth_method(a.method),
                          new=w.auth_method(b.method), location=b.loc, **base))
    fd = _field_diffs(w.flatten(a.failure), w.flatten(b.failure))
    if fd:
        out.append(Change(kind="policy", action="changed", gateway=g, route=r.name, policy="auth",
                          message=f"auth failure response on {where}: {'; '.join(fd)}", location=b.loc))
    return out


def _policy_changes(g: str, r: ir.Route, pa: ir.Policies, pb: ir.Policies) -> list[Change]:
    out = _auth_changes(g, r, pa.auth, pb.auth)
    where = w.route_label(r)
    for k in POLICY_KINDS:
        a, b = k.get(pa), k.get(pb)
        if a is None and b is None:
            continue
        loc = getattr(b if b is not None else a, "loc", None) if not isinstance(a or b, int) else None
        loc = loc if loc is not None and loc.line > 0 else r.loc
        sec = _ip_loosened(a, b) if k.security == "ip" else None
        base = dict(kind="policy", gateway=g, route=r.name, policy=k.attr, security=bool(sec))
        suffix = f" [{sec}]" if sec else ""
        if a is None:
            out.append(Change(action="added", message=f"{k.title} added on {where}: {k.brief(b)}",
                              old=None, new=k.brief(b), location=loc, **base))
        elif b is None:
            out.append(Change(action="removed", message=f"{k.title} removed on {where} (was {k.brief(a)}){suffix}",
                              old=k.brief(a), new=None, location=loc, **base))
        else:
            parts = k.diff(a, b)
            if parts:
                out.append(Change(action="changed", message=f"{k.title} on {where}: {'; '.join(parts)}{suffix}",
                                  old=k.brief(a), new=k.brief(b), location=loc, **base))
    return out


# --- routes -------------------------------------------------------------------------
def _route_changes(g: str, a: ir.Route, b: ir.Route) -> list[Change]:
    out: list[Change] = []
    base = dict(kind="route", action="changed", gateway=g, route=b.name, location=b.loc)
    la, lb = w.route_label(a), w.route_label(b)
    if la != lb:
        out.append(Change(message=f"route {b.name} now matches {lb} (was {la})", old=la, new=lb, **base))
    else:
        ma = w.flatten(ir.Route("", a.hostnames, a.matches, a.action, ir.Policies(), 0))
        mb = w.flatten(ir.Route("", b.hostnames, b.matches, a.action, ir.Policies(), 0))
        parts = _field_diffs(ma, mb)
        if parts:
            out.append(Change(message=f"route {b.name} ({lb}) match: {'; '.join(parts)}", old=la, new=lb, **base))
    aa, ab = w.action(a.action), w.action(b.action)
    fa, fb = w.flatten(a.action), w.flatten(b.action)
    if type(a.action) is not type(b.action) or fa != fb:
        if aa != ab:
            text = f"{lb}: {aa} -> {ab}"
        else:
            text = f"{lb}: {ab}: {'; '.join(_field_diffs(fa, fb))}"
        out.append(Change(message=text, old=aa, new=ab, **base))
    return out + _policy_changes(g, b, a.policies, b.policies)


def _route_added(g: str, r: ir.Route) -> list[Change]:
    text = f"route {r.name} added: {w.route_label(r)} -> {w.action(r.action)}"
    anonymous = r.policies.auth is None
    if anonymous:
        text += " (no auth)"
    return [Change(kind="route", action="added", gateway=g, route=r.name, message=text,
                   new=w.route_label(r), location=r.loc, security=anonymous)]


def _route_removed(g: str, r: ir.Route) -> list[Change]:
    return [Change(kind="route", action="removed", gateway=g, route=r.name,
                   message=f"route {r.name} removed: {w.route_label(r)} -> {w.action(r.action)}",
                   old=w.route_label(r))]


# --- gateways and listeners -----------------------------------------------------------
def _listener_key(l: ir.Listener) -> str:
    return f"{l.address}:{l.port}"


def _listener(l: ir.Listener) -> str:
    if l.tls is None:
        return f"{_listener_key(l)} (plain HTTP)"
    s = f"{_listener_key(l)} (TLS {l.tls.min_version}+"
    return s + (", client certificates)" if l.tls.client_ca else ")")


def _listener_changes(g: str, a: ir.Gateway, b: ir.Gateway) -> list[Change]:
    out = []
    la = {_listener_key(l): l for l in a.listeners}
    lb = {_listener_key(l): l for l in b.listeners}
    for k in sorted(set(la) | set(lb)):
        x, y = la.get(k), lb.get(k)
        base = dict(kind="listener", gateway=g)
        if x is None:
            out.append(Change(action="added", message=f"listener {_listener(y)} added on gateway {g}",
                              new=_listener(y), location=y.loc, security=y.tls is None, **base))
        elif y is None:
            out.append(Change(action="removed", message=f"listener {_listener(x)} removed from gateway {g}",
                              old=_listener(x), **base))
        else:
            parts = _field_diffs(w.flatten(x), w.flatten(y))
            if parts:
                sec = []
                if x.tls and not y.tls:
                    sec.append("TLS removed")
                elif x.tls and y.tls:
                    if y.tls.min_version < x.tls.min_version:
                        sec.append("older TLS versions accepted")
                    if x.tls.client_ca and not y.tls.client_ca:
                        sec.append("client certificates no longer required")
                text = f"listener {k} on gateway {g}: {'; '.join(parts)}"
                if sec:
                    text += f" [{', '.join(sec)}]"
                out.append(Change(action="changed", message=text, old=_listener(x), new=_listener(y),
                                  location=y.loc, security=bool(sec), **base))
    return out


def _gateway_changes(a: ir.Gateway, b: ir.Gateway) -> list[Change]:
    g = b.name
    out = _listener_changes(g, a, b)
    base = dict(kind="gateway", action="changed", gateway=g, location=b.loc)
    if a.hostnames != b.hostnames:
        out.append(Change(message=f"gateway {g} hostnames: {w.listing(a.hostnames, 'any')} -> "
                                  f"{w.listing(b.hostnames, 'any')}", **base))
    for title, x, y in (("observability", a.observability, b.observability),
                        ("not-found response", a.not_found, b.not_found),
                        ("answers", a.answers, b.answers)):
        parts = _field_diffs(w.flatten(x), w.flatten(y))
        if parts:
            out.append(Change(message=f"gateway {g} {title}: {'; '.join(parts)}", **base))
    ra = {r.name: r for r in a.routes}
    rb = {r.name: r for r in b.routes}
    for name in sorted(set(ra) | set(rb)):
        if name not in ra:
            out.extend(_route_added(g, rb[name]))
        elif name not in rb:
            out.extend(_route_removed(g, ra[name]))
        else:
            out.extend(_route_changes(g, ra[name], rb[name]))
    common = [n for n in (d.route.name for d in a.dispatch) if n in rb]
    now = [n for n in (d.route.name for d in b.dispatch) if n in ra]
    if common != now:
        out.append(Change(message=f"gateway {g}: route precedence changed: {' > '.join(_dedup(common))} -> "
                                  f"{' > '.join(_dedup(now))}", **base))
    return out


def _dedup(names):
    seen, out = set(), []
    for n in names:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out


def _gateway_added(g: ir.Gateway) -> list[Change]:
    routes = len(g.routes)
    listeners = w.listing(_listener(l) for l in g.listeners)
    out = [Change(kind="gateway", action="added", gateway=g.name, location=g.loc,
                  message=f"gateway {g.name} added: {routes} route{'s' if routes != 1 else ''} on {listeners}")]
    for r in g.routes:
        out.extend(_route_added(g.name, r))
    return out


def _gateway_removed(g: ir.Gateway) -> list[Change]:
    routes = len(g.routes)
    return [Change(kind="gateway", action="removed", gateway=g.name,
                   message=f"gateway {g.name} removed ({routes} route{'s' if routes != 1 else ''})")]


# --- services -----------------------------------------------------------------------
_SECTIONS = (("targets", "targets"), ("timeouts", "timeouts"), ("retry", "retries"),
             ("health_check", "health check"), ("circuit_breaker", "circuit breaker"))


def _service_changes(a: ir.Service, b: ir.Service) -> list[Change]:
    out = []
    base = dict(kind="service", service=b.name, location=b.loc)
    for attr, title in _SECTIONS:
        x, y = getattr(a, attr), getattr(b, attr)
        if attr == "targets":
            ta, tb = [w.target(t) for t in x], [w.target(t) for t in y]
            if ta != tb:
                gone = [t for t in ta if t not in tb]
                new = [t for t in tb if t not in ta]
                bits = ([f"removed {w.listing(gone)}"] if gone else []) + ([f"added {w.listing(new)}"] if new else [])
                out.append(Change(action="changed", message=f"service {b.name} targets: "
                                  f"{w.listing(ta)} -> {w.listing(tb)}" + (f" ({'; '.join(bits)})" if bits else ""),
                                  old=ta, new=tb, **base))
            continue
        fx, fy = w.flatten(x), w.flatten(y)
        if attr == "timeouts":
            fx, fy = ({k: v for k, v in f.items() if v != "none"} for f in (fx, fy))
        if fx == fy:
            continue
        if not fx:
            out.append(Change(action="added", message=f"service {b.name}: {title} added: {_describe(fy)}",
                              new=_describe(fy), **base))
        elif not fy:
            out.append(Change(action="removed", message=f"service {b.name}: {title} removed (was {_describe(fx)})",
                              old=_describe(fx), **base))
        else:
            out.append(Change(action="changed", message=f"service {b.name} {title}: "
                              f"{'; '.join(_field_diffs(fx, fy))}", old=_describe(fx), new=_describe(fy), **base))
    return out


def _service_set_changes(a: ir.IR, b: ir.IR) -> list[Change]:
    out = []
    sa = {s.name: s for s in a.services}
    sb = {s.name: s for s in b.services}
    for name in sorted(set(sa) | set(sb)):
        if name not in sa:
            s = sb[name]
            out.append(Change(kind="service", action="added", service=name, location=s.loc,
                              message=f"service {name} added: {w.listing(w.target(t) for t in s.targets)}"))
        elif name not in sb:
            out.append(Change(kind="service", action="removed", service=name,
                              message=f"service {name} removed"))
        else:
            out.extend(_service_changes(sa[name], sb[name]))
    return out


# --- the whole spec -------------------------------------------------------------------
def diff_ir(a: ir.IR, b: ir.IR) -> list[Change]:
    """Every difference in meaning between two compiled specs, security-relevant first."""
    out: list[Change] = []
    ga = {g.name: g for g in a.gateways}
    gb = {g.name: g for g in b.gateways}
    for name in sorted(set(ga) | set(gb)):
        if name not in ga:
            out.extend(_gateway_added(gb[name]))
        elif name not in gb:
            out.extend(_gateway_removed(ga[name]))
        else:
            out.extend(_gateway_changes(ga[name], gb[name]))
    out.extend(_service_set_changes(a, b))
    da, db = dict(a.accept_degraded), dict(b.accept_degraded)
    for t in sorted(set(da) | set(db)):
        if da.get(t, ()) != db.get(t, ()):
            out.append(Change(kind="other", action="changed",
                              message=f"accepted degradations on {t}: {w.listing(da.get(t, ()))} -> "
                                      f"{w.listing(db.get(t, ()))}"))
    if not out and w.flatten_ir(a) != w.flatten_ir(b):
        out.append(Change(kind="other", action="changed", message="other changes to the compiled spec"))
    return sorted(out, key=Change.sort_key)
