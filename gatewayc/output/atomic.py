"""Replace an output directory atomically.

The new tree is written next to the old one and swapped in with one rename (Linux:
renameat2 RENAME_EXCHANGE), so a build that fails or is killed, even with SIGKILL,
leaves the previous output as it was, and files of removed objects disappear.
"""
from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import shutil
import tempfile

MANIFEST = ".gatewayc-manifest"
_TMP_PREFIX = ".gatewayc-tmp-"


class OutputError(Exception):
    pass


def _exchange(a: str, b: str) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    return fn(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(), RENAME_EXCHANGE) == 0


def manifest(files: dict[str, bytes]) -> bytes:
    return ("".join(f"{p}\n" for p in sorted(files))).encode()


def read_tree(root: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            with open(full, "rb") as fh:
                out[rel] = fh.read()
    return out


def check_owned(out: str) -> None:
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(os.path.join(out, MANIFEST)):
        raise OutputError(f"{out} exists and was not written by gatewayc (no {MANIFEST}); "
                          "refusing to replace it")
    if os.path.exists(out) and not os.path.isdir(out):
        raise OutputError(f"{out} exists and is not a directory")


def with_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    return {**files, MANIFEST: manifest(files)}


@contextlib.contextmanager
def _locked(directory: str):
    """Serialise builds into one parent directory: a second build must neither clean up
    the first one's temp dir nor swap in between."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def replace_dir(out: str, files: dict[str, bytes]) -> None:
    # an `out` that is a symlink (deploy/current -> releases/7) stays a symlink: the directory
    # it points to is the one replaced, as a build into that directory would
    out = os.path.realpath(out)
    parent = os.path.dirname(out)
    try:
        os.makedirs(parent, exist_ok=True)
        with _locked(parent) as parent_fd:
            check_owned(out)
            _replace_locked(out, parent, parent_fd, files)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from None


def _replace_locked(out: str, parent: str, parent_fd: int, files: dict[str, bytes]) -> None:
    prefix = f"{_TMP_PREFIX}{os.path.basename(out)}-"
    _clean_stale(parent, prefix)
    tmp = tempfile.mkdtemp(prefix=prefix, dir=parent)
    os.chmod(tmp, 0o755)
    for rel, content in sorted(with_manifest(files).items()):
        path = os.path.join(tmp, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
    if not os.path.exists(out):
        os.rename(tmp, out)
    elif _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)
    else:  # no renameat2 (not Linux): a short moment without `out`, never a mixed tree
        old = tmp + ".old"
        os.rename(out, old)
        os.rename(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    os.fsync(parent_fd)  # make the rename itself durable


def _clean_stale(parent: str, prefix: str) -> None:
    # leftovers of earlier builds of this same directory that were killed mid-way
    for name in os.listdir(parent):
        if name.startswith(prefix):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
