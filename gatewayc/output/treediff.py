"""Unified diffs between two generated trees ({relative path: bytes})."""
from __future__ import annotations

import difflib
from collections.abc import Iterator


def file_diffs(old: dict[str, bytes], new: dict[str, bytes], old_label: str = "a/",
               new_label: str = "b/") -> Iterator[tuple[str, str, str]]:
    """(path, status, unified diff) for every file that differs, sorted by path; status
    is added / removed / changed. Labels prefix the paths in the diff headers."""
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        la = (a or b"").decode("utf-8", "replace").splitlines(keepends=True)
        lb = (b or b"").decode("utf-8", "replace").splitlines(keepends=True)
        lines = difflib.unified_diff(la, lb, f"{old_label}{path}" if a is not None else "/dev/null",
                                     f"{new_label}{path}" if b is not None else "/dev/null")
        text = "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines)
        yield path, ("added" if a is None else "removed" if b is None else "changed"), text
