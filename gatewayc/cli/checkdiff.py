from __future__ import annotations

from ..output.treediff import file_diffs


def tree_diff(current: dict[str, bytes], expected: dict[str, bytes], root: str) -> str:
    """A unified diff from what is on disk to what a build would write."""
    return "".join(text for _, _, text in file_diffs(current, expected, f"{root}/", f"{root}/"))
