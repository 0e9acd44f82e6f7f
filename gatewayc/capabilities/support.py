from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["native", "emulated", "unsupported"]


@dataclass(frozen=True, slots=True)
class Support:
    level: Level
    note: str = ""


def native(note: str = "") -> Support:
    return Support("native", note)


def emulated(note: str) -> Support:
    return Support("emulated", note)


def unsupported(note: str) -> Support:
    return Support("unsupported", note)
