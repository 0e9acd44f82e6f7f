"""`gatewayc diff OLD NEW`: what a spec change means for the traffic (and, with --target,
for the generated configuration). Exit 0: no difference, 2: differences, 1: errors."""
from __future__ import annotations

import enum
import sys
from typing import Annotated, Optional

import typer

from .app import _guard, app


class DiffFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"


@app.command()
def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The old spec: a file, or git:REV:path (e.g. git:origin/main:gateway.yml).")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The new spec: a file, or git:REV:path.")],
    target: Annotated[Optional[list[str]], typer.Option(
        "--target", "-t", metavar="TARGET", help="Also diff the generated config for this target (repeatable, or `all`).")] = None,
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="text, json, markdown (a PR comment) or github.")] = DiffFormat.text,
) -> None:
    """Show what changes between two specs: routes, policies (auth first), services, listeners."""

    def run():
        from .. import backends
        from ..diagnostics import Diagnostic
        from ..semdiff import SourceError, run_diff
        from ..semdiff import render as drender
        from . import render

        names: list[str] = []
        for t in target or []:
            names.extend(backends.names() if t == "all" else [t])
        names = sorted(set(names))
        unknown = [t for t in names if t not in backends.REGISTRY]
        if unknown:
            diags = [Diagnostic("GWC304", f"unknown target {t!r}", hint="targets: " + ", ".join(backends.names()))
                     for t in unknown]
            _errors({"": diags}, format, render)
            raise typer.Exit(1)
        try:
            result = run_diff(old, new, names)
        except SourceError as exc:
            ref = old if exc.side == "old" else new
            _errors({f"{exc.side} ({ref})" if exc.side else "": [exc.diagnostic]}, format, render,
                    which=exc.side)
            raise typer.Exit(1)
        if not result.ok:
            _errors({f"old ({result.old.display})": result.old.diagnostics,
                     f"new ({result.new.display})": result.new.diagnostics}, format, render,
                    sides=(result.old, result.new))
            raise typer.Exit(1)
        out = {DiffFormat.text: drender.text, DiffFormat.json: drender.to_json,
               DiffFormat.markdown: drender.markdown, DiffFormat.github: drender.github}[format](result)
        sys.stdout.write(out)
        raise typer.Exit(2 if result.differs else 0)

    _guard(run)


def _errors(groups: dict, fmt: DiffFormat, render, sides=None, which: str | None = None) -> None:
    """Diagnostics that stop the diff, saying which spec each belongs to."""
    import json

    if fmt is DiffFormat.json:
        if sides:
            payload = {"ok": False, "old": sides[0].display, "new": sides[1].display,
                       "diagnostics": {"old": [render.as_dict(d) for d in sides[0].diagnostics],
                                       "new": [render.as_dict(d) for d in sides[1].diagnostics]}}
        else:
            diags = [render.as_dict(d) for ds in groups.values() for d in ds]
            payload = {"ok": False, "diagnostics": {"old": diags if which == "old" else [],
                                                    "new": diags if which == "new" else []}}
            if which is None:  # not about one side (e.g. an unknown target)
                payload["diagnostics"] = {"old": [], "new": [], "options": diags}
        print(json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False))
        return
    for side, diags in groups.items():
        if not any(d.is_error for d in diags):
            continue  # the side that compiled: its notes are not what stopped the diff
        diags = [d for d in diags if d.effective_severity.value != "info"]
        if fmt is DiffFormat.github:
            print(render.github(diags))
            continue
        if fmt is DiffFormat.markdown:
            print(f"### gatewayc diff: errors in the {side} spec" if side else "### gatewayc diff: error")
            print()
            for d in diags:
                loc = f"`{d.location}` " if d.location else ""
                print(f"- {loc}**{d.effective_severity.value}[{d.code}]**: {d.message}")
            print()
            continue
        if side:
            print(f"{side}: {render.summary(diags)}")
        print(render.text(diags))
    if fmt is DiffFormat.text:
        print("nothing compared: fix the errors above")
