"""`gatewayc diff OLD NEW`: what a spec change means for the traffic (and, with --target,
for the generated configuration). Exit 0: no difference, 2: differences, 1: errors.
The diff goes to stdout; in text format, the errors that stop it go to stderr."""
from __future__ import annotations

import sys

import click

from .app import CONTEXT, allow_dir_option, app, format_option, guard, quiet_option
from .params import complete_target

FORMATS = ("text", "json", "markdown", "github")


@app.command(context_settings=CONTEXT)
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("-t", "--target", "targets", multiple=True, metavar="TARGET", shell_complete=complete_target,
              help="Also diff the generated config for TARGET (repeatable, or `all`).")
@allow_dir_option()
@format_option(FORMATS, "Output format (markdown: a pull-request comment).")
@quiet_option("Print nothing; the exit code says whether the specs differ.")
def diff(old: str, new: str, targets: tuple[str, ...], allow_dir: tuple[str, ...], fmt: str, quiet: bool) -> None:
    """Show what changes between two specs: routes, policies (auth first), services, listeners.

    OLD and NEW are spec files, or git:REV:path (e.g. git:origin/main:gateway.yml) to read a
    spec from a git revision.
    """

    def run():
        from .. import backends
        from ..diagnostics import Diagnostic
        from ..semdiff import SourceError, run_diff
        from ..semdiff import render as drender
        from . import render

        names: list[str] = []
        for t in targets:
            names.extend(backends.names() if t == "all" else [t])
        names = sorted(set(names))
        unknown = [t for t in names if t not in backends.REGISTRY]
        if unknown:
            diags = [Diagnostic("GWC304", f"unknown target {t!r}", hint="targets: " + ", ".join(backends.names()))
                     for t in unknown]
            _errors({"": diags}, fmt, render)
            sys.exit(1)
        try:
            result = run_diff(old, new, names, allow=allow_dir)
        except SourceError as exc:
            ref = old if exc.side == "old" else new
            _errors({f"{exc.side} ({ref})" if exc.side else "": [exc.diagnostic]}, fmt, render,
                    which=exc.side)
            sys.exit(1)
        if not result.ok:
            _errors({f"old ({result.old.display})": result.old.diagnostics,
                     f"new ({result.new.display})": result.new.diagnostics}, fmt, render,
                    sides=(result.old, result.new))
            sys.exit(1)
        if not quiet:
            out = {"text": drender.text, "json": drender.to_json, "markdown": drender.markdown,
                   "github": drender.github}[fmt](result)
            sys.stdout.write(out)
        sys.exit(2 if result.differs else 0)

    guard(run)


def _errors(groups: dict, fmt: str, render, sides=None, which: str | None = None) -> None:
    """Diagnostics that stop the diff, saying which spec each belongs to."""
    import json

    if fmt == "json":
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
        if fmt == "github":
            print(render.github(diags))
            continue
        if fmt == "markdown":
            from ..semdiff.render import md

            print(f"### gatewayc diff: errors in the {md(side)} spec" if side else "### gatewayc diff: error")
            print()
            for d in diags:
                loc = f"{md(str(d.location))} " if d.location else ""
                print(f"- {loc}**{d.effective_severity.value}[{d.code}]**: {md(d.message)}")
            print()
            continue
        if side:
            print(f"{side}: {render.summary(diags)}", file=sys.stderr)
        print(render.text(diags), file=sys.stderr)
    if fmt == "text":
        print("nothing compared: fix the errors above", file=sys.stderr)
