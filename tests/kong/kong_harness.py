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


def build_file(path: str | Path, accepted: tuple[str, ...] = (), version: str = "0.0.0-test") -> Built:
    c = compile_spec(str(path))
    assert c.ok, [str(d) for d in c.diagnostics if d.is_error]
    ir = c.ir
    accepted = tuple(accepted) + dict(ir.accept_degraded).get("kong", ())
    diags, dropped = grade("kong", CAPABILITIES, uses(ir), accepted)
    out = BACKEND.build(ir, ir.gateways, BuildOptions(str(path), version, frozenset(dropped)))
    return Built(out.files, diags + out.notes, out.env)


def build_text(tmp_path: Path, text: str, accepted: tuple[str, ...] = ()) -> Built:
    p = tmp_path / "gateway.yml"
    p.write_text(text)
    return build_file(p, accepted)
