"""Turn pydantic validation errors into gatewayc diagnostics with exact positions."""
from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from dataclasses import replace

from pydantic import BaseModel, ValidationError

from ..diagnostics import Diagnostic, Location
from ..loader import locate
from ..suggest import did_you_mean
from . import hints

_EXPECTED = {
    "int_type": "an integer", "int_parsing": "an integer", "int_from_float": "an integer",
    "float_type": "a number", "float_parsing": "a number",
    "string_type": "a string", "bool_type": "true or false", "bool_parsing": "true or false",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    "list_type": "a list", "tuple_type": "a list", "none_required": "nothing",
    "literal_error": None,
}
_RANGE = {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "too_short", "too_long",
          "multiple_of", "finite_number"}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _yaml_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _field(loc: tuple) -> str:
    named = [p for p in loc if isinstance(p, str) and not p.startswith("§") and p != "[key]"]
    return named[-1] if named else "the document"


def _unwrap(tp: Any) -> list[Any]:
    """The concrete types a field annotation may hold (Optional, Annotated, unions peeled)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out = []
        for a in typing.get_args(tp):
            out.extend(_unwrap(a))
        return out
    return [tp]


def model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that the data at `loc` is validated against, if any."""
    current: list[Any] = [root]
    for part in loc:
        if isinstance(part, str) and part.startswith("§"):
            continue
        nxt: list[Any] = []
        for tp in current:
            for t in _unwrap(tp):
                origin = typing.get_origin(t)
                if isinstance(t, type) and issubclass(t, BaseModel) and isinstance(part, str):
                    f = t.model_fields.get(part)
                    if f is not None:
                        nxt.append(f.annotation)
                elif origin is list and isinstance(part, int):
                    nxt.append(typing.get_args(t)[0])
                elif origin is dict and isinstance(part, str):
                    nxt.append(typing.get_args(t)[1])
        current = nxt
    for tp in current:
        for t in _unwrap(tp):
            if isinstance(t, type) and issubclass(t, BaseModel):
                return t
    return None


def convert(exc: ValidationError, tree, root_model: type[BaseModel]) -> list[Diagnostic]:
    errors = exc.errors(include_url=False)
    # `listners:` is reported once, as an unknown field whose hint names `listeners`;
    # the "missing required field 'listeners'" that follows from the typo is noise.
    typos = set()
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden" and isinstance(loc[-1], str):
            model = model_at(root_model, loc[:-1])
            if model is not None:
                close = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1, cutoff=0.6)
                if close:
                    typos.add((*loc[:-1], close[0]))
    out: list[Diagnostic] = []
    for err in errors:
        if err["type"] == "missing" and tuple(err["loc"]) in typos:
            continue
        d = _one(err, tree, root_model)
        if secret_written(root_model, err):
            d = _scrub(d, err.get("input"))
        out.append(d)
    return out


def secret_written(root_model: type[BaseModel], err: dict) -> bool:
    """Whether the error is about what was written in place of a secret reference (a value,
    or an unknown field inside the reference): that may be the secret itself. A bad `env`
    name or `file` path is a reference, and is shown."""
    from ..spec.secrets import SecretRef

    loc = tuple(err["loc"])
    return model_at(root_model, loc) is SecretRef or (
        err["type"] == "extra_forbidden" and model_at(root_model, loc[:-1]) is SecretRef)


def _scrub(d: Diagnostic, value: Any) -> Diagnostic:
    """What was written where a secret reference belongs may be the secret: never repeat it."""
    texts = [value] if isinstance(value, str) else \
        [v for v in _scalars(value) if isinstance(v, str)] if isinstance(value, (dict, list)) else \
        [str(value)] if value is not None and not isinstance(value, bool) else []
    message, hint = d.message, d.hint
    for t in sorted({t for t in texts if t}, key=len, reverse=True):
        for form in (repr(t), t):
            message = message.replace(form, "***")
            hint = hint.replace(form, "***") if hint else hint
    return replace(d, message=message, hint=hint)


def _scalars(node, depth: int = 0):
    if depth > 64:
        return
    if isinstance(node, dict):
        for v in node.values():
            yield from _scalars(v, depth + 1)
    elif isinstance(node, list):
        for v in node:
            yield from _scalars(v, depth + 1)
    else:
        yield node


