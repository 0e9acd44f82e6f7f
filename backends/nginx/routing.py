"""Gateway API precedence on nginx: one server per gateway and TLS setting, locations per
path, and a per-location choice among the (route, match) pairs that can reach it, the
request's host class (one `map $host`) being one more condition of host-specific pairs.

nginx picks a location by path alone: `=` first, then the regexes in file order, then the
longest prefix. A prefix location carries `^~` only where no regex route can match below
it, so any regex that matches still wins over a prefix, as precedence.py ranks them. Inside a location, the candidates are every dispatch
entry that could match a request reaching it, in precedence order (host specificity
included), each with the conditions the location does not already imply. The location
tests them candidate by candidate in its rewrite phase (`set` and `if`, on two variables
shared by every location); the first candidate whose conditions all hold jumps to its
entry's body with `error_page 418 = @named; return 418;`."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from operator import attrgetter
from urllib.parse import unquote

from gatewayc.ir import model as ir
from gatewayc.ir.precedence import dispatch_key, host_group_key, host_groups, server_hosts
from gatewayc.prefixindex import PrefixIndex
from gatewayc.regex import fullmatch, tokens

from . import access, answers
from .limits import MAP_PARAMETERS
from .actions import route_body
from .context import Context, d, header_var, if_, literal
from .pcre import UTF, pcre, value_start

# (subject, regex body after the "1" the subject is tested behind, whether the body holds a
# user regex)
Cond = tuple[str, str, bool]


def _user(lead: str, rx: str) -> str:
    """A body testing the user regex `rx` on the value that follows `lead` (which must end
    in a character that is no word character, so that `\\b` at the value's start reads as
    at the start of a string)."""
    return f"{lead}(?:{pcre(rx, value_start('1' + lead))})\\z"


def _seg_prefix(q: str, v: str) -> bool:
    return q == "/" or v == q or v.startswith(q + "/")


def _path(p: ir.PathMatch) -> str:
    # nginx matches the decoded URI; spec paths may be percent-encoded
    return p.value if p.kind == "regex" else unquote(p.value)


@dataclass(frozen=True)
class Loc:
    modifier: str  # "=", "" (prefix) or "~"
    arg: str
    kind: str  # the path kind of the group that owns it
    value: str  # that group's (decoded) path or regex


_META = set(".^$*+?()[]{}|\\")


@lru_cache(maxsize=None)
def literal_prefix(rx: str) -> str:
    """Text every string the (full-match) regex accepts must start with; "" if unsure."""
    if _top_level_alternation(rx):
        return ""
    out = []
    for i, ch in enumerate(rx):
        if ch == "^" and i == 0:
            continue
        if ch in _META:
            if ch in "*?{" and out:
                out.pop()  # the last character is optional or repeated
            break
        out.append(ch)
    return "".join(out)


def _top_level_alternation(rx: str) -> bool:
    """Whether `rx` has a `|` outside every group (one inside a group after the literal
    start leaves that start alone)."""
    if "|" not in rx:
        return False
    depth = 0
    for t in tokens(rx):
        if t.kind in ("group", "named"):
            depth += 1
        elif t.kind == "close":
            depth -= 1
        elif t.kind == "alt" and depth == 0:
            return True
    return False


def _no_regex_below(prefix: str, literals: PrefixIndex) -> bool:
    """True when no regex route can match a path under `prefix/`: then its location may
    take `^~`, and nginx skips the regex scan for those requests (the precedence is the
    same, since no regex could have won). `literals`: the regexes' literal prefixes."""
    return not literals.any_compatible(prefix + "/")


# A path that is not UTF-8 after decoding (byte mode, so that PCRE can look at it at all).
# No route regex matches such a path (RE2 matches characters), and the `(*UTF)` regex
# locations would fail on it with a 500: this location, first of the regexes, takes it and
# picks among the prefix routes.
_VALID_CHAR = ("[\\x00-\\x7F]|[\\xC2-\\xDF][\\x80-\\xBF]|\\xE0[\\xA0-\\xBF][\\x80-\\xBF]"
               "|[\\xE1-\\xEC\\xEE\\xEF][\\x80-\\xBF]{2}|\\xED[\\x80-\\x9F][\\x80-\\xBF]"
               "|\\xF0[\\x90-\\xBF][\\x80-\\xBF]{2}|[\\xF1-\\xF3][\\x80-\\xBF]{3}|\\xF4[\\x80-\\x8F][\\x80-\\xBF]{2}")
