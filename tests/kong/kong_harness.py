"""Compile a spec and build it for Kong the way `gatewayc build --target kong` does:
capability grading with the backend's table, then the backend."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gatewayc.backends.base import BuildOptions
from gatewayc.backends.kong import BACKEND, CAPABILITIES
from gatewayc.capabilities import grade, uses
from gatewayc.compiler import compile_spec
from gatewayc.diagnostics import Diagnostic

import kongcheck


@dataclass
class Built:
    files: dict[str, bytes]
    diagnostics: list[Diagnostic]
    env: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def doc(self, name: str = "kong.yml") -> dict:
        return kongcheck.load(self.files[name])


def _graded(path: str | Path, accepted: tuple[str, ...]):
    c = compile_spec(str(path))
    assert c.ok, [str(d) for d in c.diagnostics if d.is_error]
    ir = c.ir
    accepted = tuple(accepted) + dict(ir.accept_degraded).get("kong", ())
    diags, dropped = grade("kong", CAPABILITIES, uses(ir), accepted)
    return ir, diags, frozenset(dropped), frozenset(a for a in accepted if not a.startswith("auth."))


def build_file(path: str | Path, accepted: tuple[str, ...] = (), version: str = "0.0.0-test") -> Built:
    ir, diags, dropped, acc = _graded(path, accepted)
    out = BACKEND.build(ir, ir.gateways, BuildOptions(str(path), version, dropped, accepted=acc))
    return Built(out.files, diags + out.notes, out.env)


def documents(path: str | Path, accepted: tuple[str, ...] = ()) -> dict[str, dict]:
    """{file name: the document before rendering}, built as build_file builds it."""
    ir, _, dropped, acc = _graded(path, accepted)
    return BACKEND.documents(ir.gateways, dropped, acc)[0]


def build_with_documents(path: str | Path, accepted: tuple[str, ...] = ()) -> tuple[Built, dict[str, dict], object]:
    """build_file, the documents before rendering, and the IR, from one compile."""
    ir, diags, dropped, acc = _graded(path, accepted)
    out = BACKEND.build(ir, ir.gateways, BuildOptions(str(path), "0.0.0-test", dropped, accepted=acc))
    return Built(out.files, diags + out.notes, out.env), BACKEND.documents(ir.gateways, dropped, acc)[0], ir


def build_text(tmp_path: Path, text: str, accepted: tuple[str, ...] = ()) -> Built:
    p = tmp_path / "gateway.yml"
    p.write_text(text)
    return build_file(p, accepted)
