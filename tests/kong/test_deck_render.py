"""What decK reads from a generated kong.yml is exactly what gatewayc meant: every spec string
inert in decK's `${{ }}` templates, secrets only where gatewayc placed a placeholder, and every
value (however long, whatever characters) loaded back as written. Proven with decK's template
step and YAML reader (deck_render/, Go), and with ruamel after decK's rendering."""
from __future__ import annotations

import io
import json
import os
import re

import pytest
from ruamel.yaml import YAML

import deck_harness
import kong_cases as cases
import kong_harness as harness
import kongcheck
from gatewayc.compiler import compile_spec
from hostile_strings import DECK_AND_YAML as HOSTILE

SERVICE = "services:\n  svc: {url: 'http://127.0.0.1:3001%s'}\n"
GATEWAY = ("gateways:\n  g:\n    listeners: [{port: 8080}]\n%s    routes:\n"
           "      - name: r\n        match: %s\n        %s\n")


def _q(s: str) -> str:
    return json.dumps(s)  # a JSON string is a YAML double-quoted scalar


def spec_text(field: str, h: str) -> str:
    """A spec holding `h` in one string field; the field's other strings are plain."""
    base, gw, match, route = "", "", "{path: /api}", "service: svc"
    q = _q(h)
    if field == "response header set":
        route += f"\n        policies: {{response: {{headers: {{set: {{X-H: {q}}}}}}}}}"
    elif field == "response header add":
        route += f"\n        policies: {{response: {{headers: {{add: {{X-H: {q}}}}}}}}}"
    elif field == "request header set":
        route += f"\n        policies: {{request: {{headers: {{set: {{X-H: {q}}}}}}}}}"
    elif field == "request header add":
        route += f"\n        policies: {{request: {{headers: {{add: {{X-H: {q}}}}}}}}}"
    elif field == "query set":
        route += f"\n        policies: {{request: {{query: {{set: {{p: {q}}}}}}}}}"
    elif field == "body rename":
        route += f"\n        policies: {{request: {{body: {{rename: {{a: {q}, {q}: b}}}}}}}}"
    elif field == "respond text":
        route = f"respond: {{status: 200, body: {q}}}"
    elif field == "respond json":
        route = f"respond: {{status: 200, body: {{{q}: [{q}]}}}}"
    elif field == "not_found body":
        gw = f"    not_found: {{status: 404, body: {{error: {q}}}}}\n"
    elif field == "rate limit body":
        route += f"\n        policies: {{rate_limit: {{requests: 5, per: 1s, body: {q}}}}}"
    elif field == "basic realm":
        route += ("\n        policies: {auth: {basic: {credentials: {env: CREDS}, realm: %s}}}" % q)
    elif field == "jwt issuer":
        route += ("\n        policies: {auth: {jwt: {algorithms: [HS256], secret: {env: JWT_SECRET}, "
                  "issuer: %s}}}" % q)
    elif field == "header match":
        match = f"{{path: /api, headers: {{X-M: {q}}}}}"
    elif field == "path regex":
        match = f"{{path: {{regex: {_q('/a' + re.escape(h))}}}}}"
    elif field == "service base path":
        base = "/b" + h
    elif field == "rewrite path":
        route += f"\n        rewrite: {{path: {{full: {_q('/x' + h)}}}}}"
    else:
        raise AssertionError(field)
    service = SERVICE % base.replace("'", "''")
    return f"version: 1\n{service}{GATEWAY % (gw, match, route)}"


FIELDS = ["response header set", "response header add", "request header set", "request header add",
          "query set", "respond text", "respond json", "not_found body", "rate limit body", "basic realm",
          "jwt issuer", "header match", "path regex", "service base path", "rewrite path", "body rename"]
# where Kong itself reads the text (request-transformer): refusing some strings there is right
TRANSFORMER = {"request header set", "request header add", "query set", "rewrite path", "body rename",
               "response header set", "response header add"}


def _strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def transformer_meant(p: dict) -> list:
    """(op, part, name, value) as gatewayc meant them: split at the first ':' only."""
    out = []
    for op, parts in sorted(p["config"].items()):
        for part, entries in sorted(parts.items()):
            if part == "uri":
                out.append((op, part, entries))
            elif part != "json_types":
                out += [(op, part, *(e.split(":", 1) if op != "remove" else (e, None))) for e in entries]
    return out


def _ruamel(text: str):
    return YAML(typ="safe", pure=True).load(io.StringIO(text))


def check_file(deck, raw: bytes, doc: dict, env_names) -> dict:
    """decK's reading and ruamel's reading of the rendered file equal the intended document;
    each secret value appears exactly where gatewayc placed its placeholder."""
    env = deck_harness.secret_values(env_names)
    want = deck_harness.intended(doc, env)
    got = deck.read(raw, env)
    assert got == json.loads(json.dumps(want))
    assert _ruamel(deck.render(raw, env)) == want
    for owner, p in kongcheck.all_plugins(want):
        if p["name"] in ("request-transformer", "response-transformer"):
            assert kongcheck.transformer_reads(p) == transformer_meant(p), (owner, p["name"])
    places = deck_harness.placeholders(doc)
    flat = list(_strings(got))
    for var, value in env.items():
        assert sum(s.count(value) for s in flat) == places.count(var), var
    return want


@pytest.mark.parametrize("spec,name", cases.files(), ids=[f"{cases.label(s)}:{n}" for s, n in cases.files()])
def test_every_example_reads_back_as_meant(deck, spec, name):
    b = cases.built(spec)
    docs = _documents(spec)
    check_file(deck, b.files[name], docs[name], b.env)