NOT_UTF8 = f"^(?=[\\x00-\\x7F]*+[\\x80-\\xFF])(?!(?:{_VALID_CHAR})*+\\z)"


def _locations(table: list[ir.Dispatch]) -> list[Loc]:
    exact = {_path(x.match.path) for x in table if x.match.path.kind == "exact"}
    literals = PrefixIndex((literal_prefix(_path(x.match.path)), None) for x in table if x.match.path.kind == "regex")
    seen: set[tuple[str, str]] = set()
    out: list[Loc] = [Loc("~", NOT_UTF8, "bytes", "")] if any(x.match.path.kind == "regex" for x in table) else []
    for e in table:
        kind, v = e.match.path.kind, _path(e.match.path)
        if (kind, v) in seen:
            continue
        seen.add((kind, v))
        if kind == "exact":
            out.append(Loc("=", v, kind, v))
        elif kind == "regex":
            out.append(Loc("~", f"{UTF}^(?:{pcre(v)})\\z", kind, v))
        elif v == "/":
            out.append(Loc("", "/", kind, v))
        else:
            if v not in exact:
                # /p itself needs its own `= /p`: without it, nginx answers /p with a 301 to
                # /p/ (proxy_pass's auto-redirect) before any directive of ours runs
                out.append(Loc("=", v, kind, v))
            out.append(Loc("^~" if _no_regex_below(v, literals) else "", v + "/", kind, v))
    return out


def _regex_takes(rx: str, path: str) -> bool:
    """Whether a route regex matches one fixed (decoded) path: decided at build time, so
    an `=` location never runs it per request."""
    return fullmatch(rx, path)


@lru_cache(maxsize=None)
def _path_rx(kind: str, v: str) -> Cond | None:
    """The condition on $uri that an entry's path adds where its location does not imply it."""
    if kind == "regex":
        return (":$uri", _user(":", v), True)
    return ("$uri", f"{re.escape(v)}(?:/|\\z)", False) if v != "/" else None


def _path_cond(e: ir.Dispatch, loc: Loc) -> tuple[bool, Cond | None]:
    """(can reach loc, condition on $uri still to test or None when loc implies the path)."""
    kind, v = e.match.path.kind, _path(e.match.path)
    if loc.kind == "exact":
        if kind == "exact":
            return v == loc.value, None
        if kind == "prefix":
            return _seg_prefix(v, loc.value), None
        return _regex_takes(v, loc.value), None
    if loc.kind == "bytes":
        return kind == "prefix", _path_rx(kind, v) if kind == "prefix" else None
    if loc.kind == "prefix":
        if loc.modifier == "=" and kind == "regex":
            # `= /p` (a prefix route's own path) wins over every regex location in nginx,
            # but a regex that matches /p outranks the prefix: it must be a candidate here
            return _regex_takes(v, loc.value), None
        # exact locations and matching regexes take their requests before any prefix,
        # and a longer matching prefix has its own location
        return kind == "prefix" and _seg_prefix(v, loc.value), None
    if kind == "exact":
        return False, None
    if (kind == "regex" and v == loc.value) or (kind == "prefix" and v == "/"):
        return True, None
    # a path this regex location takes starts with its literal prefix: an entry whose
    # paths all start with something incompatible can never be a candidate here
    lit, other = literal_prefix(loc.value), literal_prefix(v) if kind == "regex" else v
    if not (lit.startswith(other) or other.startswith(lit)):
        return False, None
    return True, _path_rx(kind, v)


