"""Where the two specs come from: a file, or `git:REV:path` read from a revision.

For a git reference the whole tree of that revision is materialised into a temporary
directory (`git archive`), so that includes, JSON schemas and JWKS files resolve inside
the same revision; diagnostics are then renamed back to `git:REV:path`.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import replace

from ..diagnostics import Diagnostic, Location
from .model import Side

GIT_PREFIX = "git:"


class SourceError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
        self.side: str | None = None  # "old" or "new", set by run_diff


def parse_git_ref(ref: str) -> tuple[str, str] | None:
    """`git:REV:path` -> (REV, path); None for a plain file path."""
    if not ref.startswith(GIT_PREFIX):
        return None
    rest = ref[len(GIT_PREFIX):]
    rev, sep, path = rest.rpartition(":")
    if not sep or not rev or not path:
        raise SourceError(Diagnostic("GWC008", f"{ref!r} is not a git reference",
                                     hint="write git:REV:path, e.g. git:origin/main:gateway.yml"))
    return rev, path


def _git(args: list[str], cwd: str, binary: bool = False):
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise SourceError(Diagnostic("GWC008", f"cannot run git: {exc.strerror or exc}")) from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(msg[-1] if msg else f"git {' '.join(args)} failed")
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace")


class GitError(Exception):
    pass


def _repo_path(path: str, cwd: str) -> str:
    """A path as git understands `REV:path`: from the top of the repository, except that
    `./x` and `../x` are relative to the current directory (as in `git show`)."""
    if path.startswith(("./", "../")) or path in (".", ".."):
        prefix = _git(["rev-parse", "--show-prefix"], cwd).strip()
        path = os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/")
    return path.lstrip("/")


def materialise(rev: str, path: str, into: str, cwd: str) -> tuple[str, str]:
    """Extract revision `rev` of the repository around `cwd` into `into`; return the
    spec's path there, and the top of the repository."""
    ref = f"git:{rev}:{path}"
    try:
        rel = _repo_path(path, cwd)
        kind = _git(["cat-file", "-t", f"{rev}:{rel}"], cwd).strip()
        if kind != "blob":
            raise GitError(f"{rel} is a {kind} in {rev}, not a file")
        top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
        # from the top: run in a subdirectory, git archive would only pack that subdirectory
        data = _git(["archive", "--format=tar", rev], top, binary=True)
    except GitError as exc:
        raise SourceError(Diagnostic("GWC008", f"cannot read {ref}: {exc}",
                                     hint="REV is any git revision (HEAD, main, a tag, a commit); the path "
                                          "is from the top of the repository, or ./path from here")) from None
    refused: list[tarfile.TarInfo] = []

    def inside(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
        # tarfile's `data` filter; a member it refuses (a link to an absolute path or out of
        # the tree) is not extracted through, but kept aside
        try:
            return tarfile.data_filter(member, dest)
        except tarfile.FilterError:
            refused.append(member)
            return None

    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter=inside)
    _relink(refused, into)
    return os.path.join(into, *rel.split("/")), top


def _relink(refused: list[tarfile.TarInfo], into: str) -> None:
    """Put the links that lead out of the tree back as links, once everything is extracted
    (nothing is written through them): the loader then refuses a spec, include, JWKS or schema
    that is one with the same GWC012 as in a working tree, instead of "cannot read"."""
    root = os.path.realpath(into)
    for member in refused:
        if not member.issym():
            continue
        where = os.path.join(root, *member.name.split("/"))
        parent = os.path.realpath(os.path.dirname(where))
        if (parent == root or parent.startswith(root + os.sep)) and not os.path.lexists(where):
            os.symlink(member.linkname, where)


@contextmanager
def open_side(ref: str, cwd: str | None = None, allow: tuple[str, ...] = ()):
    """Yield a Side for `ref`, with a temporary checkout for git references. `allow`: the
    directories (`--allow-dir`) besides the spec's own that its files may be read from."""
    cwd = cwd or os.getcwd()
    parsed = parse_git_ref(ref)
    if parsed is None:
        yield Side(ref=ref, path=ref, display=ref, allow=tuple(allow))
        return
    rev, path = parsed
    tmp = tempfile.mkdtemp(prefix="gatewayc-diff-")
    try:
        full, top = materialise(rev, path, tmp, cwd)
        yield Side(ref=ref, path=full, display=ref, root=tmp, rev=rev, allow=_in_checkout(allow, cwd, top, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _in_checkout(allow, cwd: str, top: str, tmp: str) -> tuple[str, ...]:
    """The same directories in a revision's checkout: an allowed directory of the working
    tree is allowed at the same place in the revision; one outside the repository is not in
    the checkout at all (the revision side reads nothing but the revision)."""
    top = os.path.realpath(top)
    out = []
    for d in allow:
        real = os.path.realpath(os.path.join(cwd, d))
        if real == top or real.startswith(top + os.sep):
            out.append(os.path.join(tmp, os.path.relpath(real, top)))
    return tuple(out)


def rename(diags: list[Diagnostic], side: Side) -> list[Diagnostic]:
    """Name files of a temporary git checkout as git:REV:path in diagnostics."""
    if side.root is None:
        return diags
    root, rev = side.root, side.rev
    root_abs = os.path.realpath(root)
    prefixes = sorted({root_abs + os.sep, os.path.abspath(root) + os.sep,
                       os.path.relpath(root) + os.sep}, key=len, reverse=True)

    def fix_path(p: str) -> str:
        return rename_path(p, side)

    def fix_text(s: str | None) -> str | None:
        if s is None:
            return s
        for p in prefixes:
            s = s.replace(p, f"git:{rev}:")
        return s

    def fix_loc(loc: Location | None) -> Location | None:
        return None if loc is None else replace(loc, file=fix_path(loc.file))

    return [replace(d, location=fix_loc(d.location), message=fix_text(d.message), hint=fix_text(d.hint),
                    related=tuple((fix_loc(l), fix_text(m)) for l, m in d.related)) for d in diags]


def rename_path(p: str, side: Side) -> str:
    if side.root is None:
        return p
    # the path as named first: a link out of the checkout is still named for where it is
    for root, full in ((os.path.abspath(side.root), os.path.abspath(p)),
                       (os.path.realpath(side.root), os.path.realpath(p))):
        if full == root or full.startswith(root + os.sep):
            return f"git:{side.rev}:" + os.path.relpath(full, root).replace(os.sep, "/")
    return p
