"""spec file -> (IR, diagnostics): the one entry point the CLI and tests use."""
from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from ..diagnostics import Diagnostic, DiagnosticBag
from ..ir import IR
from ..loader import load
from ..spec import Spec
from .lower import Lowering
from .salvage import salvage
from .schema_errors import convert


@dataclass
class Compiled:
    ir: IR | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.ir is not None and not any(d.is_error for d in self.diagnostics)


def compile_spec(path: str) -> Compiled:
    bag = DiagnosticBag()
    loaded = load(path)
    bag.extend(loaded.diagnostics)
    if loaded.tree is None:
        return Compiled(None, bag.sorted(), loaded.files)
    salvaged = None
    try:
        spec = Spec.model_validate(loaded.tree)
    except ValidationError as exc:
        bag.extend(convert(exc, loaded.tree, Spec))
        salvaged = salvage(loaded.tree, [tuple(e["loc"]) for e in exc.errors()])
        try:
            spec = Spec.model_validate(salvaged.tree) if salvaged else None
        except ValidationError:
            spec = None
        if spec is None:
            return Compiled(None, bag.sorted(), loaded.files)
    lowering = Lowering(spec, loaded.tree, loaded.files[0], salvaged)
    result = lowering.run()
    bag.extend(lowering.diags)
    return Compiled(result if not bag.has_errors else None, bag.sorted(), loaded.files)
