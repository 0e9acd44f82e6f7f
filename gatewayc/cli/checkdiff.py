from __future__ import annotations

import difflib


def tree_diff(current: dict[str, bytes], expected: dict[str, bytes], root: str) -> str:
    """A unified diff from what is on disk to what a build would write."""
    out: list[str] = []
    for path in sorted(set(current) | set(expected)):
        old, new = current.get(path), expected.get(path)
        if old == new:
            continue
        a = (old or b"").decode("utf-8", "replace").splitlines(keepends=True)
        b = (new or b"").decode("utf-8", "replace").splitlines(keepends=True)
        out.extend(difflib.unified_diff(a, b, f"{root}/{path}" if old is not None else "/dev/null",
                                        f"{root}/{path}" if new is not None else "/dev/null"))
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
    return "".join(out)