class _Reach:
    """Which entries of a dispatch table can reach a location: the few candidates that
    indexes by path give, in table order, each then confirmed by _path_cond. The same
    answer as asking _path_cond of every entry (tests/nginx/test_routing_index.py), without
    comparing every location with every entry."""

    def __init__(self, table: list[ir.Dispatch]) -> None:
        self.table = table
        self.exact: dict[str, list[int]] = {}
        self.prefix: dict[str, list[int]] = {}
        self.regex_by_text: dict[str, list[int]] = {}
        regex_lits, starts = [], []
        for i, e in enumerate(table):
            kind, v = e.match.path.kind, _path(e.match.path)
            if kind == "exact":
                self.exact.setdefault(v, []).append(i)
            elif kind == "prefix":
                self.prefix.setdefault(v, []).append(i)
                starts.append((v, i))
            else:
                self.regex_by_text.setdefault(v, []).append(i)
                lit = literal_prefix(v)
                regex_lits.append((lit, i))
                starts.append((lit, i))
        self.regex_lits = PrefixIndex(regex_lits)
        # the text each path starts with: a prefix route's path, a regex's literal prefix
        self.starts = PrefixIndex(starts)
        self.prefix_entries = [i for v in self.prefix for i in self.prefix[v]]

    def _seg_prefixes(self, path: str) -> list[int]:
        """Prefix entries q with _seg_prefix(q, path): "/", the path itself, and the path
        cut before each of its "/"."""
        out = list(self.prefix.get("/", ()))
        cuts = {path}
        k = path.find("/", 1)
        while k != -1:  # str.find, not a test of every character
            cuts.add(path[:k])
            k = path.find("/", k + 1)
        cuts.discard("/")
        for q in cuts:
            out += self.prefix.get(q, ())
        return out

    def _matching_regexes(self, path: str) -> list[int]:
        """Regex entries that may fully match `path`: those whose literal prefix starts it."""
        return [i for i in self.regex_lits.above(path + "\0") if path.startswith(literal_prefix(
            _path(self.table[i].match.path)))]

    def candidates(self, loc: Loc) -> list[int]:
        if loc.kind == "exact":
            found = self.exact.get(loc.value, []) + self._seg_prefixes(loc.value) + self._matching_regexes(loc.value)
        elif loc.kind == "bytes":
            found = self.prefix_entries
        elif loc.kind == "prefix":
            found = self._seg_prefixes(loc.value)
            if loc.modifier == "=":
                found = found + self._matching_regexes(loc.value)
        else:
            found = [*self.regex_by_text.get(loc.value, ()), *self.prefix.get("/", ()),
                     *self.starts.compatible(literal_prefix(loc.value))]
        return sorted(set(found))


def _braced(v: str) -> str:
    """${name}: a variable glued to the text after it must not swallow it."""
    return "${" + v[1:] + "}" if re.fullmatch(r"\$\w+", v) else v


class _Maps:
    """Content-addressed http-level map blocks (one per query parameter name)."""

    def __init__(self) -> None:
        self.blocks: dict[str, dict] = {}

    def query_value(self, name: str) -> str:
        """A variable holding "=" and the raw value of the first `name` parameter in $args,
        or "" when there is none. Not $arg_<name>: nginx has those only for names of
        letters, digits and '_', compares names case-insensitively, and gives "" for a
        missing parameter, which a regex such as `.*` would then match."""
        var = "$gwc_q_" + hashlib.sha256(name.encode()).hexdigest()[:12]
        if var not in self.blocks:
            self.blocks[var] = d("map", "$args", var, block=[
                d("default", ""), d(f"~(?:^|&){re.escape(name)}(?:=([^&]*))?(?:&|$)", "=$1")])
        return var


# The two variables every condition test uses: the value under test, and whether every
# condition of the candidate so far holds. nginx allocates a slot for each variable a
# config refers to in every request, so a config must not name variables per route:
# 10,000 routes of map chains made each request allocate and zero 190 KB
# (docs/benchmarks.md); these two serve every location of every server.
VALUE, HOLDS = "$gwc_v", "$gwc_ok"


def _test(cond: Cond, memo: dict) -> tuple[list[dict], str]:
    """(directives that put the condition's subject, after a "1", into VALUE; the regex to
    test VALUE with). With `(*UTF)` PCRE fails on a value that is not UTF-8 (the request
    would get a 500), where RE2 says no match: such a value is replaced by "", which the
    regex, starting with "1", does not match. Built once per condition in a build."""
    key = ("test", cond)
    got = memo.get(key)
    if got is None:
        subject, body, utf = cond
        load = [d("set", VALUE, "1" + _braced(subject))]
        if utf:
            load.append(if_(VALUE, "~", NOT_UTF8, [d("set", VALUE, "")]))
        got = memo[key] = (load, f"{UTF if utf else ''}^1{body}")
    return got


