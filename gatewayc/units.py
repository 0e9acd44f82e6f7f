"""IR quantities back in the units a spec author writes: 250ms, 15m, 1MB."""
from __future__ import annotations

_UNITS = (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1))


def duration(ms: int | None) -> str:
    """Milliseconds back to the compact spec notation: 250ms, 15m, 1m30s, 1d."""
    if ms is None:
        return "none"
    if ms == 0:
        return "0s"
    out, rest = [], ms
    for unit, size in _UNITS:
        n, rest = divmod(rest, size)
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)


def size(n: int | None) -> str:
    if n is None:
        return "none"
    for unit, s in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n and n % s == 0:
            return f"{n // s}{unit}"
    return f"{n}B"
