"""spec file -> (IR, diagnostics): the one entry point the CLI and tests use."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from pydantic import ValidationError

from ..diagnostics import Diagnostic, DiagnosticBag, Location, mask_secrets
from ..ir import IR
from ..loader import load, outside
from ..spec import Spec
from .lower import Lowering
from .salvage import salvage
from .schema_errors import convert, secret_positions


@dataclass
class Compiled:
    ir: IR | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # the IR of what is valid even when there are errors (parts with errors left out): what
    # the capability preflight grades, so that one run also reports every target's refusals
    partial: IR | None = None
    # where inline secrets were written (refused): every later diagnostic masks them too
    secrets: list[Location] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.ir is not None and not any(d.is_error for d in self.diagnostics)


def compile_spec(path: str, allow=()) -> Compiled:
    """`allow`: directories besides the spec's own that includes, JWKS and schema files may be in."""
    bag = DiagnosticBag()
    loaded = load(path, allow)
    bag.extend(loaded.diagnostics)
    if loaded.tree is None:
        return Compiled(None, bag.sorted(), loaded.files)
    salvaged = None
    secrets: list = []
    try:
        spec = Spec.model_validate(loaded.tree)
    except ValidationError as exc:
        bag.extend(convert(exc, loaded.tree, Spec))
        secrets = secret_positions(exc.errors(include_url=False), loaded.tree, Spec)
        salvaged = salvage(loaded.tree, exc.errors(include_url=False), Spec)
        if salvaged is None:
            return Compiled(None, mask_secrets(bag.sorted(), secrets), loaded.files, secrets=secrets)
        spec = salvaged.spec
    lowering = Lowering(spec, salvaged.tree if salvaged else loaded.tree, loaded.files[0], salvaged, loaded.roots)
    result = lowering.run()
    bag.extend(lowering.diags)
    ok = not bag.has_errors
    return Compiled(result if ok else None, _hide_outside(mask_secrets(bag.sorted(), secrets), loaded.roots),
                    loaded.files, partial=result, secrets=secrets)


def _hide_outside(diags: list[Diagnostic], roots) -> list[Diagnostic]:
    """No line of a file outside the allowed directories is ever shown (none is read: this
    keeps it so should a location point there all the same)."""
    return [replace(d, show_source=False) if d.location and d.show_source and outside(d.location.file, roots)
            else d for d in diags]