def _choose(conds: list[Cond], then: list[dict], ctx: Context | None = None) -> list[dict]:
    """Directives (nginx's rewrite phase, run in order) that run `then` when every
    condition holds. The directives that hold no user text (no token render must report
    as too long at each of its places) are one object for the build: a 10k-route config
    has 20k candidates, and render writes a shared block once per depth."""
    memo = {} if ctx is None else ctx.memo
    if len(conds) == 1:
        load, rx = _test(conds[0], memo)
        return [*load, if_(VALUE, "~", rx, then)]
    shared = memo.get(("choose",))
    if shared is None:
        shared = memo[("choose",)] = (d("set", HOLDS, "1"), [d("set", HOLDS, "0")])
    start, fails = shared
    out = [start]
    for cond in conds:
        load, rx = _test(cond, memo)
        out += load
        out.append(if_(VALUE, "!~", rx, fails))
    key = ("chosen", id(then))  # `then` is the build's too (server_locations' jumps)
    chosen = memo.get(key)
    if chosen is None:
        chosen = memo[key] = if_(HOLDS, "=", "1", then)
    out.append(chosen)
    return out


def _accepts_empty(h: ir.ValueMatch) -> bool:
    if h.kind == "exact":
        return h.value == ""
    return fullmatch(h.value, "")


def _conditions(e: ir.Dispatch, path_rx: Cond | None, maps: _Maps, ctx: Context) -> list[Cond] | None:
    """Conditions that must all match; None if nginx cannot test one."""
    m, route = e.match, e.route
    out: list[Cond] = [path_rx] if path_rx else []
    if m.methods:
        listed = f"(?:{'|'.join(sorted(set(m.methods)))})"
        if route.policies.cors and not ctx.dropping("cors") and "OPTIONS" not in m.methods:
            # let CORS preflights in, and only them: any other OPTIONS request must go on
            # to the routes that do match it (which may well require auth)
            out.append(("${request_method}:${gwc_preflight}", f"(?:{listed}:[01]|OPTIONS:1)\\z", False))
        else:
            out.append(("$request_method", f"{listed}\\z", False))
    for h in m.headers:
        var = header_var(h.name)
        if var is None:
            ctx.note("GWC310", f"route {route.name!r}: nginx cannot match header {h.name!r}; this match "
                     "never applies", m.loc)
            return None
        if _accepts_empty(h):
            # $http_<name> is "" for a missing header too: the match would take requests
            # that lack the header, which Gateway API says it must not
            ctx.note("GWC310", f"route {route.name!r}: header match {h.name!r} accepts an empty value, and "
                     "nginx cannot tell an empty header from a missing one", m.loc)
            return None
        if h.kind == "exact":
            out.append((var, re.escape(h.value) + "\\z", False))
        else:
            out.append((":" + var, _user(":", h.value), True))
    for q in m.query:
        # the value alone, never $args: a user regex run over $args could match across
        # '&' into the next parameter ("a.*z" would accept "x.y=a&k=z")
        var = maps.query_value(q.name)
        out.append((var, f"={re.escape(q.value)}\\z", False) if q.kind == "exact" else (var, _user("=", q.value), True))
    return out


def server_locations(gw: ir.Gateway, table: list[ir.Dispatch], maps: _Maps, ctx: Context,
                     hosts: list[Cond | None]) -> list[dict]:
    """`hosts[i]`: the host condition of table[i], None for an entry of every host."""
    named: dict[str, dict] = {}
    jumps: dict[str, list[dict]] = {}  # the directives that hand a request to a named location
    jump: dict[int, list[dict]] = {}  # the same, by id of a table entry (several rows may hold one)
    out: list[dict] = []
    reach = _Reach(table)
    conditions: dict[tuple[int, bool], list[Cond] | None] = {}
    locs = _locations(table)
    for loc in locs:
        cands: list[tuple[ir.Dispatch, list[Cond]]] = []
        for i in reach.candidates(loc):
            e = table[i]
            reaches, rx = _path_cond(e, loc)
            if not reaches:
                continue
            key = (i, rx is not None)
            if key not in conditions:
                conds = _conditions(e, rx, maps, ctx)
                # the host first: the one condition that takes most requests out
                conditions[key] = None if conds is None else [hosts[i], *conds] if hosts[i] else conds
            conds = conditions[key]
            if conds is None:
                continue
            cands.append((e, conds))
            if not conds:
                break  # nothing after an unconditional candidate can be chosen
        args = [loc.modifier, loc.arg] if loc.modifier else [loc.arg]
        if cands and not cands[0][1]:
            e = cands[0][0]
            out.append(d("location", *args, block=_route_body(gw, e, ctx)))
            continue
        body: list[dict] = []
        for e, conds in cands:
            then = jump.get(id(e))
            if then is None:
                name = f"@{ctx.route_id(gw, e.route)}_m{e.route.matches.index(e.match)}"
                if name not in named:
                    named[name] = d("location", name, block=_route_body(gw, e, ctx))
                    jumps[name] = [d("error_page", "418", "=", name), d("return", "418")]
                then = jump[id(e)] = jumps[name]
            body += _choose(conds, then, ctx)
        out.append(d("location", *args, block=body + answers.not_found(gw, ctx)))
    out = _nest(locs, out)
    if not any(x["args"] == ["/"] for x in out):
        out.append(d("location", "/", block=answers.not_found(gw, ctx)))
    return out + [named[k] for k in sorted(named)]


