"""The gatewayc command line. The only place that prints or exits.

Exit codes: 0 ok, 1 the input is invalid (or a build/check found errors), 2 usage error
(and, for --check/diff, "differs"), 3 internal error (a bug in gatewayc).
Heavy modules (pydantic, jsonschema, jinja2) are imported inside commands so that
`gatewayc --version` and shell completion stay instant.
"""
from __future__ import annotations

import enum
import sys
from typing import Annotated, Optional

import typer

from .._version import __version__

app = typer.Typer(
    name="gatewayc",
    help="Compile one neutral API gateway spec into NGINX, Kong, Traefik, AWS API Gateway and Envoy configs.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Format(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"


class MatrixFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _version(value: bool) -> None:
    if value:
        print(f"gatewayc {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> None:
    """gatewayc: an API gateway configuration compiler."""


def _emit(diags, fmt: Format, extra: dict | None = None) -> None:
    from . import render

    if fmt is Format.json:
        print(render.json_report(diags, **(extra or {})))
    elif fmt is Format.github:
        if diags:
            print(render.github(diags))
    elif diags:
        color = render.use_color(sys.stdout)
        body = render.text(diags, color=color)
        if color:
            from rich.console import Console

            Console(highlight=False, soft_wrap=True).print(body)
        else:
            print(body)


def _guard(fn):
    """Run a command body; any exception that escapes is a bug: say so, exit 3."""
    try:
        return fn()
    except (typer.Exit, BrokenPipeError):
        raise
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise typer.Exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        import traceback

        print(f"error[GWC900]: internal error in gatewayc {__version__}: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        print("This is a bug in gatewayc, not in your spec. Please report it with the spec that "
              "triggered it.", file=sys.stderr)
        if "GATEWAYC_DEBUG" in __import__("os").environ:
            traceback.print_exc()
        raise typer.Exit(3)


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Spec files to check.", metavar="FILE...")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems.")] = False,
    target: Annotated[Optional[list[str]], typer.Option(
        "--target", "-t", metavar="TARGET",
        help="Also run the capability check of a build for TARGET (repeatable, or `all`).")] = None,
    allow_dir: Annotated[Optional[list[str]], typer.Option(
        "--allow-dir", metavar="DIR",
        help="Also read included, JWKS and schema files under DIR (repeatable; default: the spec's directory only).")
    ] = None,
) -> None:
    """Check spec files and report every problem with its position."""

    def run():
        from .. import backends
        from ..build import build as do_build
        from . import render

        names = sorted(set(backends.names() if "all" in (target or ()) else target or ()))
        all_diags, failed, summaries = [], False, []
        for f in files:
            # the build's own checks, in memory, nothing written; with no target, the spec alone
            c = do_build(f, names, source=f, allow=tuple(allow_dir or ()))
            all_diags.extend(c.diagnostics)
            failed |= not c.ok
            if c.ok and c.ir is not None:
                routes = sum(len(g.routes) for g in c.ir.gateways)
                summaries.append(f"{f}: valid ({len(c.ir.gateways)} gateways, {routes} routes, "
                                 f"{len(c.ir.services)} services)")
        shown = [d for d in all_diags if d.code != "GWC301"]
        _emit(shown, format, {"valid": not failed})
        if format is Format.text:
            if shown:
                print(f"{render.summary(shown)}")
            if not quiet:
                for s in summaries:
                    print(s)
        raise typer.Exit(1 if failed else 0)

    _guard(run)


