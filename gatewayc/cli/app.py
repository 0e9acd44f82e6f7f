"""The gatewayc command line. The only place that prints or exits.

Exit codes: 0 ok, 1 the input is invalid (or a build/check found errors), 2 usage error
(and, for --check/diff, "differs"), 3 internal error (a bug in gatewayc).

Streams: what a command produces (JSON, GitHub workflow commands, diffs, the schema, the
matrix) goes to stdout; text diagnostics and status messages go to stderr, so that
`gatewayc diff A B > change.diff` or `... --format json | jq` never mixes the two.
Verbosity: errors and warnings by default, infos (accepted emulations) with -v, no status
messages with -q.

Heavy modules (pydantic, jsonschema, jinja2) are imported inside commands so that
`gatewayc --version` and shell completion stay instant.
"""
from __future__ import annotations

import sys

import click

from .._version import __version__
from .params import Choice, complete_code, complete_feature, complete_target, target_names

FORMATS = ("text", "json", "github")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class OrderedGroup(click.Group):
    """Lists commands in the order people use them (the order they are defined in)."""

    def list_commands(self, ctx):
        return list(self.commands)


@click.group("gatewayc", cls=OrderedGroup, context_settings=CONTEXT,
             help="Compile one neutral API gateway spec into the native configuration of a gateway "
                  f"(targets: {', '.join(target_names())}).")
@click.version_option(__version__, "--version", message="gatewayc %(version)s",
                      help="Print the version and exit.")
def app() -> None:
    pass


def quiet_option(help: str = "Print no status messages: only problems and the requested output."):
    return click.option("-q", "--quiet", is_flag=True, help=help)


def verbose_option():
    return click.option("-v", "--verbose", is_flag=True, help="Also print infos (each accepted emulation).")


def format_option(choices=FORMATS, help: str = "Output format."):
    return click.option("-f", "--format", "fmt", type=Choice(choices), default="text", show_default=True,
                        metavar="FORMAT", help=f"{help} One of: {', '.join(choices)}.")


def shown(diags, fmt: str, verbose: bool) -> list:
    """The diagnostics a run prints: infos only with -v, and never as GitHub annotations."""
    keep_info = verbose and fmt != "github"
    return [d for d in diags if keep_info or d.effective_severity.value != "info"]


def status(message: str, quiet: bool) -> None:
    if not quiet:
        click.echo(message, err=True)


def emit(diags, fmt: str, extra: dict | None = None) -> None:
    """Diagnostics in `fmt`: text to stderr; JSON and GitHub workflow commands to stdout."""
    from . import render

    if fmt == "json":
        click.echo(render.json_report(diags, **(extra or {})))
    elif fmt == "github":
        if diags:
            click.echo(render.github(diags))
    elif diags:
        color = render.use_color(sys.stderr)
        body = render.text(diags, color=color)
        if color:
            from rich.console import Console

            Console(stderr=True, highlight=False, soft_wrap=True).print(body)
        else:
            click.echo(body, err=True)


def guard(fn):
    """Run a command body; any exception that escapes is a bug: say so, exit 3."""
    try:
        return fn()
    except (click.exceptions.Exit, click.ClickException, BrokenPipeError):
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        import os
        import traceback

        click.echo(f"error[GWC900]: internal error in gatewayc {__version__}: {type(exc).__name__}: {exc}",
                   err=True)
        click.echo("This is a bug in gatewayc, not in your spec. Please report it with the spec that "
                   "triggered it.", err=True)
        if "GATEWAYC_DEBUG" in os.environ:
            traceback.print_exc()
        sys.exit(3)


def allow_dir_option():
    return click.option("--allow-dir", "allow_dir", multiple=True, metavar="DIR",
                        help="Also read included, JWKS and schema files under DIR (repeatable; default: the "
                             "spec's directory only).")


