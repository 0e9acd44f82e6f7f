"""The capability matrix, from the backends' own declarations. The README's matrix is
this module's markdown output between two markers; a test keeps it current."""
from __future__ import annotations

import json

from .capabilities import FEATURES

_MARK = {"native": "yes", "emulated": "emulated", "unsupported": "no"}


def _tables():
    from gatewayc import backends

    return {name: backends.capabilities(name) for name in backends.names()}


def matrix_data() -> dict:
    tables = _tables()
    return {
        "targets": list(tables),
        "features": [
            {"id": f, "description": desc,
             "support": {t: {"level": tables[t][f].level if f in tables[t] else "unsupported",
                             "note": tables[t][f].note if f in tables[t] else "not declared"}
                         for t in tables}}
            for f, desc in FEATURES.items()
        ],
    }


def matrix_json() -> str:
    return json.dumps(matrix_data(), indent=2) + "\n"


def matrix_markdown() -> str:
    data = matrix_data()
    targets = data["targets"]
    lines = ["| feature | id | " + " | ".join(targets) + " |",
             "|---|---|" + "---|" * len(targets)]
    notes: list[str] = []
    for f in data["features"]:
        cells = []
        for t in targets:
            s = f["support"][t]
            cell = _MARK[s["level"]]
            if s["level"] != "native" and s["note"]:
                notes.append(f"{t} / `{f['id']}`: {s['note']}")
                cell += f" [{len(notes)}]"
            cells.append(cell)
        lines.append(f"| {f['description']} | `{f['id']}` | " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"{i}. {n}" for i, n in enumerate(notes, 1)]
    return "\n".join(lines) + "\n"


def matrix_text() -> str:
    data = matrix_data()
    targets = data["targets"]
    width = max(len(f["id"]) for f in data["features"])
    out = [f"{'feature':<{width}}  " + "  ".join(f"{t:<10}" for t in targets)]
    for f in data["features"]:
        out.append(f"{f['id']:<{width}}  " + "  ".join(f"{_MARK[f['support'][t]['level']]:<10}" for t in targets))
    out.append("")
    out.append("`gatewayc targets --format markdown` shows the notes behind every 'emulated' and 'no'.")
    return "\n".join(out) + "\n"
