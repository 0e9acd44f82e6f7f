"""spec file -> (IR, diagnostics): the one entry point the CLI and tests use."""
from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from ..diagnostics import Diagnostic, DiagnosticBag
from ..ir import IR
from ..loader import load
from ..spec import Spec
from .lower import Lowering
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
    try:
        spec = Spec.model_validate(loaded.tree)
    except ValidationError as exc:
        bag.extend(convert(exc, loaded.tree, Spec))
        return Compiled(None, bag.sorted(), loaded.files)
    if bag.has_errors:  # e.g. duplicate keys: the data is not what the user meant
        return Compiled(None, bag.sorted(), loaded.files)
    lowering = Lowering(spec, loaded.tree, loaded.files[0])
    result = lowering.run()
    bag.extend(lowering.diags)
    return Compiled(result if not bag.has_errors else None, bag.sorted(), loaded.files)