def _documents(spec):
    """As kong_cases.built builds it: from the repository root, with a relative path."""
    here = os.getcwd()
    os.chdir(cases.ROOT)
    try:
        return harness.documents(spec.relative_to(cases.ROOT), cases.ACCEPT_ALL)
    finally:
        os.chdir(here)


@pytest.mark.parametrize("field", FIELDS)
def test_hostile_strings_read_back_or_are_refused(deck, tmp_path, field):
    carried = refused = 0
    for h in HOSTILE:
        text = spec_text(field, h)
        path = tmp_path / "gateway.yml"
        path.write_text(text)
        if not compile_spec(str(path)).ok:
            continue  # the spec itself refuses the string (with a diagnostic), nothing to build
        b, docs, ir = harness.build_with_documents(path)
        if b.errors:
            assert field in TRANSFORMER and all(d.code == "GWC310" for d in b.errors), \
                (h, [str(d) for d in b.errors])
            refused += 1
            continue
        want = check_file(deck, b.files["kong.yml"], docs["kong.yml"], b.env)
        meant = _meant(field, h, ir)
        assert any(meant in s for s in _strings(want)), (field, h)
        carried += 1
    assert carried >= 20, (field, carried, refused)


def _meant(field: str, h: str, ir) -> str:
    """The text the spec means in the field (as the spec layer reads it), which kong.yml must carry."""
    if field == "service base path":
        return ir.gateways[0].services[0].targets[0].base_path
    if field == "path regex":
        return re.escape(h)
    if field in ("respond json", "respond text", "not_found body"):
        # a fixed answer's body is a JSON value, sent as JSON, a string too (docs/spec.md)
        return json.dumps(h, ensure_ascii=False)[1:-1]
    if field == "basic realm":
        from gatewayc.ir.answers import quoted

        return quoted(h)  # escaped inside the challenge's quotes, as the spec's challenge has it
    return h


def test_the_renderer_is_real(deck):
    """The Go program renders decK templates (so the tests above can fail)."""
    raw = b'a: ${{ env "DECK_X" | printf "%q" }}\nb: "${{ env "DECK_X" }}"\n'
    assert deck.read(raw, {"DECK_X": "v"}) == {"a": "v", "b": "v"}


def test_dumper_round_trips_every_string_as_key_and_value(deck):
    """Whatever the dumper writes (long keys, characters YAML does not allow raw, YAML and
    template syntax) loads back to the intended values: through decK (render + its YAML reader)
    and through ruamel after decK's rendering."""
    from gatewayc.backends.kong import deck as kong_deck

    for h in HOSTILE + ["k" * 1025, "\u00e9" * 1100, "${{ " + "y" * 1100]:
        data = {h: h, "list": [h, {h: [h]}], "nested": {h: {"x": h}}, "empty": {h: []}}
        raw = kong_deck.render("# header\n", data).encode()
        assert deck.read(raw, {}) == data, h[:40]
        assert _ruamel(deck.render(raw, {})) == data, h[:40]
        assert _ruamel(raw.decode()) is not None  # still YAML before rendering, for linters


def test_a_header_match_name_over_1024_characters_reads_back(deck, tmp_path):
    name = "X-" + "n" * 1100
    path = tmp_path / "gateway.yml"
    path.write_text("version: 1\n" + SERVICE % "" + GATEWAY % ("", f"{{path: /api, headers: [{{name: {name}, value: v}}]}}",
                                                                "service: svc"))
    b, docs, _ = harness.build_with_documents(path)
    assert not b.errors
    want = check_file(deck, b.files["kong.yml"], docs["kong.yml"], b.env)
    route = next(s for s in want["services"] if s["name"] == "r")["routes"][0]
    assert route["headers"] == {name.lower(): ["v"]}


@pytest.mark.parametrize("field,refused", [("request header set", True), ("query set", True),
                                           ("rewrite path", True), ("response header set", False)])
def test_kong_templates_in_transformer_values(deck, tmp_path, field, refused):
    """request-transformer would run `$(...)` as Lua: refused with the reason; response-transformer
    reads values literally: carried as written."""
    path = tmp_path / "gateway.yml"
    path.write_text(spec_text(field, "a$(uri_captures)c"))
    b, docs, _ = harness.build_with_documents(path)
    if refused:
        assert [d.code for d in b.errors] == ["GWC310"] and "template" in b.errors[0].message
    else:
        assert not b.errors
        want = check_file(deck, b.files["kong.yml"], docs["kong.yml"], b.env)
        (p,) = [p for owner, p in kongcheck.all_plugins(want)
                if p["name"] == "response-transformer" and owner == "service r: "]
        assert ("add", "headers", "X-H", "a$(uri_captures)c") in kongcheck.transformer_reads(p)


def test_an_exact_header_value_that_looks_like_a_kong_regex_stays_exact(tmp_path):
    """Kong reads a route header value starting with `~*` as a regex: gatewayc writes that exact
    value as a regex matching only it."""
    path = tmp_path / "gateway.yml"
    path.write_text(spec_text("header match", "~*.+"))
    b = harness.build_file(path)
    (value,) = next(s for s in b.doc()["services"] if s["name"] == "r")["routes"][0]["headers"]["x-m"]
    assert value.startswith("~*")
    rx = re.compile(value[2:], re.IGNORECASE)  # Kong: case-insensitive PCRE
    assert rx.search("~*.+") and not rx.search("anything") and not rx.search("~*.+x")