@app.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, metavar="SPEC...")
@click.option("-t", "--target", "targets", multiple=True, metavar="TARGET", shell_complete=complete_target,
              help="Also run the capability check of a build for TARGET (repeatable, or `all`).")
@allow_dir_option()
@format_option()
@quiet_option("Print only problems.")
@verbose_option()
def validate(files: tuple[str, ...], targets: tuple[str, ...], allow_dir: tuple[str, ...], fmt: str, quiet: bool,
             verbose: bool) -> None:
    """Check SPEC files and report every problem with its position."""

    def run():
        from .. import backends
        from ..build import build as do_build
        from . import render

        names = sorted(set(backends.names() if "all" in targets else targets))
        all_diags, failed, summaries = [], False, []
        for f in files:
            # the build's own checks, in memory, nothing written; with no target, the spec alone
            c = do_build(f, names, source=f, allow=allow_dir)
            all_diags.extend(c.diagnostics)
            failed |= not c.ok
            if c.ok and c.ir is not None:
                routes = sum(len(g.routes) for g in c.ir.gateways)
                summaries.append(f"{f}: valid ({_count(len(c.ir.gateways), 'gateway')}, "
                                 f"{_count(routes, 'route')}, {_count(len(c.ir.services), 'service')})")
        diags = shown(all_diags, fmt, verbose)
        emit(diags, fmt, {"valid": not failed})
        if fmt == "text":
            if any(d.effective_severity.value != "info" for d in diags):
                click.echo(render.summary(diags), err=True)
            for s in summaries:
                status(s, quiet)
        sys.exit(1 if failed else 0)

    guard(run)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@app.command(context_settings=CONTEXT)
@click.argument("spec", metavar="SPEC")
@click.option("-t", "--target", required=True, metavar="TARGET", shell_complete=complete_target,
              help="The target to build for, or `all` (each into DIR/<target>/).")
@click.option("-o", "--out", required=True, metavar="DIR",
              help="Output directory (owned by gatewayc: replaced whole).")
@click.option("-g", "--gateway", "gateways", multiple=True, metavar="NAME",
              help="Build only this gateway (repeatable).")
@click.option("--accept-degraded", "accept", multiple=True, metavar="FEATURE", shell_complete=complete_feature,
              help="Accept that FEATURE is left out on this target (repeatable; never auth).")
@click.option("--check", is_flag=True, help="Write nothing; exit 2 with a diff if DIR is not up to date.")
@click.option("--form", type=Choice(("full", "include")), default="full", show_default=True, metavar="FORM",
              help="`full` config, or `include` snippet (only where the target has one).")
@click.option("--aws-api", type=Choice(("rest", "http")), default="rest", show_default=True, metavar="API",
              help="AWS API Gateway: `rest` (REST API) or `http` (HTTP API).")
