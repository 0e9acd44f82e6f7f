"""The spec's regex dialect against the real nginx, construct by construct.

Every construct below is accepted by RE2. For each, nginx runs the regex the way the backend
writes it (gatewayc.backends.nginx.pcre) in both of its places: a location (`(*UTF)^(?:R)\\z`
on $uri) and a candidate's condition inside a location (`(*UTF)^1:(?:R)\\z` on "1:" + $uri,
written by routing._choose), and its answer for
every probe path must be RE2's. The constructs the spec refuses are refused because nginx
fails on them (`nginx -t`) or answers differently, which is checked too; and the constructs
the backend rewrites are shown to need it: written as they are, nginx reads them differently.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import re2
from nginx_harness import NGINX, free_port, nginx_args, nginx_test, run_nginx, runtime_dir

from gatewayc.backends.nginx.pcre import UTF, pcre
from gatewayc.backends.nginx.context import d
from gatewayc.backends.nginx.render import quote as conf_quote
from gatewayc.backends.nginx.render import render
from gatewayc.backends.nginx.routing import _choose, _user
from gatewayc.spec.types import parse_regex

# constructs the backend writes differently from the spec text, each read differently by
# nginx when written as it is (byte mode, `^`/`$` as PCRE reads them)
REWRITTEN = [
    "^/a/b", r"\A/a", r"/a$\n?", "^/x$|^/y", "(?m)^/a$",
    r"/\s", r"/\S", r"/[\s]", r"/[^\s]", r"/[\S]", r"/[^\S]", r"/\v",
    "/(?P<uri>a)", "/(?P<n>a)(?P<n>b)",
    "/caf.", "(?s)/.", "/[^a]", r"/\D", r"/\W", r"/\pL", r"/\PL", r"/\p{Greek}", r"/\p{^Greek}", r"/\pZ",
    r"/\x{e9}", r"/\xe9", "/[é]", "(?i)/é", "(?i)/k", "(?i)/s", "(?i)/[a-z]", r"/\x{10FFFF}", r"/\x{80}",
    r"/\400", "/[[:^alpha:]]", "/.+", "/[^/]+",
]
# constructs nginx reads as RE2 does, written as they are
AS_IS = [
    "/a", "/a$", r"(?m)/a$\n?", "/a|/b", "/a|", "/()", "/(?:a)", "/(?i:A)", "(?U)/a+", "/a{2}", "/a{1000}",
    "(" * 100 + "/" + ")" * 100, "/a{0}", "/a{",
    "/a{2", "/a{x}", "/{2}", "/a^b", "/a$b", r"/\z", r"/\b", r"/\B", r"/\w", r"/\d", r"/\pN", "/é",
    r"/\12", r"/\0", r"/\x41", r"/\x{41}", r"/\t", r"/\_", r"/\%", r"/\ ", r"/\-", "/[]a]", "/[^]a]",
    "/[a[b]", "/[[:space:]]", "/[[:word:]]", "/[[:alpha:]]", r"/[\x00-\x7f]", r"/\177", "/(?P<n>a)",
    "/(?<n>a)",
]
# refused by the spec: nginx fails to load them...
NGINX_REJECTS = [r"/a\Qb", "/[:alpha:]", "/[[=a=]]", "/[[.a.]]", r"/[\d-z]", r"/[\s-z]", "(" * 250 + "/" + ")" * 250]
# ...or reads them differently even when written as the backend writes regexes
NGINX_DIFFERS = [r"/\C"]
# refused for other engines, not for this nginx: PCRE2 10.43 reads {,n} and braces with
# spaces (`{ 2}`, `{2, 3}`) as repetitions (10.42, installed here, and RE2 read them as
# text); a closed \Q...\E reads the same in PCRE, but Rust's regex crate (Kong's router)
# has no \Q
ELSEWHERE = [r"/a{,2}", "/a{ 2}", "/a{2, 3}", "/a{2 }", r"/\Qa.b\E"]

PROBES = ["/", "/a", "/b", "/A", "/aa", "/aaa", "/ab", "/a/b", "/a/bc", "/x", "/y", "/a.b", "/axb", "/a{,2}", "/{2}",
          "/a{,}", "/a{ 2}", "/a{2, 3}", "/a{2 }",
          "/a{", "/a{2", "/a{x}", "/a b", "/_", "/%", "/-", "/[", "/]", "/:", "/a\x0b", "/\x0b", "/\n", "/a\n",
          "/a\nb", "/\r", "/\t", "/\f", "/\x07", "/\x7f", "/\x01", "/é", "/É", "/k", "/K", "/\u212a", "/s", "/S",
          "/\u017f", "/α", "/1", "/aé", "/cafe", "/café", "/caf", "/\u00a0", "/\U0010ffff", "/\x80", "/\x80a",
          "/a/b/c", b"/\xff", b"/a\xff", b"/\xc3", b"/\x80", b"/\x85", b"/\xe9\xff", b"/caf\xe9"]
OPTS = re2.Options()
OPTS.log_errors = False


def _b(p: str | bytes) -> bytes:
    return p if isinstance(p, bytes) else p.encode()


def _re2(rx: str) -> dict[bytes, bool]:
    compiled = re2.compile(rx.encode(), OPTS)
    return {_b(p): re2.fullmatch(compiled, _b(p)) is not None for p in PROBES}


def _location_form(rx: str) -> str:
    return f"{UTF}^(?:{pcre(rx)})\\z"


def _maps(forms: dict[str, tuple[str, str]]) -> str:
    """`map SOURCE $NAME { default 0; "~REGEX" 1; }` for each name -> (source, regex)."""
    return "".join(f"map {conf_quote(src)} ${name} {{ default 0; {conf_quote(regex)} 1; }}\n"
                   for name, (src, regex) in forms.items())


def _conf(maps: str, names: list[str], port: int, tests: str = "") -> str:
    """`tests`: directives of the location that set some of the `names` before it answers."""
    answer = ",".join("$" + n for n in names)
    return (f"pid nginx.pid; error_log stderr; events {{}}\nhttp {{ access_log off;\n{maps}"
            f"server {{ listen 127.0.0.1:{port}; location / {{\n{tests}return 200 {conf_quote(answer)}; }} }} }}\n")


def _loads(tmp_path, maps: str) -> tuple[bool, str]:
    (tmp_path / "t.conf").write_text(_conf(maps, [], 1))
    r = nginx_test(tmp_path, "t.conf")
    return r.returncode == 0, r.stderr


def _answers(tmp_path, forms: dict[str, tuple[str, str]], chains: dict[str, str] | None = None
             ) -> dict[str, dict[bytes, bool]]:
    """nginx's verdict on every probe path, per map (`forms`) and per condition the way the
    backend tests a candidate (`chains`: name -> spec regex)."""
    port = free_port()
    chains = chains or {}
    names = list(forms) + list(chains)
    (tmp_path / "nginx.conf").write_text(_conf(_maps(forms), names, port, "".join(
        _chain_form(name, rx) for name, rx in chains.items())))
    assert nginx_test(tmp_path).returncode == 0
    gw = run_nginx(nginx_args(tmp_path), [port], tmp_path / "error.log", tmp_path, runtime_dir(tmp_path))
    got: dict[str, dict[bytes, bool]] = {n: {} for n in names}
    try:
        for p in PROBES:
            r = gw.request("GET", quote(_b(p), safe="/"))
            assert r.status == 200, (p, r.status)
            for name, bit in zip(names, r.body.decode().split(",")):
                got[name][_b(p)] = bit == "1"
    finally:
        gw.stop()
    return got


def _chain_form(name: str, rx: str) -> str:
    """Directives that set $name to 1 when the path condition on `rx` holds, as a location
    tests a candidate's path."""
    return render([d("set", f"${name}", "0"), *_choose([(":$uri", _user(":", rx), True)], [d("set", f"${name}", "1")])])


