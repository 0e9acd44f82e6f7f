"""The YAML loader: YAML 1.2 core scalars, merge keys, anchors, positions, BOM, includes."""
from __future__ import annotations

import math
import textwrap

import pytest

from gatewayc.compiler import compile_spec
from gatewayc.loader import load
from gatewayc.loader.yamltree import LoadError, YMap, YSeq, decode, parse


def p(text: str):
    data, diags = parse(textwrap.dedent(text), "t.yml")
    return data


def fails(text: str) -> tuple[str, int, int]:
    with pytest.raises(LoadError) as exc:
        parse(textwrap.dedent(text), "t.yml")
    d = exc.value.diagnostic
    return d.code, d.location.line, d.location.col


# --- scalars ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [
    ("on", "on"), ("off", "off"), ("yes", "yes"), ("no", "no"), ("y", "y"), ("n", "n"),  # 1.1 booleans: strings
    ("true", True), ("True", True), ("FALSE", False),
    ("0x10", 16), ("0o17", 15), ("010", 10), ("-7", -7), ("+3", 3),
    ("1e3", 1000.0), ("1.5", 1.5), ("-.5", -0.5), (".inf", math.inf), ("-.inf", -math.inf),
    ("~", None), ("null", None), ("", None), ("NULL", None),
    ("'1'", "1"), ('"0x10"', "0x10"), ("'true'", "true"), ('"~"', "~"), ("'null'", "null"),
    ("1_000", "1_000"), ("0b101", "0b101"), ("1:30", "1:30"),  # 1.1-only forms stay strings
    ("!!str 12", "12"), ("!!int '7'", 7), ("!!float 2", 2.0), ("!!bool true", True), ("!!null ''", None),
    ("3s", "3s"), ("10KB", "10KB"), ("http://x:80", "http://x:80"),
])
def test_scalar_resolution_is_yaml_12_core(text, value):
    got = p(f"k: {text}\n")["k"]
    assert got == value and type(got) is type(value)


def test_nan():
    assert math.isnan(p("k: .nan\n")["k"])


def test_bad_core_tag_value_is_gwc010():
    assert fails("k: !!int abc\n") == ("GWC010", 1, 4)


def test_flow_plain_scalars_with_colons_are_valid_yaml_12():
    # libyaml (YAML 1.1) refuses this; the loader falls back to the YAML 1.2 parser
    assert p("s: {url: http://127.0.0.1:3001, l: [a:b]}\n") == {"s": {"url": "http://127.0.0.1:3001", "l": ["a:b"]}}


# --- anchors and merge keys ----------------------------------------------------------------
def test_anchor_and_alias_share_the_value():
    d = p("""\
        a: &x {n: 1, l: [1, 2]}
        b: *x
        """)
    assert d["a"] == d["b"] == {"n": 1, "l": [1, 2]}


def test_merge_key():
    d = p("""\
        base: &base {a: 1, b: 2}
        x:
          <<: *base
          b: 3
        """)
    assert d["x"] == {"a": 1, "b": 3}
    assert "<<" not in d["x"]
    # merged keys keep the position of their definition in the anchor
    assert d["x"].kpos["a"] == (1, 14)
    assert d["x"].kpos["b"] == (4, 3)


def test_merge_key_list_earlier_wins():
    d = p("""\
        one: &one {a: 1, b: 1}
        two: &two {b: 2, c: 2}
        x:
          <<: [*one, *two]
          c: 3
        """)
    assert d["x"] == {"a": 1, "b": 1, "c": 3}


def test_quoted_merge_key_is_an_ordinary_key():
    assert p("x: {'<<': 1}\n") == {"x": {"<<": 1}}


def test_merge_of_a_scalar_is_an_error():
    assert fails("""\
        a: &a 1
        x:
          <<: *a
        """)[0] == "GWC101"


def test_unknown_alias():
    assert fails("a: *nope\n") == ("GWC001", 1, 4)


def test_duplicate_key_is_reported_and_first_value_kept():
    data, diags = parse("a: 1\nb: 2\na: 3\n", "t.yml")
    assert data == {"a": 1, "b": 2}
    (d,) = diags
    assert (d.code, d.location.line, d.location.col) == ("GWC002", 3, 1)
    assert d.related[0][0].line == 1


def test_duplicate_key_in_flow_mapping():
    _, diags = parse("x: {a: 1, a: 2}\n", "t.yml")
    assert [(d.code, d.location.line, d.location.col) for d in diags] == [("GWC002", 1, 11)]


# --- positions -------------------------------------------------------------------------
def test_positions_of_keys_values_and_items():
    d = p("""\
        version: 1
        services:
          users:
            url: http://x
        list:
          - a
          -   b
        flow: {k: v, l: [x, y]}
        """)
    assert isinstance(d, YMap) and d.pos == (1, 1)
    assert d.kpos["version"] == (1, 1) and d.vpos["version"] == (1, 10)
    assert d["services"].kpos["users"] == (3, 3)
    assert d["services"]["users"].vpos["url"] == (4, 10)
    assert isinstance(d["list"], YSeq) and d["list"].ipos == [(6, 5), (7, 7)]
    assert d["flow"].pos == (8, 7)
    assert d["flow"].kpos["k"] == (8, 8) and d["flow"].vpos["k"] == (8, 11)
    assert d["flow"]["l"].ipos == [(8, 18), (8, 21)]
    assert d.file == "t.yml" and d["services"].file == "t.yml"


