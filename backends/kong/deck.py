"""decK's template step, and how kong.yml stays inert in it.

decK renders the whole raw file as a Go text/template with the delimiters `${{` and `}}`
before it parses the YAML (go-database-reconciler pkg/file/readfile.go renderTemplate). Only
an action starts with `${{`; all other text is copied through. So every scalar the dumper
writes has each `${{` replaced by an action that prints `${{`, and the only live actions in
the file are gatewayc's own secret placeholders (`Raw` scalars). tests/kong/test_deck_render.py
proves it with decK's renderer.
"""
from __future__ import annotations

from gatewayc.output.dump import Raw, to_yaml

OPEN = "${{"
# a template action that prints `${{`: a Go raw string, so that no `"` ends the YAML
# double-quoted scalar it stands in (the raw file stays YAML for linters and diff tools)
_PRINT_OPEN = "${{ `${{` }}"


def inert(text: str) -> str:
    """`text` as written in kong.yml, so that decK's rendering gives `text` back."""
    return text.replace(OPEN, _PRINT_OPEN)


def placeholder(var: str) -> Raw:
    """A decK template that renders the variable's value as a quoted YAML scalar (Go's %q escapes
    are valid YAML double-quoted escapes), so any value, even one with quotes, stays one string."""
    return Raw('${{ env "%s" | printf "%%q" }}' % var)


def render(header: str, doc: dict) -> str:
    return inert(header) + to_yaml(doc, escape=inert)
