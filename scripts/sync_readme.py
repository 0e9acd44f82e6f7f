"""Rewrite the README's capability matrix from the backends' declarations."""
from __future__ import annotations

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gatewayc.matrix import matrix_markdown  # noqa: E402

START, END = "<!-- capability-matrix:start -->", "<!-- capability-matrix:end -->"


def render(readme: str) -> str:
    block = f"{START}\n{matrix_markdown()}{END}"
    return re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, readme, flags=re.S)


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text()))
