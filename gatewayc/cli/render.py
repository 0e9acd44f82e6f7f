"""Render diagnostics as text (with a source snippet), JSON or GitHub workflow commands."""
from __future__ import annotations

import json
import os

from ..chars import printable
from ..diagnostics import Diagnostic, Location


def _source_line(loc: Location, cache: dict) -> str | None:
    if loc.file not in cache:
        try:
            with open(loc.file, "rb") as fh:
                cache[loc.file] = fh.read().decode("utf-8", "replace").splitlines()
        except OSError:
            cache[loc.file] = None
    lines = cache[loc.file]
    if lines is None or not 0 < loc.line <= len(lines):
        return None
    return lines[loc.line - 1]


def _underline(line: str, col: int) -> int:
    """Width of the YAML token starting at col: a quoted string up to its closing quote;
    otherwise up to a key's ': ', a flow ',', ']' or '}', a ' #' comment or the line end."""
    rest = line[col - 1:]
    if rest[:1] in ("'", '"'):
        quote, i = rest[0], 1
        while i < len(rest):
            if quote == '"' and rest[i] == "\\":
                i += 2
                continue
            if rest[i] == quote:
                if quote == "'" and rest[i + 1:i + 2] == "'":  # '' inside single quotes
                    i += 2
                    continue
                return i + 1
            i += 1
        return max(len(rest), 1)
    if rest[:1] in ("[", "{", "#", " ", "\t", "") or rest[:2] in ("- ", "-"):
        return 1  # a flow collection's bracket, a block list's dash, a comment, whitespace
    n = 0
    while n < len(rest):
        ch = rest[n]
        if n and (ch in ",]}\t" or (ch == ":" and rest[n + 1:n + 2] in ("", " ", "\t"))
                  or (ch == "#" and rest[n - 1] == " ")):
            break
        n += 1
    return max(len(rest[:n].rstrip()), 1)


_MAX_SHOWN = 100  # longest source line shown whole; longer ones are cut around the column


def _window(line: str, col: int, width: int) -> tuple[str, int, int]:
    """(shown text, column in it, underline width) for a possibly very long source line."""
    if len(line) <= _MAX_SHOWN:
        return line, col, width
    start = max(0, col - 1 - 40)
    end = start + _MAX_SHOWN
    shown = ("..." if start else "") + line[start:end] + ("..." if end < len(line) else "")
    col = col - start + (3 if start else 0)
    width = min(width, len(shown) - col + 1 - (3 if end < len(line) else 0))
    return shown, col, max(width, 1)


_MASK = "***"


def _masked(line: str, col: int, secrets) -> tuple[str, int]:
    """The line with each inline secret on it replaced by ***, and the column moved with it."""
    for loc in sorted(secrets, key=lambda s: s.col, reverse=True):
        width = _underline(line, loc.col)
        line = line[:loc.col - 1] + _MASK + line[loc.col - 1 + width:]
        if col > loc.col:
            col = max(loc.col, col + len(_MASK) - width)
    return line, col


def text(diags: list[Diagnostic], color: bool = False) -> str:
    if color:  # rich only where colour is asked for: a plain run does not pay its import
        from rich.markup import escape

    cache: dict = {}
    out: list[str] = []
    styles = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
    for d in diags:
        sev = d.effective_severity.value
        where = printable(f"{d.location}: ") if d.location else ""
        head = f"{sev}[{d.code}]"
        message = printable(d.message)
        if color:
            out.append(f"[bold]{escape(where)}[/bold][{styles[sev]}]{head}[/]: {escape(message)}")
        else:
            out.append(f"{where}{head}: {message}")
        if d.location and d.location.line > 0 and d.show_source:
            line = _source_line(d.location, cache)
            if line is not None:
                num = str(d.location.line)
                gutter = " " * len(num)
                raw, col = _masked(line.replace("\t", " "), d.location.col, d.masked)
                # a control or bidi character of the file is shown escaped, the caret moved with it
                before = printable(raw[:col - 1])
                shown, col = before + printable(raw[col - 1:]), len(before) + 1
                shown, col, width = _window(shown, col, _underline(shown, col))
                caret = " " * (col - 1) + "^" * width
                for row in (f"{gutter} |", f"{num} | {shown}", f"{gutter} | {caret}"):
                    out.append(escape(row) if color else row)
        for loc, msg in d.related:
            row = printable(f"  = note: {msg} at {loc}")
            out.append(escape(row) if color else row)
        if d.hint:
            row = printable(f"  = hint: {d.hint}")
            out.append(escape(row) if color else row)
    return "\n".join(out)


def as_dict(d: Diagnostic) -> dict:
    loc = d.location
    return {
        "code": d.code,
        "severity": d.effective_severity.value,
        "message": d.message,
        "file": loc.file if loc else None,
        "line": loc.line if loc else None,
        "column": loc.col if loc else None,
        "hint": d.hint,
        "related": [{"file": r.file, "line": r.line, "column": r.col, "message": m} for r, m in d.related],
    }


def json_report(diags: list[Diagnostic], **extra) -> str:
    return json.dumps({"diagnostics": [as_dict(d) for d in diags], **extra}, indent=2, ensure_ascii=False)


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def github(diags: list[Diagnostic]) -> str:
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    out = []
    for d in diags:
        props = []
        if d.location:
            props += [f"file={_gh_escape(d.location.file, True)}", f"line={d.location.line}",
                      f"col={d.location.col}"]
        props.append(f"title={_gh_escape(d.code, True)}")
        msg = d.message + (f"\n{d.hint}" if d.hint else "")
        out.append(f"::{kinds[d.effective_severity.value]} {','.join(props)}::{_gh_escape(msg)}")
    return "\n".join(out)


def summary(diags: list[Diagnostic]) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    for d in diags:
        counts[d.effective_severity.value] += 1
    parts = [f"{n} {k}{'s' if n != 1 else ''}" for k, n in counts.items() if n and k != "info"]
    return ", ".join(parts) if parts else "no problems"


def use_color(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