def test_multiline_quoted_value_points_at_its_start():
    d = p('a:\n  b: "one\n    two"\n')
    assert d["a"]["b"] == "one two" and d["a"].vpos["b"] == (2, 6)


# --- encodings ------------------------------------------------------------------------------
def test_bom_is_accepted():
    text = decode(b"\xef\xbb\xbfversion: 1\nk: v\n", "t.yml")
    data, _ = parse(text, "t.yml")
    assert data == {"version": 1, "k": "v"} and data.kpos["version"] == (1, 1)


def test_bom_spec_compiles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yml").write_bytes(b"\xef\xbb\xbfversion: 1\nservices:\n  a: {url: 'ftp://x'}\n")
    c = compile_spec("s.yml")
    assert [(d.code, d.location.line, d.location.col) for d in c.diagnostics] == [("GWC106", 3, 12)]


@pytest.mark.parametrize(("data", "line", "col"), [
    (b"\xff\xfe", 1, 1),
    (b"a: 1\nb: \xc3\x28\n", 2, 4),
    (b"version: 1\n# caf\xe9\n", 2, 6),
])
def test_non_utf8_position(data, line, col):
    with pytest.raises(LoadError) as exc:
        decode(data, "t.yml")
    d = exc.value.diagnostic
    assert (d.code, d.location.line, d.location.col) == ("GWC003", line, col)


def test_utf16_is_refused():
    with pytest.raises(LoadError) as exc:
        decode("version: 1\n".encode("utf-16"), "t.yml")
    assert exc.value.diagnostic.code == "GWC003"


@pytest.mark.parametrize("text", ["", "\n\n", "# comment\n", "---\n", "~\n", "null\n"])
def test_empty_documents(text):
    assert fails(text)[0] == "GWC004"


def test_tab_hint():
    with pytest.raises(LoadError) as exc:
        parse("a:\n\tb: 1\n", "t.yml")
    assert "tab" in exc.value.diagnostic.hint


# --- includes ---------------------------------------------------------------------------------
def _write(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        f = root / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(textwrap.dedent(text))


MAIN = """\
    version: 1
    include: [{inc}]
    gateways:
      web:
        listeners: [{{port: 8080}}]
        routes:
          - name: root
            match: {{path: {{exact: /}}}}
            respond: {{status: 200}}
    """


def test_error_in_included_file_points_at_that_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {
        "main.yml": MAIN.format(inc="teams/users.yml"),
        "teams/users.yml": """\
            # the users team
            services:
              users:
                url: http://127.0.0.1:3001
                timeouts: {connect: 5}
            """,
    })
    c = compile_spec("main.yml")
    errors = [d for d in c.diagnostics if d.is_error]
    assert [(d.code, d.location.file, d.location.line, d.location.col) for d in errors] == [
        ("GWC104", "teams/users.yml", 5, 25)]


def test_route_added_by_an_include_points_into_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {
        "main.yml": MAIN.format(inc="more.yml"),
        "more.yml": """\
            gateways:
              web:
                routes:
                  - name: bad
                    match: {path: /x}
                    service: nope
            """,
    })
    c = compile_spec("main.yml")
    (d,) = [d for d in c.diagnostics if d.is_error]
    assert (d.code, d.location.file, d.location.line, d.location.col) == ("GWC200", "more.yml", 6, 18)


def test_include_globs_are_sorted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = {"main.yml": MAIN.format(inc="'teams/*.yml'")}
    for name in ("c", "a", "b"):
        files[f"teams/{name}.yml"] = f"""\
            gateways:
              web:
                routes:
                  - name: r-{name}
                    match: {{path: /{name}}}
                    respond: {{status: 200}}
            """
    _write(tmp_path, files)
    loaded = load("main.yml")
    assert loaded.files == ["main.yml", "teams/a.yml", "teams/b.yml", "teams/c.yml"]
    c = compile_spec("main.yml")
    assert c.ok, c.diagnostics
    assert [r.name for r in c.ir.gateways[0].routes] == ["root", "r-a", "r-b", "r-c"]


def test_include_glob_matching_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {"main.yml": MAIN.format(inc="'teams/*.yml'")})
    c = compile_spec("main.yml")
    (d,) = [d for d in c.diagnostics if d.is_error]
    assert (d.code, d.location.file, d.location.line) == ("GWC008", "main.yml", 2)


def test_include_twice_and_self_include(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {"main.yml": MAIN.format(inc="main.yml, x.yml, x.yml"), "x.yml": "services: {}\n"})
    codes = [(d.code, d.location.line, d.location.col) for d in compile_spec("main.yml").diagnostics]
    assert ("GWC009", 2, 11) in codes and ("GWC009", 2, 28) in codes


def test_included_file_with_unknown_section(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, {"main.yml": MAIN.format(inc="x.yml"), "x.yml": "servces: {}\n"})
    (d,) = compile_spec("main.yml").diagnostics
    assert (d.code, d.location.file, d.location.line, d.hint) == ("GWC100", "x.yml", 1, "did you mean 'services'?")


def test_json_style_surrogate_pair_escape_is_one_character():
    assert p('k: "\\ud83d\\ude00!"\n')["k"] == "\U0001F600!"


def test_lone_surrogate_escape_is_refused():
    # found by fuzzing: a lone surrogate reached pydantic, whose error rendering crashed (GWC900)
    assert fails('a: ok\nk: "x\\ud800"\n') == ("GWC001", 2, 4)
