"""The result types of a semantic diff. Plain data: rendering lives in render.py."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..diagnostics import Diagnostic, Location

Action = Literal["added", "removed", "changed"]
Kind = Literal["gateway", "listener", "route", "policy", "auth", "service", "other"]


@dataclass(frozen=True)
class Change:
    """One difference between two specs, in words a reviewer understands.

    `security` marks changes that can open access (auth removed, weakened or replaced,
    an IP filter loosened, TLS removed from a listener); they are listed first.
    """

    kind: Kind
    action: Action
    message: str
    gateway: str | None = None
    route: str | None = None
    service: str | None = None
    policy: str | None = None  # policy kind for kind == "policy"/"auth"
    security: bool = False
    old: Any = None  # short descriptions, JSON-safe
    new: Any = None
    location: Location | None = None  # where in the new spec (the old one for removals)

    @property
    def where(self) -> str:
        if self.route is not None:
            return f"{self.gateway}/{self.route}"
        if self.service is not None:
            return f"service {self.service}"
        if self.gateway is not None:
            return f"gateway {self.gateway}"
        return ""

    @property
    def marker(self) -> str:
        if self.security:
            return "!"
        return {"added": "+", "removed": "-", "changed": "~"}[self.action]

    def sort_key(self) -> tuple:
        # security first (removed, then changed, then added), then by place and words
        sec = (0 if self.security else 1,
               {"removed": 0, "changed": 1, "added": 2}[self.action] if self.security else 0)
        return (*sec, self.gateway is None, self.gateway or "", self.route or "", self.service or "",
                _KIND_ORDER[self.kind], self.message)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "action": self.action, "message": self.message,
            "gateway": self.gateway, "route": self.route, "service": self.service,
            "policy": self.policy, "security": self.security, "old": self.old, "new": self.new,
            "where": self.where,
            "location": None if self.location is None else
            {"file": self.location.file, "line": self.location.line, "column": self.location.col},
        }


_KIND_ORDER = {"gateway": 0, "listener": 1, "route": 2, "auth": 3, "policy": 4, "service": 5, "other": 6}


@dataclass(frozen=True)
class FileDiff:
    """One generated file that differs between the two builds."""

    path: str  # "<target>/<file>"
    status: Literal["added", "removed", "changed"]
    diff: str  # unified diff text, LF-terminated
    added: int = 0
    removed: int = 0


@dataclass
class Side:
    """One spec of the comparison: where it came from and what compiling it gave."""

    ref: str  # as the user wrote it: a path or git:REV:path
    path: str  # the file compiled (inside a temporary checkout for git refs)
    display: str  # how diagnostics and headers name it
    ir: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: dict[str, bytes] | None = None  # generated files when targets were asked for
    root: str | None = None  # the temporary checkout of a git reference
    rev: str | None = None  # the git revision of a git reference
    allow: tuple[str, ...] = ()  # directories besides the spec's own its files may be read from

    @property
    def ok(self) -> bool:
        return self.ir is not None and not any(d.is_error for d in self.diagnostics)


@dataclass
class DiffResult:
    old: Side
    new: Side
    changes: list[Change] = field(default_factory=list)
    files: list[FileDiff] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.old.ok and self.new.ok

    @property
    def differs(self) -> bool:
        return bool(self.changes or self.files)

    @property
    def security(self) -> list[Change]:
        return [c for c in self.changes if c.security]
