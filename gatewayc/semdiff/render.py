"""A DiffResult as text (terminal), JSON (machines), Markdown (a PR comment) or GitHub
workflow commands. Pure functions returning strings."""
from __future__ import annotations

import json
import re
from collections import Counter

from ..chars import printable
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
    # spec strings reach the reviewer's terminal: no escape sequence of theirs runs there
    return printable("\n".join(out)) + "\n"


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


# GitHub refuses a comment longer than 65,536 characters; the comment stays below it, with
# room for what a workflow adds around it.
COMMENT_LIMIT = 60_000
SUMMARY_ITEMS = 40  # lines of each summary list; the rest is counted
SUMMARY_WHERE = 8  # places named for a grouped change; the rest is counted
MESSAGE_CHARS = 600  # longest message shown in the summary (the details table shows it whole)

# what can start emphasis, code, a link, math, a mention, strikethrough or a table cell in the
# middle of a line (every spec string is; line-start markers such as `#` or `-` cannot apply)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~@$])")


def md(s: str) -> str:
    """A spec string as Markdown text that shows as written: no HTML (`<!--` would hide the
    rest of the comment), no emphasis, links, mentions or table breaks, one line."""
    s = printable(s, keep="").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def _cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[:n] + f"… ({len(s) - n} more characters)"


def _fence(body: str) -> str:
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return f"{ticks}diff\n{body.rstrip(chr(10))}\n{ticks}"


def _groups(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    """Changes that say the same thing at several places, once: `transforms on GET /a:
    X -> Y` on 60 routes is one line naming the first few routes."""
    groups: dict[tuple, list[Change]] = {}
    for c in changes:
        head, sep, tail = c.message.partition(": ")
        what = head.split(" on ", 1)[0] if sep else c.message
        key = (c.kind, c.action, c.policy, what, tail if sep else c.where)
        groups.setdefault(key, []).append(c)
    out = []
    for (_, _, _, what, tail), members in groups.items():
        if len(members) == 1:
            out.append((members[0].message, members))
        else:
            out.append((f"{what}: {tail}", members))
    return out


def _summary_list(changes: list[Change], items: int, chars: int, where: int, quote: str = "") -> list[str]:
    lines = []
    groups = _groups(changes)
    for text, members in groups[:items]:
        line = f"{quote}- {md(_cut(text, chars))}"
        places = [c.where for c in members if c.where]
        if len(members) > 1 or places:
            shown = ", ".join(md(_cut(p, 80)) for p in places[:where])
            more = len(places) - where
            line += f" ({'on ' if len(members) > 1 else ''}{shown}{f' and {more} more' if more > 0 else ''})"
        lines.append(line)
    if len(groups) > items:
        rest = sum(len(m) for _, m in groups[items:])
        lines.append(f"{quote}- … and {rest} more change{'s' if rest != 1 else ''} "
                     f"({len(groups) - items} more line{'s' if len(groups) - items != 1 else ''} of this summary)")
    return lines


def _title(r: DiffResult) -> str:
    return f"## gatewayc diff: {md(_cut(r.old.display, 200))} → {md(_cut(r.new.display, 200))}"


def _head(r: DiffResult, items: int, chars: int, where: int) -> str:
    out = [_title(r), "", f"**{summary_line(r)}**", ""]
    others = [c for c in r.changes if not c.security]
    if r.security:
        out += ["> [!WARNING]", "> **Auth and exposure changes** (review these first):"]
        out += _summary_list(r.security, items, chars, where, "> ")
        out.append("")
    if others:
        out += ["**Other changes:**", ""] + _summary_list(others, items, chars, where) + [""]
    elif r.targets:
        out += ["No change in meaning; only the generated configuration differs.", ""]
    return "\n".join(out)


def markdown(r: DiffResult, limit: int = COMMENT_LIMIT) -> str:
    """A pull-request comment that always fits `limit` characters: the summary first (auth
    and exposure changes, then the rest, grouped), then as many details as fit, and a count
    of what was left out."""
    if not r.differs:
        out = [_title(r), ""]
        out.append("**No differences**: both specs mean the same"
                   + (f" and generate the same {', '.join(r.targets)} config." if r.targets else "."))
        return "\n".join(out) + "\n"
    # the summary always fits: fewer and shorter lines until it takes at most half the room
    for items, chars, where in ((SUMMARY_ITEMS, MESSAGE_CHARS, SUMMARY_WHERE), (20, 300, 5), (10, 150, 3),
                                (5, 80, 1)):
        head = _head(r, items, chars, where)
        if len(head) <= limit // 2:
            break
    else:  # only names made of characters Markdown must escape get here
        head = head[:limit // 2] + "…\n\n*(summary cut to fit)*\n"
    budget = limit - len(head) - 400  # the footer that counts what was left out
    details: list[str] = []
    rows_left = files_left = 0
    if r.changes:
        table = ["### Changes", "", "| | Where | Change |", "|---|---|---|"]
        rows = []
        for c in r.changes:
            mark = "**!**" if c.security else md(c.marker)
            rows.append(f"| {mark} | {md(c.where)} | {md(c.message)} |")
        used = sum(len(x) + 1 for x in table)
        if used + len(rows[0]) + 1 <= budget:
            kept = []
            for row in rows:
                if used + len(row) + 1 > budget:
                    break
                kept.append(row)
                used += len(row) + 1
            details += table + kept + [""]
            budget -= used + 1
            rows_left = len(rows) - len(kept)
        else:
            rows_left = len(rows)
    if r.targets:
        section = ["### Generated configuration", ""]
        if not r.files:
            section += [f"The generated {', '.join(r.targets)} configuration is identical.", ""]
        blocks = []
        for f in r.files:
            title = f"{md(f.path)} ({f.status}, +{f.added} −{f.removed})"
            if f.diff.count("\n") > DETAILS_OVER:
                blocks.append(["<details>", f"<summary>{title}</summary>", "", _fence(f.diff), "", "</details>", ""])
            else:
                blocks.append([f"#### {title}", "", _fence(f.diff), ""])
        used = sum(len(x) + 1 for x in section)
        for block in blocks:
            size = sum(len(x) + 1 for x in block)
            if used + size > budget:
                files_left += 1
                continue
            section += block
            used += size
        if len(section) > 2 or not r.files:
            details += section
    if rows_left or files_left:
        left = []
        if rows_left:
            left.append(f"{rows_left} of {len(r.changes)} change rows")
        if files_left:
            left.append(f"{files_left} of {len(r.files)} generated file diffs")
        details += ["---", "",
                    f"*Left out to fit a pull-request comment: {' and '.join(left)}. "
                    f"`gatewayc diff` prints everything (`--format json` for tools).*", ""]
    return (head + "\n" + "\n".join(details)).rstrip("\n") + "\n"


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
