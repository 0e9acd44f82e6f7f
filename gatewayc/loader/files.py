"""Reading a spec and its includes into one position-carrying tree.

Includes are merged section by section so that a team file can add services, policy
sets and routes to a gateway defined elsewhere; anything defined twice is an error that
names both places.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

from ..chars import describe, first_unsafe
from ..diagnostics import Diagnostic, Location
from ..suggest import did_you_mean
from .yamltree import LoadError, YMap, YSeq, decode, parse

TOP_LEVEL = ("version", "include", "services", "policies", "gateways", "accept_degraded")
MERGED_BY_NAME = ("services", "policies")


@dataclass
class Loaded:
    tree: YMap | None
    files: list[str] = field(default_factory=list)  # display paths, main file first
    diagnostics: list[Diagnostic] = field(default_factory=list)
    base_dir: str = "."
    roots: tuple[str, ...] = ()  # real paths of the directories files may be read from


def allowed_roots(spec_path: str, allow=()) -> tuple[str, ...]:
    """The spec's own directory, and the ones the user allowed (`--allow-dir`)."""
    return tuple(os.path.realpath(p) for p in (os.path.dirname(os.path.abspath(spec_path)), *allow))


def outside(path: str, roots: tuple[str, ...]) -> bool:
    """Whether `path` (symlinks resolved) lies outside every allowed directory."""
    real = os.path.realpath(path)
    return not any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


OUTSIDE_HINT = "gatewayc reads only files under the directory of the spec; allow another directory with --allow-dir DIR"


def outside_diagnostic(what: str, rel: str, origin: Location) -> Diagnostic:
    return Diagnostic("GWC012", f"{what} {rel!r} is outside the spec's directory", origin, hint=OUTSIDE_HINT)


def _display(path: str) -> str:
    rel = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return rel if not rel.startswith("..") or not os.path.isabs(path) else path


def read_tree(path: str, diags: list[Diagnostic], origin: Location | None = None):
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        diags.append(Diagnostic("GWC008", f"cannot read {path}: {exc.strerror}", origin or Location(path, 1, 1)))
        return None
    try:
        tree, found = parse(decode(data, path), path)
    except LoadError as exc:
        diags.append(exc.diagnostic)
        return None
    diags.extend(found)
    if not isinstance(tree, YMap):
        what = "a list" if isinstance(tree, YSeq) else {
            str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
            type(tree), f"a {type(tree).__name__} value")
        diags.append(Diagnostic("GWC005", f"the document is {what}, not a mapping", Location(path, 1, 1),
                                hint="a spec is a mapping that starts with `version: 1`"))
        return None
    return tree


def load(path: str, allow=()) -> Loaded:
    diags: list[Diagnostic] = []
    display = _display(path)
    roots = allowed_roots(display, allow)
    if outside(display, roots):
        # the spec itself is a link out of its directory (in CI, the pull request's working
        # tree is the author's): not opened, like any other file outside
        diags.append(Diagnostic("GWC012", f"spec {display!r} is a symbolic link to a file outside the spec's "
                                "directory", Location(display, 1, 1), hint=OUTSIDE_HINT, show_source=False))
        root = None
    else:
        root = read_tree(display, diags)
    result = Loaded(root, [display], diags, os.path.dirname(display) or ".", roots)
    if root is None:
        return result
    _expand_includes(root, display, [os.path.abspath(display)], result)
    return result


def _expand_includes(tree: YMap, file: str, chain: list[str], result: Loaded) -> None:
    includes = tree.get("include")
    if includes is None:
        return
    if not isinstance(includes, YSeq) or not all(isinstance(i, str) for i in includes):
        return  # the schema check reports the wrong type
    base = os.path.dirname(file)
    for i, pattern in enumerate(includes):
        origin = Location(file, *includes.ipos[i])
        unsafe = first_unsafe(pattern)
        if unsafe is not None:
            # the same words as the schema check of the main file's `include` (reported once)
            result.diagnostics.append(Diagnostic("GWC103", f"{pattern!r} contains {describe(unsafe)}", origin,
                                                 hint="control and formatting characters cannot be carried into "
                                                 "a gateway configuration"))
            continue
        matches = sorted(glob.glob(os.path.join(base, pattern))) if glob.has_magic(pattern) \
            else [os.path.join(base, pattern)]
        if not matches:
            result.diagnostics.append(Diagnostic("GWC008", f"include pattern {pattern!r} matches no file", origin))
        for inc in matches:
            if outside(inc, result.roots):
                # not even opened: its lines must not reach a diagnostic (or a CI log)
                result.diagnostics.append(outside_diagnostic("included file", pattern, origin))
                continue
            inc_display = os.path.normpath(inc)
            absolute = os.path.abspath(inc)
            if absolute in chain:
                cycle = " -> ".join(os.path.relpath(p) for p in chain[chain.index(absolute):] + [absolute])
                result.diagnostics.append(Diagnostic("GWC009", f"include cycle: {cycle}", origin))
                continue
            if inc_display in result.files:
                result.diagnostics.append(Diagnostic("GWC009", f"{inc_display} is included twice", origin))
                continue
            sub = read_tree(inc_display, result.diagnostics, origin)
            if sub is None:
                continue
            result.files.append(inc_display)
            _expand_includes(sub, inc_display, chain + [absolute], result)
            _merge(result.tree, sub, result.diagnostics)