@app.command()
def schema(
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Print the spec's JSON Schema (for editors: yaml-language-server, VS Code)."""

    def run():
        from ..schema_gen import schema_text

        text = schema_text()
        if output:
            from ..output.files import write_file_atomic

            write_file_atomic(output, text.encode())
        else:
            sys.stdout.write(text)

    _guard(run)


@app.command()
def targets(
    format: Annotated[MatrixFormat, typer.Option("--format", "-f")] = MatrixFormat.text,
) -> None:
    """Print the capability matrix: which target supports which feature, and how."""

    def run():
        from ..matrix import matrix_json, matrix_markdown, matrix_text

        fn = {MatrixFormat.text: matrix_text, MatrixFormat.json: matrix_json,
              MatrixFormat.markdown: matrix_markdown}[format]
        sys.stdout.write(fn())

    _guard(run)


@app.command()
def explain(
    code: Annotated[Optional[str], typer.Argument(help="A diagnostic code such as GWC100.")] = None,
) -> None:
    """Explain a diagnostic code (without one: list them all)."""
    from ..diagnostics.codes import BY_NAME, CODES

    if code is None:
        for c in CODES.values():
            print(f"{c.code}  {c.severity.value:<7}  {c.name:<24} {c.summary}")
        return
    c = CODES.get(code.upper()) or BY_NAME.get(code.lower())
    if c is None:
        print(f"error: unknown code {code!r}; `gatewayc explain` lists them", file=sys.stderr)
        raise typer.Exit(2)
    print(f"{c.code} ({c.name}), default severity {c.severity.value}\n\n{c.summary}\n\n{c.explanation}")


@app.command()
def build(
    spec: Annotated[str, typer.Argument(help="The spec file.")],
    target: Annotated[str, typer.Option("--target", "-t", help="Target name, or `all`.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Output directory (owned by gatewayc: replaced whole).")],
    gateway: Annotated[Optional[list[str]], typer.Option("--gateway", "-g", help="Build only this gateway (repeatable).")] = None,
    accept_degraded: Annotated[Optional[list[str]], typer.Option(
        "--accept-degraded", help="Accept that FEATURE is left out on this target (repeatable; never auth).",
        metavar="FEATURE")] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 2 with a diff if OUT is not up to date.")] = False,
    form: Annotated[str, typer.Option("--form", help="`full` config, or `include` snippet where the target has one.")] = "full",
    aws_api: Annotated[str, typer.Option("--aws-api", help="AWS API Gateway: `rest` (REST API) or `http` (HTTP API).")] = "rest",
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.text,
    allow_dir: Annotated[Optional[list[str]], typer.Option(
        "--allow-dir", metavar="DIR",
        help="Also read included, JWKS and schema files under DIR (repeatable; default: the spec's directory only).")
    ] = None,
) -> None:
    """Compile SPEC for a target and write the result to OUT atomically."""

    def run():
        import os

        from .. import backends
        from ..build import build as do_build
        from ..diagnostics import Diagnostic, Location
        from ..output import atomic
        from . import render

        names = backends.names() if target == "all" else [target]
        if form not in ("full", "include"):
            print(f"error: --form takes `full` or `include`, not {form!r}", file=sys.stderr)
            raise typer.Exit(2)
        if aws_api not in ("rest", "http"):
            print(f"error: --aws-api takes `rest` or `http`, not {aws_api!r}", file=sys.stderr)
            raise typer.Exit(2)
        source = os.path.relpath(os.path.abspath(spec), os.path.abspath(out)).replace(os.sep, "/")
        result = do_build(spec, names, source=source, gateways=gateway, accept=accept_degraded,
                          form=form, subdirs=(target == "all"), aws_api=aws_api, allow=tuple(allow_dir or ()))
        shown = result.diagnostics
        report = {"ok": result.ok, "files": sorted(result.files), "env": result.env}
        diff = None
        if result.ok and check:
            from .checkdiff import tree_diff

            current = atomic.read_tree(out) if os.path.isdir(out) else {}
            diff = tree_diff(current, atomic.with_manifest(result.files), out)
            report.update(up_to_date=not diff, diff=diff or "")
        _emit(shown, format, report)
        if not result.ok:
            if format is Format.text:
                print(f"{render.summary(shown)}; nothing written")
            raise typer.Exit(1)
        if check:
            stale = f"{out} is not up to date with {spec}; run the same command without --check"
            if diff and format is Format.text:
                sys.stdout.write(diff)
                print(stale)
            elif diff and format is Format.github:
                print(render.github([Diagnostic("GWC308", stale, Location(spec, 1, 1))]))
                print(f"::group::diff of {out}\n{diff}::endgroup::")
            elif not diff and format is Format.text:
                print(f"{out} is up to date")
            raise typer.Exit(2 if diff else 0)
        try:
            atomic.replace_dir(out, result.files)
        except atomic.OutputError as exc:
            _emit([Diagnostic("GWC306", str(exc))], format)
            raise typer.Exit(1)
        if format is Format.text:
            print(f"wrote {len(result.files)} files to {out}")
            for t, env in sorted(result.env.items()):
                if env:
                    print(f"{t}: the gateway needs these environment variables: {', '.join(env)}")

    _guard(run)


# `gatewayc diff` lives in its own module; importing it registers the command on `app`.
from . import diff_cmd  # noqa: E402,F401


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        # the reader went away (`gatewayc validate x | head`): not our error, nothing to say
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
