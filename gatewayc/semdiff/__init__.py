"""Semantic diff of two gatewayc specs: what changes for the traffic, in reviewer's words.

    result = run_diff("git:origin/main:gateway.yml", "gateway.yml", targets=["nginx"])
    result.changes      # [Change], security-relevant first
    result.files        # [FileDiff] of the generated configs, when targets were given
    render.markdown(result)

A library: nothing here prints or exits.
"""
from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import replace

from ..output import treediff
from .compare import diff_ir
from .model import Change, DiffResult, FileDiff, Side
from .source import SourceError, open_side, parse_git_ref, rename, rename_path

__all__ = ["Change", "DiffResult", "FileDiff", "Side", "SourceError", "diff_ir", "file_diffs",
           "parse_git_ref", "run_diff"]


def _header_source(ref: str) -> str:
    parsed = parse_git_ref(ref)
    path = parsed[1] if parsed else ref
    return path.replace(os.sep, "/")


def file_diffs(old: dict[str, bytes], new: dict[str, bytes]) -> list[FileDiff]:
    """Unified diffs of two generated trees ({relative path: content})."""
    out = []
    for path, status, text in treediff.file_diffs(old, new):
        lines = text.splitlines()
        plus = sum(1 for ln in lines if ln.startswith("+") and not ln.startswith("+++"))
        minus = sum(1 for ln in lines if ln.startswith("-") and not ln.startswith("---"))
        out.append(FileDiff(path, status, text, plus, minus))
    return out


def run_diff(old_ref: str, new_ref: str, targets: list[str] | None = None,
             cwd: str | None = None, allow: tuple[str, ...] = ()) -> DiffResult:
    """Compile both specs (and build them for `targets`) and compare. `allow`: directories
    besides each spec's own that its files may be read from, as `--allow-dir` of `build`.

    Raises SourceError when a git reference cannot be read. Compile and build problems are
    returned as each side's diagnostics (result.ok is then False and nothing is compared).
    """
    from ..build import build
    from ..compiler import compile_spec

    targets = list(targets or [])
    with ExitStack() as stack:
        sides = []
        for which, ref in (("old", old_ref), ("new", new_ref)):
            try:
                sides.append(stack.enter_context(open_side(ref, cwd, allow)))
            except SourceError as exc:
                exc.side = which
                raise
        source = _header_source(new_ref)
        for side in sides:
            compiled = compile_spec(side.path, side.allow)
            side.ir = compiled.ir
            side.diagnostics = rename(compiled.diagnostics, side)
            if side.ok and targets:
                built = build(side.path, targets, source=source, subdirs=True, allow=side.allow)
                extra = [d for d in built.diagnostics if d not in compiled.diagnostics]
                side.diagnostics = side.diagnostics + rename(extra, side)
                if built.ok:
                    side.files = built.files
                else:
                    side.ir = None
        old, new = sides
        result = DiffResult(old, new, targets=targets)
        if not result.ok:
            return result
        changes = diff_ir(old.ir, new.ir)
        result.changes = [_relocate(c, old if c.action == "removed" else new) for c in changes]
        if targets:
            result.files = file_diffs(old.files or {}, new.files or {})
        return result


def _relocate(c: Change, side: Side) -> Change:
    if c.location is None or side.root is None:
        return c
    return replace(c, location=replace(c.location, file=rename_path(c.location.file, side)))
