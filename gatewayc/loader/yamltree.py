"""YAML -> plain Python data that remembers where every key and value came from.

We build the tree straight from the parser's event stream (libyaml via ruamel.yaml.clib
when present) instead of ruamel's constructor: it is several times faster, keeps
line/column for every node, and lets us refuse hostile input (alias bombs, absurd
nesting, duplicate keys) while streaming, before anything large is allocated.
Scalars are resolved with the YAML 1.2 core schema, the same as ruamel's default.
"""
from __future__ import annotations

import re

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from ..diagnostics import Diagnostic, Location

MAX_DEPTH = 64
MAX_NODES = 1_000_000

Pos = tuple[int, int]  # 1-based line, column


class YMap(dict):
    """A mapping with positions: `pos` of the mapping, `kpos[key]` / `vpos[key]`."""

    __slots__ = ("file", "pos", "kpos", "vpos")


class YSeq(list):
    """A sequence with positions: `pos` of the sequence, `ipos[i]` of each item."""

    __slots__ = ("file", "pos", "ipos")


class LoadError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


_NULL = {"": None, "~": None, "null": None, "Null": None, "NULL": None}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_INT_OTHER = re.compile(r"0o[0-7]+\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = {".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
                  "+.inf": float("inf"), "-.inf": float("-inf"), "-.Inf": float("-inf"),
                  ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan")}
_NUM_START = frozenset("0123456789+-.")
_CORE_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


_CONSTANT = {**_NULL, **_BOOL}


def _number(v: str):
    """A plain scalar that starts like a number: the number, or the text when it is none."""
    if _INT.match(v):
        return int(v)
    if _FLOAT.match(v):
        return float(v)
    if v in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[v]
    if _INT_OTHER.match(v):
        return int(v, 0)
    return v


_SURROGATE = re.compile("[\ud800-\udfff]")


def _join_surrogates(value: str, loc: Location) -> str:
    """`"\\ud83d\\ude00"` (JSON's way to write one character outside the BMP) is that character;
    a lone surrogate escape is not a character at all, and would crash every later encoder."""
    try:
        return value.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        raise LoadError(Diagnostic("GWC001", "a \\u escape in this string is half of a surrogate pair, "
                                   "not a character", loc,
                                   hint="write the character itself, or \\U0001F600-style escapes")) from None


def _tagged(tag: str, value: str, loc: Location):
    kind = tag.rsplit(":", 1)[-1]
    try:
        if kind == "str":
            return value
        if kind == "int":
            return int(value, 0)
        if kind == "float":
            return float(value)
        if kind == "bool" and value in _BOOL:
            return _BOOL[value]
        if kind == "null" and value in _NULL:
            return None
    except ValueError:
        pass
    raise LoadError(Diagnostic("GWC010", f"cannot read {value!r} as !!{kind}", loc))


def decode(data: bytes, file: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise LoadError(Diagnostic(
            "GWC003", f"invalid UTF-8 byte 0x{data[exc.start]:02x}", Location(file, line, col),
            hint="re-save the file as UTF-8")) from None
    return text


_yaml = YAML(typ="safe")
# libyaml (the fast C parser) is a YAML 1.1 parser: it refuses some valid YAML 1.2, such as
# `{url: http://host:80}` (a ':' inside a plain scalar in flow context). When it reports a
# syntax error, the document is parsed again with ruamel's pure-Python YAML 1.2 parser, and
# that parser's verdict (and error position) is the one reported.
_yaml_pure = YAML(typ="safe", pure=True)


def parse(text: str, file: str) -> tuple[object, list[Diagnostic]]:
    """Parse one YAML document. Returns (data, non-fatal diagnostics such as duplicate keys).

    Raises LoadError for anything that stops reading (syntax, bombs, depth, empty input).
    """
    try:
        return _parse(text, file, _yaml)
    except _SyntaxError as exc:
        if _yaml_pure.Parser is _yaml.Parser:  # no C parser installed: nothing to retry
            raise LoadError(exc.diagnostic) from None
    try:
        return _parse(text, file, _yaml_pure)
    except _SyntaxError as exc:
        raise LoadError(exc.diagnostic) from None


class _SyntaxError(LoadError):
    """A syntax error reported by the YAML parser itself (worth a second opinion)."""


def _parse(text: str, file: str, yaml: YAML) -> tuple[object, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    anchors: dict[str, tuple[object, int]] = {}
    # frame: [container, pending_key, key_pos, first_node_index, anchor, merges, pending key is `<<`]
    stack: list[list] = []
    top = None  # stack[-1], the innermost open container
    root = _NOTHING = object()
    nodes = 0
    docs = 0
    NOKEY = _NOTHING

    def add(frame: list, value, pos: Pos) -> None:
        """`value` into the open container of `frame`: an item, a pending key or that key's value."""
        obj = frame[0]
        if type(obj) is YSeq:
            obj.append(value)
            obj.ipos.append(pos)
            return
        key = frame[1]
        if key is NOKEY:
            if isinstance(value, (YMap, YSeq)):
                raise LoadError(Diagnostic("GWC010", "a mapping or list cannot be used as a key",
                                           Location(file, *pos)))
            frame[1] = value
            frame[2] = pos
            return
        frame[1] = NOKEY
        if key == "<<" and frame[6]:
            frame[5].append((value, pos))
            return
        if key in obj:
            first = obj.kpos[key]
            diags.append(Diagnostic(
                "GWC002", f"duplicate key {key!r} (first defined at line {first[0]})",
                Location(file, *frame[2]), hint="keep only one of the two entries",
                related=((Location(file, *first), "first defined here"),)))
            return
        obj[key] = value
        obj.kpos[key] = frame[2]
        obj.vpos[key] = pos

    try:
        # a 10k-route spec is 100k+ scalars: the scalar branch does the common cases (a plain
        # or quoted scalar, a new key, a key's value) itself and leaves the rest to add()
        for ev in yaml.parse(text):
            cls = type(ev)
            if cls is ScalarEvent:
                nodes += 1
                m = ev.start_mark
                pos = (m.line + 1, m.column + 1)
                style = ev.style
                value = ev.value
                if ev.ctag is not None and (tag := ev.tag) and tag != "!" and not (ev.implicit and ev.implicit[0]):
                    if tag not in _CORE_TAGS:
                        raise LoadError(Diagnostic("GWC010", f"custom tag {tag!r} is not allowed",
                                                   Location(file, *pos)))
                    value = _tagged(tag, value, Location(file, *pos))
                elif not style:
                    if value in _CONSTANT:
                        value = _CONSTANT[value]
                    elif value[0] in _NUM_START:
                        try:
                            value = _number(value)
                        except ValueError:  # Python reads at most 4,300 digits: no field takes more
                            raise LoadError(Diagnostic("GWC103", f"a number of {len(value)} characters is out of "
                                                       "range for every field", Location(file, *pos),
                                                       hint="write a number the field accepts (`gatewayc schema` "
                                                            "gives each field's range)")) from None
                elif style == '"' and _SURROGATE.search(value):
                    value = _join_surrogates(value, Location(file, *pos))
                if top is None:
                    root = value
                else:
                    obj = top[0]
                    if type(obj) is YSeq:
                        obj.append(value)
                        obj.ipos.append(pos)
                    elif top[1] is NOKEY:
                        top[1] = value
                        top[2] = pos
                        # a plain `<<` key is a merge key; a quoted one is an ordinary string
                        top[6] = not style and value == "<<"
                    elif top[6] or top[1] in obj:
                        add(top, value, pos)
                    else:
                        key = top[1]
                        top[1] = NOKEY
                        obj[key] = value
                        obj.kpos[key] = top[2]
                        obj.vpos[key] = pos
                if ev.anchor:
                    anchors[ev.anchor] = (value, 1)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                nodes += 1
                m = ev.start_mark
                pos = (m.line + 1, m.column + 1)
                if ev.ctag is not None and (tag := ev.tag) and tag not in _CORE_TAGS and not ev.implicit:
                    raise LoadError(Diagnostic("GWC010", f"custom tag {tag!r} is not allowed",
                                               Location(file, *pos)))
                if len(stack) >= MAX_DEPTH:
                    raise LoadError(Diagnostic(
                        "GWC007", f"nesting deeper than {MAX_DEPTH} levels", Location(file, *pos)))
                if cls is MappingStartEvent:
                    obj = YMap()
                    obj.kpos = {}
                    obj.vpos = {}
                else:
                    obj = YSeq()
                    obj.ipos = []
                obj.file = file
                obj.pos = pos
                if top is None:
                    root = obj
                else:
                    add(top, obj, pos)
                top = [obj, NOKEY, None, nodes, ev.anchor, [], False]
                stack.append(top)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                top = stack[-1] if stack else None
                obj = frame[0]
                if frame[5]:
                    _apply_merges(obj, frame[5], file)
                if frame[4]:
                    anchors[frame[4]] = (obj, nodes - frame[3] + 1)
            elif cls is AliasEvent:
                m = ev.start_mark
                pos = (m.line + 1, m.column + 1)
                if ev.anchor not in anchors:
                    raise LoadError(Diagnostic("GWC001", f"unknown alias *{ev.anchor}",
                                               Location(file, *pos)))
                value, size = anchors[ev.anchor]
                nodes += size
                if nodes > MAX_NODES:
                    raise LoadError(Diagnostic(
                        "GWC006", f"aliases expand the document beyond {MAX_NODES:,} nodes",
                        Location(file, *pos), hint="anchors are fine; an alias that multiplies "
                        "another alias over and over is not"))
                if top is None:
                    root = value
                else:
                    if type(top[0]) is YMap and top[1] is NOKEY:
                        top[6] = False
                    add(top, value, pos)
            elif cls is DocumentStartEvent:
                docs += 1
                if docs > 1:
                    m = ev.start_mark
                    raise LoadError(Diagnostic(
                        "GWC010", "a spec file holds one YAML document; found a second one",
                        Location(file, m.line + 1, m.column + 1),
                        hint="split the documents into files and use `include:`"))
            if nodes > MAX_NODES:
                m = ev.start_mark  # the node past the limit
                raise LoadError(Diagnostic("GWC006", f"the document has more than {MAX_NODES:,} nodes",
                                           Location(file, m.line + 1, m.column + 1)))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
        problem = exc.problem or str(exc)
        related = ()
        if exc.context:
            problem = f"{problem} ({exc.context})"
            cm = exc.context_mark
            if cm is not None and exc.problem_mark is not None and cm.line != exc.problem_mark.line:
                what = exc.context.removeprefix("while parsing ").removeprefix("while scanning ")
                related = ((Location(file, cm.line + 1, cm.column + 1), f"{what} starts here"),)
        raise _SyntaxError(Diagnostic("GWC001", problem, loc, hint=_syntax_hint(text, loc),
                                      related=related)) from None
    except YAMLError as exc:  # reader errors (control characters) carry an offset, not a mark
        at = getattr(exc, "position", None)
        loc = Location(file, 1, 1)
        if isinstance(at, int) and 0 <= at <= len(text):
            loc = Location(file, text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1)
        raise _SyntaxError(Diagnostic("GWC001", str(exc).splitlines()[0], loc)) from None
    except RecursionError:
        raise LoadError(Diagnostic("GWC007", "the document is nested too deeply",
                                   Location(file, 1, 1))) from None

    if root is _NOTHING or root is None:
        raise LoadError(Diagnostic("GWC004", "the file holds no YAML document", Location(file, 1, 1),
                                   hint="a spec starts with `version: 1`"))
    return root, diags


def _apply_merges(obj: YMap, merges: list, file: str) -> None:
    for value, pos in merges:
        sources = value if isinstance(value, YSeq) else [value]
        for src in sources:
            if not isinstance(src, YMap):
                raise LoadError(Diagnostic("GWC101", "a merge key `<<` takes a mapping or a list of mappings",
                                           Location(file, *pos)))
            for k, v in src.items():
                if k not in obj:
                    obj[k] = v
                    obj.kpos[k] = src.kpos[k]
                    obj.vpos[k] = src.vpos[k]


def _syntax_hint(text: str, loc: Location) -> str | None:
    lines = text.splitlines()
    if 0 < loc.line <= len(lines) and "\t" in lines[loc.line - 1][: max(loc.col, 1)]:
        return "YAML does not allow tabs for indentation; use spaces"
    return None