@allow_dir_option()
@format_option()
@quiet_option()
@verbose_option()
def build(spec: str, target: str, out: str, gateways: tuple[str, ...], accept: tuple[str, ...], check: bool,
          form: str, aws_api: str, allow_dir: tuple[str, ...], fmt: str, quiet: bool, verbose: bool) -> None:
    """Compile SPEC for TARGET and write the result to DIR atomically."""

    def run():
        import os

        from .. import backends
        from ..build import build as do_build
        from ..diagnostics import Diagnostic, Location
        from ..output import atomic
        from . import render

        names = backends.names() if target == "all" else [target]
        source = os.path.relpath(os.path.abspath(spec), os.path.abspath(out)).replace(os.sep, "/")
        result = do_build(spec, names, source=source, gateways=list(gateways) or None, accept=list(accept),
                          form=form, subdirs=(target == "all"), aws_api=aws_api, allow=allow_dir)
        diags = shown(result.diagnostics, fmt, verbose)
        report = {"ok": result.ok, "files": sorted(result.files), "env": result.env}
        diff = None
        if result.ok and check:
            from .checkdiff import tree_diff

            current = atomic.read_tree(out) if os.path.isdir(out) else {}
            diff = tree_diff(current, atomic.with_manifest(result.files), out)
            report.update(up_to_date=not diff, diff=diff or "")
        emit(diags, fmt, report)
        if not result.ok:
            if fmt == "text":
                click.echo(f"{render.summary(diags)}; nothing written", err=True)
            sys.exit(1)
        if check:
            stale = f"{out} is not up to date with {spec}; run the same command without --check"
            if diff and fmt == "text":
                click.echo(diff, nl=False)
                click.echo(stale, err=True)
            elif diff and fmt == "github":
                click.echo(render.github([Diagnostic("GWC308", stale, Location(spec, 1, 1))]))
                click.echo(f"::group::diff of {out}\n{diff}::endgroup::")
            elif not diff and fmt == "text":
                status(f"{out} is up to date", quiet)
            sys.exit(2 if diff else 0)
        try:
            atomic.replace_dir(out, result.files)
        except atomic.OutputError as exc:
            emit([Diagnostic("GWC306", str(exc))], fmt)
            sys.exit(1)
        if fmt == "text":
            status(f"wrote {_count(len(result.files), 'file')} to {out}", quiet)
            for t, env in sorted(result.env.items()):
                if env:
                    status(f"{t}: the gateway needs these environment variables: {', '.join(env)}", quiet)

    guard(run)


# `gatewayc diff` lives in its own module; importing it registers the command here, third.
from . import diff_cmd  # noqa: E402,F401


@app.command(context_settings=CONTEXT)
@format_option(("text", "json", "markdown"))
@quiet_option()
def targets(fmt: str, quiet: bool) -> None:
    """Print the capability matrix: which target supports which feature, and how."""

    def run():
        from ..matrix import matrix_json, matrix_markdown, matrix_text

        fn = {"text": matrix_text, "json": matrix_json, "markdown": matrix_markdown}[fmt]
        click.echo(fn(), nl=False)

    guard(run)


@app.command(context_settings=CONTEXT)
@click.argument("code", required=False, metavar="[CODE]", shell_complete=complete_code)
@quiet_option()
def explain(code: str | None, quiet: bool) -> None:
    """Explain a diagnostic CODE such as GWC100 (without one: list them all)."""
    from ..diagnostics.codes import BY_NAME, CODES

    if code is None:
        for c in CODES.values():
            click.echo(f"{c.code}  {c.severity.value:<7}  {c.name:<24} {c.summary}")
        return
    c = CODES.get(code.upper()) or BY_NAME.get(code.lower())
    if c is None:
        click.echo(f"error: unknown code {code!r}; `gatewayc explain` lists them", err=True)
        sys.exit(2)
    click.echo(f"{c.code} ({c.name}), default severity {c.severity.value}\n\n{c.summary}\n\n{c.explanation}")


@app.command(context_settings=CONTEXT)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@quiet_option()
def schema(output: str | None, quiet: bool) -> None:
    """Print the spec's JSON Schema (for editors: yaml-language-server, VS Code)."""

    def run():
        from ..schema_gen import schema_text

        text = schema_text()
        if output:
            from ..output.files import write_file_atomic

            write_file_atomic(output, text.encode())
            status(f"wrote {output}", quiet)
        else:
            sys.stdout.write(text)

    guard(run)


@app.command(context_settings=CONTEXT)
@click.argument("shell", type=Choice(("bash", "zsh", "fish")), metavar="SHELL")
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    It completes commands, options, targets, feature ids and diagnostic codes. Install it
    with e.g. `gatewayc completion bash > ~/.local/share/bash-completion/completions/gatewayc`.
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    click.echo(cls(app, {}, "gatewayc", "_GATEWAYC_COMPLETE").source(), nl=False)


def main() -> None:
    try:
        app(prog_name="gatewayc")
    except BrokenPipeError:
        # the reader went away (`gatewayc validate x | head`): not our error, nothing to say
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
