"""A Python model of how nginx routes a request through a generated nginx.conf: which server
(server_name: exact, then the longest wildcard, then the default), which location
(ngx_http_core_find_location: `=`, the longest prefix, its nested locations, then the regexes
in order unless the prefix has `^~`), and the rewrite phase gatewayc writes in it (`set`,
`if`, `return`, `error_page ... = @named`, `map`s). It answers what a request ends in: the
`return` of the location it reaches (a route's fixed body, or the not-found answer).

Enough of nginx for gatewayc's routing on plain specs (fixed responses, paths, methods,
headers, hostnames), so that thousands of generated route tables can be run through two
layouts of the same routing without starting nginx; tests/nginx/test_host_classes.py checks
it against the real nginx on a sample."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_TOKEN = re.compile(r'\s*(?:#[^\n]*|"((?:[^"\\]|\\.)*)"|([{};])|([^\s"{};]+))', re.S)
_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t"}


@dataclass
class Node:
    name: str
    args: list[str]
    block: list[Node] | None = None


def parse(text: str) -> list[Node]:
    stack: list[list[Node]] = [[]]
    words: list[str] = []
    for m in _TOKEN.finditer(text):
        quoted, punct, bare = m.groups()
        if quoted is not None:
            words.append(re.sub(r"\\(.)", lambda e: _UNESCAPE.get(e[1], e[1]), quoted))
        elif bare is not None:
            words.append(bare)
        elif punct == ";":
            stack[-1].append(Node(words[0], words[1:]))
            words = []
        elif punct == "{":
            node = Node(words[0], words[1:], [])
            stack[-1].append(node)
            stack.append(node.block)
            words = []
        elif punct == "}":
            stack.pop()
    return stack[0]


@lru_cache(maxsize=None)
def _python(rx: str) -> re.Pattern:
    return re.compile(rx.replace("(*UTF)", "").replace("\\z", "\\Z"))


@dataclass
class Request:
    host: str
    method: str
    uri: str
    headers: dict[str, str] = field(default_factory=dict)


class Model:
    def __init__(self, conf: str) -> None:
        http = next(n for n in parse(conf) if n.name == "http").block
        self.maps = {n.args[1]: n for n in http if n.name == "map"}
        self.servers = [n.block for n in http if n.name == "server"]
        self._server: dict[str, tuple[list[Node], dict[str, Node]]] = {}

    # --- variables ----------------------------------------------------------------------
    def var(self, name: str, req: Request, cache: dict) -> str:
        if name in cache:
            return cache[name]
        if name == "uri":
            v = req.uri
        elif name == "host":
            v = req.host
        elif name == "request_method":
            v = req.method
        elif name == "args":
            v = ""
        elif name.startswith("http_"):
            v = req.headers.get(name[5:].replace("_", "-"), "")
        elif "$" + name in self.maps:
            v = self._map(self.maps["$" + name], req, cache)
        else:
            raise NotImplementedError(f"the model has no ${name}")
        cache[name] = v
        return v

    def interpolate(self, text: str, req: Request, cache: dict, groups: tuple = ()) -> str:
        def one(m: re.Match) -> str:
            name = m[1] or m[2]
            return (groups[int(name) - 1] or "") if name.isdigit() else self.var(name, req, cache)
        return re.sub(r"\$\{(\w+)\}|\$(\w+)", one, text)

    def _map(self, node: Node, req: Request, cache: dict) -> str:
        value = self.interpolate(node.args[0], req, cache)
        entries = [(e.name, e.args[0] if e.args else "") for e in node.block]
        hostnames = any(k == "hostnames" for k, _ in entries)
        keys = {k.lstrip("\\"): v for k, v in entries if k not in ("hostnames", "default") and not k.startswith("~")}
        if value in keys:
            return keys[value]
        if hostnames:
            wild = [k for k in keys if k.startswith("*.") and value.endswith(k[1:]) and len(value) > len(k) - 1]
            if wild:
                return keys[max(wild, key=len)]
        for k, v in entries:
            if k.startswith("~"):
                m = re.compile(k[2:] if k.startswith("~*") else k[1:], re.I if k.startswith("~*") else 0).search(value)
                if m:
                    return self.interpolate(v, req, cache, m.groups())
        return dict(entries).get("default", "")

    # --- server and location --------------------------------------------------------------
    def server(self, host: str) -> list[Node]:
        def names(s: list[Node]) -> list[str]:
            return [a for n in s if n.name == "server_name" for a in n.args]

        for s in self.servers:
            if host in names(s):
                return s
        wild = [(len(a), s) for s in self.servers for a in names(s) if a.startswith("*.") and host.endswith(a[1:])]
        if wild:
            return max(wild, key=lambda x: x[0])[1]
        return next((s for s in self.servers if any(n.name == "listen" and "default_server" in n.args for n in s)),
                    self.servers[0])

    def location(self, block: list[Node], uri: str) -> tuple[Node | None, bool]:
        """ngx_http_core_find_location: (the location, whether it is final: an exact or a
        regex one, after which no regex of an outer level is tried)."""
        locs = [n for n in block if n.name == "location" and not n.args[0].startswith("@")]
        for n in locs:
            if n.args[0] == "=" and n.args[1] == uri:
                return n, True
        prefixes = [n for n in locs if (len(n.args) == 1 or n.args[0] == "^~") and uri.startswith(n.args[-1])]
        found, noregex = None, False
        if prefixes:
            found = max(prefixes, key=lambda n: len(n.args[-1]))
            noregex = found.args[0] == "^~"
            inner, final = self.location(found.block, uri)
            if final:
                return inner, True
            found = inner or found
        if not noregex:
            for n in locs:
                if n.args[0] == "~" and _python(n.args[1]).search(uri):
                    inner, _ = self.location(n.block, uri)
                    return inner or n, True
        return found, False

    # --- the rewrite phase -------------------------------------------------------------
    def _run(self, block: list[Node], req: Request, cache: dict, named: dict[str, Node]):
        pages: dict[str, str] = {}
        for n in block:
            if n.name == "error_page" and len(n.args) == 3 and n.args[1] == "=":
                pages[n.args[0]] = n.args[2]
        for n in block:
            if n.name == "set":
                cache[n.args[0][1:]] = self.interpolate(n.args[1], req, cache)
            elif n.name == "if":
                left, op, right = n.args[0][1:], n.args[1], n.args[2][:-1]
                subject = self.interpolate(left, req, cache)
                if op in ("~", "!~"):
                    holds = (_python(right).search(subject) is not None) == (op == "~")
                else:
                    holds = (subject == self.interpolate(right, req, cache)) == (op == "=")
                if holds:
                    done = self._run(n.block, req, cache, named)
                    if done is not None:
                        return done
            elif n.name == "return":
                if n.args[0] in pages:
                    return self._run(named[pages[n.args[0]]].block, req, cache, named)
                return int(n.args[0]), n.args[1] if len(n.args) > 1 else ""
        return None

    def answer(self, req: Request) -> tuple[int, str] | None:
        """(status, body) of the `return` the request ends in; None for a location that
        proxies (no `return`)."""
        if req.host not in self._server:
            server = self.server(req.host)
            self._server[req.host] = server, {n.args[0]: n for n in server
                                              if n.name == "location" and n.args[0].startswith("@")}
        server, named = self._server[req.host]
        loc, _ = self.location(server, req.uri)
        return self._run(loc.block, req, {}, named)
