from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: object, choices: Iterable[str]) -> str | None:
    choices = sorted(set(choices))
    if isinstance(word, str):
        close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
        if not close:
            lowered = {c.lower(): c for c in choices}
            if word.lower() in lowered:
                close = [lowered[word.lower()]]
        if close:
            return f"did you mean {close[0]!r}?"
    if choices and len(choices) <= 12:
        return "expected one of: " + ", ".join(choices)
    return None