# regexes that start above a prefix (a literal start shorter than its path) one prefix
# location may repeat inside itself; past that it is left to the server-level scan, so that
# a few short-start regexes cannot multiply the config by the number of prefix routes
_ABOVE_MAX = 16


def _nest(locs: list[Loc], blocks: list[dict]) -> list[dict]:
    """nginx tries a server's regex locations one after another: with thousands of regex
    routes every request would walk them all. A prefix location that regexes can match
    below becomes `location ^~ /p/ { <those regexes, in order>; location /p/ {...} }`:
    a request under /p/ tries only the regexes that can match it, in the same order, then
    the prefix route; no other regex could have matched it. A regex that only matches
    below such locations leaves the server level. Every location below a wrapped one is
    wrapped too (else its requests would scan server-level regexes that left)."""
    regexes = [i for i, loc in enumerate(locs) if loc.kind == "regex"]
    lits = PrefixIndex((literal_prefix(locs[i].value), i) for i in regexes)
    plain = {loc.value: i for i, loc in enumerate(locs)
             if loc.kind == "prefix" and loc.modifier == "" and loc.value != "/"}
    inside = {v: sorted(set(lits.compatible(v + "/"))) for v in plain}
    fits = {v for v in plain
            if sum(not literal_prefix(locs[i].value).startswith(v + "/") for i in inside[v]) <= _ABOVE_MAX}
    below = PrefixIndex((v, v) for v in plain)
    wrapped = {v for v in fits if all(x in fits for x in below.under(v + "/"))}

    def leaves(i: int) -> bool:
        lit = literal_prefix(locs[i].value)
        return any(lit[:k] in wrapped for k in range(1, len(lit)) if lit[k] == "/")

    gone = {i for i in regexes if leaves(i)}
    out = []
    for i, (loc, block) in enumerate(zip(locs, blocks)):
        if i in gone or (loc.kind == "bytes" and all(j in gone for j in regexes)):
            continue
        if loc.value in wrapped and i == plain[loc.value]:
            body = block["block"]
            block = d("location", "^~", loc.arg, block=[
                d("location", "~", NOT_UTF8, block=body), *(blocks[j] for j in inside[loc.value]),
                d("location", loc.arg, block=body)])
        out.append(block)
    return out


def _route_body(gw: ir.Gateway, e: ir.Dispatch, ctx: Context) -> list[dict]:
    """A route match's location body, built once per build: it depends on the route alone,
    and every location and server that serves the match holds the same directives. Most
    routes of a large spec differ only in their paths: a body that names no route (no
    route id, no diagnostic, see Context.marks) is reused, as the same list, for every
    match that reads the same things (_alike), so it is also rendered once."""
    key = (gw.name, e.route.name, e.route.matches.index(e.match))
    body = ctx.route_bodies.get(key)
    if body is None:
        alike = _alike(gw, e, ctx.memo)
        body = ctx.alike_bodies.get(alike)
        if body is None:
            marks = ctx.marks
            body = route_body(gw, e.route, e.match, ctx)
            if ctx.marks == marks:
                ctx.alike_bodies[alike] = body
        ctx.route_bodies[key] = body
    return body


def _alike(gw: ir.Gateway, e: ir.Dispatch, memo: dict) -> tuple:
    """Everything actions.route_body reads besides the route's name and its match's place
    (which it reads only to name the route): the gateway, the route's policies and action
    (as their reprs: they hold JSON bodies, which do not hash, and == would take 1 for True
    or two dicts in different orders, which render differently; the repr of a frozen
    dataclass shows every field) and the match's path, which only a rewrite, a redirect or
    a mirror reads. tests/nginx/test_route_body_reuse.py builds every example with and
    without the reuse."""
    r = e.route
    a = r.action
    reads_path = not (isinstance(a, ir.Forward) and a.path_rewrite is None and a.mirror is None)
    reprs = memo.setdefault(("repr",), {})
    return gw.name, _repr(r.policies, reprs), _shown(a, reprs), e.match.path if reads_path else None