def _loc(m: YMap, key) -> Location:
    return Location(m.file, *m.kpos[key])


def _merge(into: YMap, sub: YMap, diags: list[Diagnostic]) -> None:
    for key in sub:
        if key not in TOP_LEVEL:
            diags.append(Diagnostic("GWC100", f"unknown top-level field {key!r}", _loc(sub, key),
                                    hint=did_you_mean(key, TOP_LEVEL)))
        elif key in ("version", "include"):
            if key == "version" and sub[key] != 1:
                diags.append(Diagnostic("GWC011", f"included file has version {sub[key]!r}; expected 1",
                                        Location(sub.file, *sub.vpos[key])))
        elif key in MERGED_BY_NAME or key == "gateways" or key == "accept_degraded":
            _merge_named(into, sub, key, diags, deep=(key == "gateways"))


def _merge_named(into: YMap, sub: YMap, section: str, diags: list[Diagnostic], deep: bool) -> None:
    theirs = sub[section]
    if not isinstance(theirs, YMap):
        # keep it where the schema check will see it: report as the wrong type
        diags.append(Diagnostic("GWC101", f"`{section}` must be a mapping", Location(sub.file, *sub.vpos[section])))
        return
    if section not in into or not isinstance(into[section], YMap):
        if section not in into:
            _adopt(into, sub, section)
        return
    ours = into[section]
    for name in theirs:
        if name not in ours:
            _adopt(ours, theirs, name)
        elif deep and isinstance(theirs[name], YMap) and isinstance(ours[name], YMap):
            _merge_gateway(ours[name], theirs[name], diags)
        else:
            diags.append(_dup(section, name, ours, theirs))


def _adopt(into: YMap, src: YMap, key) -> None:
    """Move src[key] into `into`, its positions still pointing into the file it came from."""
    into[key] = src[key]
    kpos, vpos = src.kpos[key], src.vpos[key]
    if into.file != src.file:
        file = kpos[2] if len(kpos) > 2 else src.file
        kpos, vpos = (*kpos[:2], file), (*vpos[:2], file)
    into.kpos[key], into.vpos[key] = kpos, vpos


def _dup(section: str, name, ours: YMap, theirs: YMap) -> Diagnostic:
    first = Location(*_where(ours, name))
    return Diagnostic("GWC201", f"{section[:-1] if section.endswith('s') else section} {name!r} is defined twice",
                      _loc(theirs, name), hint="names must be unique across all included files; "
                      "rename or delete one of the two definitions",
                      related=((first, "first defined here"),))


def _where(m: YMap, key) -> tuple[str, int, int]:
    p = m.kpos[key]
    return (p[2] if len(p) > 2 else m.file, p[0], p[1])


def _merge_gateway(ours: YMap, theirs: YMap, diags: list[Diagnostic]) -> None:
    for key, value in theirs.items():
        if key not in ours:
            _adopt(ours, theirs, key)
        elif key == "routes" and isinstance(value, YSeq) and isinstance(ours[key], YSeq):
            merged = YSeq(ours[key])
            merged.file = ours[key].file
            merged.pos = ours[key].pos
            merged.ipos = [p if len(p) > 2 else (*p, ours[key].file) for p in ours[key].ipos]
            merged.extend(value)
            merged.ipos.extend((*p[:2], value.file) for p in value.ipos)
            ours[key] = merged
        else:
            first = Location(*_where(ours, key))
            diags.append(Diagnostic(
                "GWC201", f"gateway field {key!r} is defined in two files", _loc(theirs, key),
                hint="only `routes` can be spread over several files", related=((first, "first defined here"),)))
