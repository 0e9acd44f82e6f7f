"""Durations in Traefik's syntax (Go time.ParseDuration; a bare integer would mean seconds)."""
from __future__ import annotations


def go_duration(ms: int) -> str:
    if ms % 3_600_000 == 0:
        return f"{ms // 3_600_000}h"
    if ms % 60_000 == 0:
        return f"{ms // 60_000}m"
    if ms % 1000 == 0:
        return f"{ms // 1000}s"
    return f"{ms}ms"