def _repr(x: object, reprs: dict[int, str]) -> str:
    """repr(x), once per object of the IR (`reprs` by id: the IR outlives the build). Routes
    that set no policies of their own share one object; routes of one service share it."""
    got = reprs.get(id(x))
    if got is None:
        got = reprs[id(x)] = repr(x)
    return got


_SHOWN: dict[type, attrgetter] = {}


def _shown(x: object, reprs: dict[int, str]) -> tuple:
    """A key that is equal for two dataclass objects only if their reprs are: the type (so
    the same name and fields) and the repr of each field repr shows. Cheaper than the repr:
    a route's action is its own object, but the bulk of its repr, the service, is shared."""
    get = _SHOWN.get(type(x))
    if get is None:
        get = _SHOWN[type(x)] = attrgetter(*(f.name for f in fields(x) if f.repr))  # type: ignore[arg-type]
    values = get(x)
    return (type(x), *[_repr(v, reprs) for v in (values if type(values) is tuple else (values,))])


def _reachable(table: list[ir.Dispatch], hosts: list[Cond | None]) -> list[ir.Dispatch]:
    """Entries after an unconditional catch-all (prefix "/", any host) can never be chosen."""
    for i, e in enumerate(table):
        m = e.match
        if m.path.kind == "prefix" and m.path.value == "/" and not (m.methods or m.headers or m.query or hosts[i]):
            return table[:i + 1]
    return table


def _listener_groups(gw: ir.Gateway) -> list[tuple[ir.Listener, ...]]:
    """Listeners that can share one server block. Certificates, client CAs and TLS
    versions are per server block in nginx, so each distinct TLS setting gets its own
    (a second listener's settings would otherwise be silently the first one's); plain
    listeners join the first block, whose TLS directives never apply to them."""
    groups: dict[ir.Tls | None, list[ir.Listener]] = {}
    for lst in gw.listeners:
        groups.setdefault(lst.tls, []).append(lst)
    out = [tuple(v) for k, v in groups.items() if k is not None]
    plain = tuple(groups.get(None, ()))
    return [plain + out[0], *out[1:]] if out else [plain]


def _listen(gw: ir.Gateway, listeners: tuple[ir.Listener, ...], default: bool, defaults_taken: set[str],
            ctx: Context) -> list[dict]:
    out = []
    for lst in listeners:
        addr = f"[{lst.address}]:{lst.port}" if ":" in lst.address else f"{lst.address}:{lst.port}"
        args = [addr]
        if lst.tls:
            args.append("ssl")
        if default:
            if addr in defaults_taken:
                ctx.note("GWC311", f"gateway {gw.name!r}: {addr} is already the default server of another "
                         "gateway; requests for unknown hosts go there", lst.loc)
            else:
                defaults_taken.add(addr)
                args.append("default_server")
        out.append(d("listen", *args))
    return out


def _tls(gw: ir.Gateway, listeners: tuple[ir.Listener, ...], ctx: Context) -> list[dict]:
    tls = next((lst.tls for lst in listeners if lst.tls), None)
    if tls is None or ctx.dropping("listener.tls"):
        return []
    # both take variables (nginx then loads the file per handshake): a '$' is the file name's
    out = [d("ssl_certificate", literal(tls.certificate)),
           d("ssl_protocols", *(["TLSv1.2", "TLSv1.3"] if tls.min_version == "1.2" else ["TLSv1.3"]))]
    if tls.key.kind == "file":
        out.append(d("ssl_certificate_key", literal(tls.key.name)))
    else:
        ctx.note("GWC300", f"gateway {gw.name!r}: nginx reads TLS keys from files only, not from the "
                 f"environment variable {tls.key.name!r}", gw.loc)
    if tls.client_ca and not ctx.dropping("listener.mtls"):
        out += [d("ssl_client_certificate", tls.client_ca), d("ssl_verify_client", "on")]
    return out


# The request's host class: the index of the most specific route hostname of the whole
# config that matches $host (a `map` with `hostnames` looks names up as `server_name` does:
# exact, then the longest wildcard), "" when none does. One variable for every gateway,
# whatever the number of hostnames (nginx gives every request a slot per variable named).
HOST = "$gwc_host_class"


