"""Option types and shell completion shared by the commands.

Everything here stays light: `gatewayc --version` and completion import it.
"""
from __future__ import annotations

import click


class Choice(click.Choice):
    """A choice whose error reads `invalid value 'yaml' for --format: choose text, json, github`."""

    def convert(self, value, param, ctx):
        if value in self.choices:
            return value
        opts = param.opts if param is not None else []
        name = next((o for o in opts if o.startswith("--")), opts[0] if opts else "the value")
        raise click.UsageError(f"invalid value {value!r} for {name}: choose {', '.join(self.choices)}", ctx)


def target_names() -> list[str]:
    from .. import backends

    return backends.names()


def _starting(items, incomplete: str):
    from click.shell_completion import CompletionItem

    return [CompletionItem(i) for i in items if i.startswith(incomplete)]


def complete_target(ctx, param, incomplete):
    return _starting([*target_names(), "all"], incomplete)


def complete_feature(ctx, param, incomplete):
    from ..capabilities.features import FEATURES

    return _starting(sorted(FEATURES), incomplete)


def complete_code(ctx, param, incomplete):
    from ..diagnostics.codes import BY_NAME, CODES

    return _starting([*CODES, *sorted(BY_NAME)], incomplete.upper() if incomplete[:3].lower() == "gwc"
                     else incomplete)