def secret_positions(errors: list[dict], tree, root_model: type[BaseModel]) -> list[Location]:
    """Where the values written in place of secret references are, to mask them in snippets."""
    out: list[Location] = []
    for err in errors:
        if secret_written(root_model, err):
            node, where = _node_at(tree, tuple(err["loc"]))
            if where is not None:
                out.extend(_scalar_positions(node, where))
    return out


def _node_at(tree, loc: tuple):
    from ..loader.locate import position
    from ..loader.yamltree import YMap, YSeq

    node, where = tree, None
    for part in loc:
        if isinstance(part, str) and part.startswith("§"):
            continue
        if isinstance(node, YMap) and not isinstance(part, int) and part in node:
            node, where = node[part], position(node, node.vpos[part])
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            node, where = node[part], position(node, node.ipos[part])
        else:
            return None, None
    return node, where


def _scalar_positions(node, where: Location, depth: int = 0) -> list[Location]:
    from ..loader.locate import position
    from ..loader.yamltree import YMap, YSeq

    if depth > 64:
        return []
    if isinstance(node, YMap):
        return [p for k, v in node.items() for p in _scalar_positions(v, position(node, node.vpos[k]), depth + 1)]
    if isinstance(node, YSeq):
        return [p for i, v in enumerate(node) for p in _scalar_positions(v, position(node, node.ipos[i]), depth + 1)]
    return [where]


def _one(err: dict, tree, root_model) -> Diagnostic:
    etype: str = err["type"]
    loc: tuple = tuple(err["loc"])
    value = err.get("input")
    ctx = err.get("ctx") or {}
    field = _field(loc)
    where = locate(tree, loc) or Location("<spec>", 1, 1)

    if etype.startswith("GWC"):
        return Diagnostic(etype, err["msg"], where, hint=ctx.get("hint"))
    if loc[:1] == ("version",) and len(loc) == 1:
        return Diagnostic("GWC011", f"unsupported spec version {value!r}" if etype != "missing"
                          else "the spec has no `version`", where, hint="write `version: 1`")
    if etype == "extra_forbidden":
        model = model_at(root_model, loc[:-1])
        known = list(model.model_fields) if model else []
        return Diagnostic("GWC100", f"unknown field {loc[-1]!r}", locate(tree, loc, key=True) or where,
                          hint=hints.unknown_field(model_at, root_model, loc) or did_you_mean(loc[-1], known))
    if etype == "missing":
        parent = locate(tree, loc[:-1]) or where
        return Diagnostic("GWC102", f"missing required field {loc[-1]!r}", parent,
                          hint=f"add `{loc[-1]}:`")
    if etype == "literal_error":
        expected = ctx.get("expected", "")
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
        as_text = _yaml_text(value)
        if not isinstance(value, str) and as_text in choices:
            return Diagnostic("GWC103", f"{field}: YAML reads {as_text} as {_describe(value)}, not as text",
                              where, hint=f'quote it: "{as_text}"')
        return Diagnostic("GWC103", f"{field}: {_describe(value)} is not allowed", where,
                          hint=did_you_mean(value, choices) if isinstance(value, str) else f"expected {expected}")
    if etype in _RANGE:
        return Diagnostic("GWC103", f"{field}: {err['msg'][0].lower()}{err['msg'][1:]}", where)
    if etype in _EXPECTED or etype.endswith("_type") or etype.endswith("_parsing"):
        expected = _EXPECTED.get(etype) or etype.replace("_type", "").replace("_parsing", "")
        return Diagnostic("GWC101", f"{field}: expected {expected}, got {_describe(value)}", where,
                          hint=hints.wrong_value(model_at, root_model, loc, value) or _type_hint(expected, value))
    if etype == "value_error":
        return Diagnostic("GWC103", f"{field}: {str(ctx.get('error', err['msg']))}", where)
    return Diagnostic("GWC103", f"{field}: {err['msg']}", where)


def _type_hint(expected: str, value: Any) -> str | None:
    if expected == "a list" and isinstance(value, (str, int)):
        return f"write a list: [{value}]"
    if expected == "a mapping" and isinstance(value, str):
        return "this field takes nested fields (key: value), not a single value"
    if expected == "an integer" and isinstance(value, str) and value.strip().isdigit():
        return "remove the quotes"
    return None