def test_the_table_is_accepted_by_re2():
    for rx in REWRITTEN + AS_IS + NGINX_REJECTS + NGINX_DIFFERS + ELSEWHERE:
        re2.compile(rx.encode(), OPTS)
    assert NGINX  # a missing binary fails the nginx tests below, never skips them


@pytest.mark.parametrize("rx", REWRITTEN + AS_IS)
def test_the_spec_accepts(rx):
    assert parse_regex(rx) == rx


@pytest.mark.parametrize("rx", NGINX_REJECTS + NGINX_DIFFERS + ELSEWHERE)
def test_the_spec_refuses(rx):
    with pytest.raises(Exception) as exc:
        parse_regex(rx)
    assert getattr(exc.value, "type", None) == "GWC108"


@pytest.mark.parametrize("rx", NGINX_REJECTS)
def test_nginx_fails_to_load(tmp_path, rx):
    ok, err = _loads(tmp_path, _maps({"m": ("$uri", f"~{UTF}^(?:{rx})\\z")}))
    assert not ok and "pcre2_compile() failed" in err, err


def test_accepted_constructs_read_as_re2_in_both_places(tmp_path):
    forms, chains = {}, {}
    for i, rx in enumerate(REWRITTEN + AS_IS + NGINX_DIFFERS):
        forms[f"l{i}"] = ("$uri", "~" + _location_form(rx))
        chains[f"c{i}"] = rx
    got = _answers(tmp_path, forms, chains)
    wrong = []
    for i, rx in enumerate(REWRITTEN + AS_IS + NGINX_DIFFERS):
        want = _re2(rx)
        for place in ("l", "c"):
            diff = sorted(p for p in want if got[f"{place}{i}"][p] != want[p])
            if diff and rx not in NGINX_DIFFERS:
                wrong.append((rx, place, diff))
            if rx in NGINX_DIFFERS:
                assert diff, f"{rx!r} reads as RE2 in nginx: the spec need not refuse it"
    assert not wrong


def test_rewritten_constructs_need_it(tmp_path):
    # as the backend wrote them before: byte mode, the user's text as it is
    forms = {}
    for i, rx in enumerate(REWRITTEN):
        forms[f"l{i}"] = ("$uri", f"~^(?:{rx})\\z")
        forms[f"c{i}"] = ("1$uri", f"~^1(?:{rx})\\z")
    loadable = {n: f for n, f in forms.items() if _loads(tmp_path, _maps({"m": f}))[0]}
    got = _answers(tmp_path, loadable)
    same = []
    for i, rx in enumerate(REWRITTEN):
        want = _re2(rx)
        if all(n in loadable and all(got[n][p] == want[p] for p in want) for n in (f"l{i}", f"c{i}")):
            same.append(rx)
    assert not same, "these read as RE2 without rewriting"


def test_only_refused_constructs_are_listed_as_refused():
    # the other direction: what the spec refuses is exactly the refused tables
    refused = {rx for rx in REWRITTEN + AS_IS + NGINX_REJECTS + NGINX_DIFFERS + ELSEWHERE
               if _refused(rx)}
    assert refused == set(NGINX_REJECTS + NGINX_DIFFERS + ELSEWHERE)


def _refused(rx: str) -> bool:
    try:
        parse_regex(rx)
    except Exception as exc:  # noqa: BLE001 - pydantic's error type
        return re.search("GWC108", repr(getattr(exc, "type", ""))) is not None
    return False
