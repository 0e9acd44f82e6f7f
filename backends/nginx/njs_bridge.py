"""The optional njs half of the backend (njs_policies.py, written separately). When it
is missing or broken at import, everything it would add is simply absent and the
capability table grades its features unsupported."""
from __future__ import annotations

try:
    from . import njs_policies as NJS
except ImportError:  # not written yet, or its own import failed
    NJS = None


def handles(feature: str) -> bool:
    return NJS is not None and bool(NJS.handles(feature))


def call(name: str, *args, default=None):
    if NJS is None or not hasattr(NJS, name):
        return [] if default is None else default
    return getattr(NJS, name)(*args)
