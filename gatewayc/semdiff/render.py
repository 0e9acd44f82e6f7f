"""A DiffResult as text (terminal), JSON (machines), Markdown (a PR comment) or GitHub
workflow commands. Pure functions returning strings."""
from __future__ import annotations

import json
from collections import Counter

from .model import Change, DiffResult

DETAILS_OVER = 40  # config diffs longer than this many lines are collapsed in Markdown


def summary_line(r: DiffResult) -> str:
    if not r.differs:
        return "no differences"
    parts = []
    n = len(r.changes)
    if n:
        parts.append(f"{n} change{'s' if n != 1 else ''}")
        sec = len(r.security)
        if sec:
            parts.append(f"{sec} security-relevant")
        counts = Counter(c.action for c in r.changes)
        parts.extend(f"{counts[a]} {a}" for a in ("added", "removed", "changed") if counts[a])
    elif r.targets:
        parts.append("no change in meaning")
    if r.targets:
        f = len(r.files)
        parts.append(f"{f} generated file{'s' if f != 1 else ''} differ{'s' if f == 1 else ''}")
    return ", ".join(parts)


def _line(c: Change) -> str:
    head = f"{c.marker} SECURITY: " if c.security else f"{c.marker} "
    where = f"  [{c.where}]" if c.where else ""
    return f"{head}{c.message}{where}"


def text(r: DiffResult) -> str:
    out = [f"gatewayc diff {r.old.display} -> {r.new.display}"]
    for c in r.changes:
        out.append(_line(c))
    if r.targets and r.files:
        for f in r.files:
            out.append("")
            out.append(f.diff.rstrip("\n"))
    if r.changes or r.files:
        out.append("")
    out.append(summary_line(r))
    return "\n".join(out) + "\n"


def as_dict(r: DiffResult) -> dict:
    return {
        "ok": True,
        "old": r.old.display,
        "new": r.new.display,
        "differs": r.differs,
        "summary": {
            "changes": len(r.changes),
            "security": len(r.security),
            "added": sum(1 for c in r.changes if c.action == "added"),
            "removed": sum(1 for c in r.changes if c.action == "removed"),
            "changed": sum(1 for c in r.changes if c.action == "changed"),
            "files": len(r.files),
        },
        "changes": [c.as_dict() for c in r.changes],
        "targets": sorted(r.targets),
        "files": [{"path": f.path, "status": f.status, "added_lines": f.added, "removed_lines": f.removed,
                   "diff": f.diff} for f in r.files],
    }


def to_json(r: DiffResult, **extra) -> str:
    return json.dumps({**as_dict(r), **extra}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _cell(s: str) -> str:
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "\\`")


def _fence(body: str) -> str:
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}diff\n{body.rstrip(chr(10))}\n{ticks}"


def markdown(r: DiffResult) -> str:
    out = [f"## gatewayc diff: `{r.old.display}` → `{r.new.display}`", ""]
    if not r.differs:
        out.append("**No differences**: both specs mean the same"
                   + (f" and generate the same {', '.join(r.targets)} config." if r.targets else "."))
        return "\n".join(out) + "\n"
    out.append(f"**{summary_line(r)}**")
    out.append("")
    if r.security:
        out += ["> [!WARNING]", "> **Security-relevant changes** (review these first):"]
        out += [f"> - {c.message}" for c in r.security]
        out.append("")
    if r.changes:
        out += ["### Changes", "", "| | Where | Change |", "|---|---|---|"]
        for c in r.changes:
            mark = "**!**" if c.security else c.marker
            where = f"`{_cell(c.where)}`" if c.where else ""
            out.append(f"| {mark} | {where} | {_cell(c.message)} |")
        out.append("")
    elif r.targets:
        out += ["No change in meaning; only the generated configuration differs.", ""]
    if r.targets:
        out += ["### Generated configuration", ""]
        if not r.files:
            out += [f"The generated {', '.join(r.targets)} configuration is identical.", ""]
        for f in r.files:
            title = f"`{f.path}` ({f.status}, +{f.added} −{f.removed})"
            lines = f.diff.count("\n")
            if lines > DETAILS_OVER:
                out += ["<details>", f"<summary>{title}</summary>", "", _fence(f.diff), "", "</details>", ""]
            else:
                out += [f"#### {title}", "", _fence(f.diff), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _gh(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def github(r: DiffResult) -> str:
    """Workflow commands: security changes as warnings, others as notices, at the spec line."""
    out = []
    for c in r.changes:
        props = []
        if c.location and c.location.line > 0 and not c.location.file.startswith("git:"):
            props += [f"file={_gh(c.location.file, True)}", f"line={c.location.line}"]
        props.append(f"title={_gh('gatewayc diff: security' if c.security else 'gatewayc diff', True)}")
        out.append(f"::{'warning' if c.security else 'notice'} {','.join(props)}::{_gh(c.message)}")
    out.append(f"gatewayc diff {r.old.display} -> {r.new.display}: {summary_line(r)}")
    for f in r.files:
        out.append(f"::group::{f.path}")
        out.append(f.diff.rstrip("\n"))
        out.append("::endgroup::")
    return "\n".join(out) + "\n"