def host_classes(gateways: tuple[ir.Gateway, ...]) -> list[str]:
    """Every route hostname of the config; a host's class is its position here."""
    return sorted({h for gw in gateways for r in gw.routes for h in r.hostnames})


def host_map(classes: list[str]) -> list[dict]:
    if not classes:
        return []
    keys = [("\\" + h if h in MAP_PARAMETERS else h, str(i)) for i, h in enumerate(classes)]
    return [d("map", "$host", HOST, block=[d("hostnames"), d("default", ""), *(d(k, v) for k, v in keys)])]


def _gateway_class(hosts: set[str], cls: str) -> str | None:
    """The hostname of one gateway (`hosts`) a request of config-wide class `cls` belongs
    to: what nginx's server_name lookup among that gateway's names gives for every host of
    the class (an exact name itself, else the longest wildcard above it)."""
    if cls in hosts:
        return cls
    labels = cls.split(".")
    for k in range(1, len(labels)):
        if "*." + ".".join(labels[k:]) in hosts:
            return "*." + ".".join(labels[k:])
    return None


def _served(group: tuple[str, ...], ids: dict[str, list[str]]) -> list[str]:
    """The config-wide classes whose requests a route host group serves, given the classes
    of each of the gateway's own classes (`ids`): the names gatewayc.ir.precedence's
    dispatch_for_host takes for each of them."""
    if group[0].startswith("*."):  # a wildcard alone
        mine = [c for c in ids if c == group[0] or c.endswith(group[0][1:])]
    else:
        mine = [c for c in group if c in ids]
    return sorted((x for c in mine for x in ids[c]), key=int)


def shared_table(gw: ir.Gateway, classes: list[str]) -> tuple[list[ir.Dispatch], list[Cond | None]]:
    """The gateway's dispatch table for every host at once, in precedence order: each
    route host group (exact names together, each wildcard alone) ranked by how specific it
    is, host-less entries last, each host-specific entry with a condition on HOST (the
    config-wide classes whose requests it serves). For any one host, the entries whose
    condition holds come in the order of that host's own table (dispatch_for_host)."""
    hosts = set(server_hosts(gw))
    # the config-wide classes of each of this gateway's classes
    ids: dict[str, list[str]] = {}
    for i, c in enumerate(classes):
        mine = _gateway_class(hosts, c)
        if mine is not None:
            ids.setdefault(mine, []).append(str(i))
    conds: dict[tuple[str, ...], Cond] = {}
    rows = []
    for e in gw.dispatch:
        for group in host_groups(e.route.hostnames):
            if group and group not in conds:
                conds[group] = (HOST, f"(?:{'|'.join(_served(group, ids))})\\z", False)
            rows.append((host_group_key(group), dispatch_key(e), e, conds[group] if group else None))
    rows.sort(key=lambda r: (r[0], r[1]))
    table, host = [r[2] for r in rows], [r[3] for r in rows]
    n = len(_reachable(table, host))
    return table[:n], host[:n]


def servers(gw: ir.Gateway, maps: _Maps, defaults_taken: set[str], ctx: Context,
            extra: list[dict], classes: list[str]) -> list[dict]:
    """One server per group of listeners with the same TLS settings, for every host: the
    host-less routes are written once, not once per hostname, and the request's host class
    is a condition of the host-specific entries. No two servers share an address (listeners
    never share a port), so nginx never chooses a server by name: SNI and Host cannot pick
    different servers (nginx's 421 with `ssl_verify_client`), and a TLS request is routed by
    its Host whatever its SNI (the certificate and client CA are the listener's either way)."""
    out = []
    table, hosts = shared_table(gw, classes)
    locations = server_locations(gw, table, maps, ctx, hosts)
    for listeners in _listener_groups(gw):
        # merge_slashes (nginx's default, set in case an include's http block turns it
        # off): no client URI holds "//", where gatewayc's own locations are
        block = [*_listen(gw, listeners, True, defaults_taken, ctx), d("server_name", ""),
                 *_tls(gw, listeners, ctx), d("recursive_error_pages", "on"), d("merge_slashes", "on"),
                 *access.server_directives(), *extra, *locations]
        out.append(d("server", block=block))
    return out


def new_maps() -> _Maps:
    return _Maps()
