"""nginx's regex engine, PCRE2, asked directly whether it compiles a pattern.

nginx compiles every regex of its configuration with pcre2_compile() and no options but
PCRE2_CASELESS for `~*`; what it refuses (a pattern too large for PCRE2's 64 KiB of
compiled code, groups nested too deeply) stops `nginx -t`. The same library answers here
through ctypes when it is installed (libpcre2-8, a dependency of nginx and of grep on
Debian and Ubuntu); without it the check is skipped and nginx -t stays the judge."""
from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

CASELESS = 0x00000008  # PCRE2_CASELESS


@cache
def _library():
    name = ctypes.util.find_library("pcre2-8")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.pcre2_compile_8.restype = ctypes.c_void_p
    lib.pcre2_compile_8.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32, ctypes.POINTER(ctypes.c_int),
                                    ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p]
    lib.pcre2_code_free_8.argtypes = [ctypes.c_void_p]
    lib.pcre2_get_error_message_8.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t]
    return lib


def available() -> bool:
    return _library() is not None


def compile_error(pattern: str, caseless: bool = False) -> str | None:
    """PCRE2's message if it refuses `pattern` as nginx compiles it, else None (also when
    the library is not installed)."""
    lib = _library()
    if lib is None:
        return None
    data = pattern.encode()
    err, offset = ctypes.c_int(), ctypes.c_size_t()
    code = lib.pcre2_compile_8(data, len(data), CASELESS if caseless else 0, ctypes.byref(err), ctypes.byref(offset),
                               None)
    if code:
        lib.pcre2_code_free_8(code)
        return None
    buf = ctypes.create_string_buffer(256)
    lib.pcre2_get_error_message_8(err.value, buf, len(buf))
    return buf.value.decode("utf-8", "replace")
