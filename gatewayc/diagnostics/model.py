from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A 1-based position in a source file (paths are kept as the user gave them)."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    location: Location | None = None
    hint: str | None = None
    severity: Severity | None = None  # None: the code's default severity
    related: tuple[tuple[Location, str], ...] = ()
    # where the line shown under the message holds an inline secret: the renderer masks
    # the value at each of these positions (never printed, whatever the diagnostic is about)
    masked: tuple[Location, ...] = ()
    # False for a file the user did not allow gatewayc to read: its lines are never shown
    show_source: bool = True

    @property
    def effective_severity(self) -> Severity:
        if self.severity is not None:
            return self.severity
        from .codes import CODES

        code = CODES.get(self.code)
        return code.severity if code else Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.effective_severity is Severity.ERROR

    def sort_key(self) -> tuple:
        loc = self.location or Location("", 0, 0)
        return (loc.file, loc.line, loc.col, self.code, self.message)


def mask_secrets(diags, secrets) -> list:
    """Attach to each diagnostic the inline secrets on the source line it would show."""
    by_line: dict[tuple[str, int], list[Location]] = {}
    for loc in secrets:
        by_line.setdefault((loc.file, loc.line), []).append(loc)
    out = []
    for d in diags:
        found = by_line.get((d.location.file, d.location.line)) if d.location else None
        out.append(replace(d, masked=tuple(sorted(set(found) | set(d.masked)))) if found else d)
    return out


@dataclass(slots=True)
class DiagnosticBag:
    """Collects diagnostics; de-duplicates identical ones (a shared YAML anchor can
    trigger the same error at one position several times)."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def add(self, diag: Diagnostic) -> None:
        key = (diag.code, diag.message, diag.location)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(diag)

    def extend(self, diags) -> None:
        for d in diags:
            self.add(d)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)
