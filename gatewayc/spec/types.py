"""Scalar types of the spec: each parses user text once, into the unit the IR uses,
and fails with a stable diagnostic code (the PydanticCustomError type) and a hint."""
from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal, Union
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Tag, WithJsonSchema
from pydantic_core import PydanticCustomError

from ..chars import describe, first_unsafe
from ..regex import portability_error, re2_compiler


class Model(BaseModel):
    # strict: YAML 1.2 as the JSON Schema reads it; no "yes"/"on" -> True or "8080" -> 8080
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False, strict=True)


def integral(v: Any) -> Any:
    """A number without a fractional part is an integer, as JSON Schema reads it (its
    `integer` is any such number): `8080.0` is 8080 for the editor and for `validate` alike.
    A boolean is never a number (strict models refuse `true` where an integer is meant)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


# after the bounds in an Annotated (`Annotated[int, Field(ge=1), INTEGRAL]`): before them,
# pydantic leaves the bounds out of the JSON Schema
INTEGRAL = BeforeValidator(integral)


def shown(v: Any) -> str:
    """A value in a message as the spec writes it: `true`, not Python's `True`."""
    return str(v).lower() if isinstance(v, bool) else repr(v)


def fail(code: str, message: str, hint: str | None = None) -> PydanticCustomError:
    return PydanticCustomError(code, message, {"hint": hint} if hint else None)


# --- durations --------------------------------------------------------------
_DUR_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_DUR_RE = re.compile(r"(?:(\d+(?:\.\d+)?)(ms|s|m|h|d))")
DURATION_PATTERN = r"^(\d+(\.\d+)?(ms|s|m|h|d))+$"
DURATION_HINT = "write a number with a unit: 250ms, 3s, 15m, 1h, 1d or 1m30s"


def parse_duration(v: Any) -> int:
    if isinstance(v, str):
        s = v.strip()
        pos, total = 0, 0.0
        for m in _DUR_RE.finditer(s):
            if m.start() != pos:
                break
            total += float(m.group(1)) * _DUR_UNITS[m.group(2)]
            pos = m.end()
        if s and pos == len(s):
            ms = round(total)
            if ms != total:
                raise fail("GWC104", f"duration {v!r} is finer than a millisecond", DURATION_HINT)
            return ms
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        raise fail("GWC104", f"duration {v!r} has no unit", DURATION_HINT)
    raise fail("GWC104", f"{v!r} is not a duration", DURATION_HINT)


Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": ["250ms", "3s", "15m"]}),
]


def parse_positive_duration(v: Any) -> int:
    ms = parse_duration(v)
    if ms <= 0:
        raise fail("GWC104", f"duration {v!r} must be longer than zero", DURATION_HINT)
    return ms


PositiveDuration = Annotated[
    int,
    BeforeValidator(parse_positive_duration),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "examples": ["250ms", "3s", "15m"]}),
]


def parse_ip(v: Any) -> str:
    s = _str(v, "GWC107", "an address")
    try:
        ip = ipaddress.ip_address(s)
    except ValueError:
        raise fail("GWC107", f"{s!r} is not an IP address", "write e.g. 0.0.0.0, 127.0.0.1 or ::") from None
    if "%" in s:  # Python takes any text after it as an IPv6 scope id
        raise fail("GWC107", f"{s!r} has a scope id", "bind the address without `%zone`")
    return str(ip)


IpAddress = Annotated[str, BeforeValidator(parse_ip), WithJsonSchema({"type": "string"})]


def url_text(v: Any) -> str:
    """A URL's text: printable ASCII only. urlsplit drops tabs and line feeds anywhere and
    leading controls and spaces, so what it reads would not be what the gateway gets."""
    s = _str(v, "GWC106", "a URL")
    bad = next((c for c in s if not "!" <= c <= "~"), None)
    if bad is not None:
        what = "a space" if bad == " " else describe(bad)
        raise fail("GWC106", f"URL {s!r} contains {what}", "percent-encode it (a URL is printable ASCII)")
    return s


def parse_https_url(v: Any) -> str:
    s = url_text(v)
    u = urlsplit(s)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise fail("GWC106", f"{s!r} is not an http(s) URL")
    return s


HttpUrl = Annotated[str, BeforeValidator(parse_https_url), WithJsonSchema({"type": "string", "format": "uri"})]

# --- sizes ------------------------------------------------------------------
_SIZE_RE = re.compile(r"^(\d+)\s*(B|KB|KiB|K|MB|MiB|M|GB|GiB|G)?$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
               "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3}
SIZE_HINT = "write bytes or a number with a unit: 512, 10KB, 1MB, 1GB"


def parse_size(v: Any) -> int:
    v = integral(v)
    if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
        return v
    if isinstance(v, str):
        m = _SIZE_RE.match(v.strip())
        if m:
            return int(m.group(1)) * _SIZE_UNITS[(m.group(2) or "").lower()]
    raise fail("GWC105", f"{shown(v)} is not a size", SIZE_HINT)


Size = Annotated[
    int,
    BeforeValidator(parse_size),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0},
                              {"type": "string", "pattern": r"^\d+\s*([KMG]i?B?|B)?$"}]}),
]


# --- strings with a grammar ---------------------------------------------------
def _kind(v: Any) -> str:
    """What was written, in the spec's words (never a Python or loader type name)."""
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return "a number"
    return "a mapping" if isinstance(v, dict) else "a list" if isinstance(v, list) else "a " + type(v).__name__


def _str(v: Any, code: str, what: str) -> str:
    if not isinstance(v, str):
        raise fail("GWC101", f"{what} must be a string, not {_kind(v)}")
    return v


_NAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")


def parse_name(v: Any) -> str:
    s = _str(v, "GWC103", "a name")
    if not _NAME_RE.fullmatch(s):
        raise fail("GWC103", f"{s!r} is not a valid name",
                   "names are 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")
    return s


Name = Annotated[str, BeforeValidator(parse_name), WithJsonSchema({"type": "string", "pattern": _NAME_RE.pattern})]

_PATH_BAD = re.compile(r"[\s\x00-\x1f\x7f?#{};\"'\\]")


def parse_path(v: Any) -> str:
    s = _str(v, "GWC111", "a path")
    if not s.startswith("/"):
        raise fail("GWC111", f"path {s!r} does not start with '/'", f"write '/{s}'")
    unsafe = first_unsafe(s)
    if unsafe is not None:
        raise fail("GWC111", f"path {s!r} contains {describe(unsafe)}", "percent-encode it")
    bad = _PATH_BAD.search(s)
    if bad:
        raise fail("GWC111", f"path {s!r} contains {bad.group()!r}",
                   "paths may not hold whitespace, quotes, braces, ';', '\\', '?' or '#'; percent-encode them")
    if "/../" in s + "/" or "/./" in s + "/" or "//" in s:
        raise fail("GWC111", f"path {s!r} is not normalised", "remove '.', '..' and empty segments")
    return s


# what an editor can check of a path: the characters and the normal form (the format and
# bidi characters of gatewayc.chars are left to gatewayc)
PATH_PATTERN = r"^/(?!.*//)(?!(.*/)?\.\.?(/|$))[^\s\x00-\x1f\x7f?#{};\"'\\]*$"
Path = Annotated[str, BeforeValidator(parse_path), WithJsonSchema({"type": "string", "pattern": PATH_PATTERN})]

def parse_text(v: Any) -> str:
    """Free text that names something (an issuer, a claim, a file): no control, format or
    line separator characters, which would end lines, truncate paths at a NUL, or make the
    text read as something else (bidi overrides)."""
    s = _str(v, "GWC103", "a text")
    unsafe = first_unsafe(s)
    if unsafe is not None:
        raise fail("GWC103", f"{s!r} contains {describe(unsafe)}",
                   "control and formatting characters cannot be carried into a gateway configuration")
    return s


Text = Annotated[str, BeforeValidator(parse_text)]


def parse_file_path(v: Any) -> str:
    s = parse_text(v)
    if not s:
        raise fail("GWC103", "a file reference needs a path")
    return s


FilePath = Annotated[str, BeforeValidator(parse_file_path), WithJsonSchema({"type": "string", "minLength": 1})]

_HEADER_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def parse_header_name(v: Any) -> str:
    s = _str(v, "GWC112", "a header name")
    if not _HEADER_RE.fullmatch(s):
        raise fail("GWC112", f"{s!r} is not a valid header name",
                   "header names are letters, digits and !#$%&'*+-.^_`|~ (no spaces, no ':')")
    return s


HeaderName = Annotated[str, BeforeValidator(parse_header_name),
                       WithJsonSchema({"type": "string", "pattern": _HEADER_RE.pattern})]


def parse_token(v: Any) -> str:
    """An HTTP token (RFC 9110): an auth scheme, a cookie name."""
    s = _str(v, "GWC103", "a token")
    if not _HEADER_RE.fullmatch(s):
        raise fail("GWC103", f"{s!r} is not an HTTP token", "use letters, digits and !#$%&'*+-.^_`|~")
    return s


Token = Annotated[str, BeforeValidator(parse_token), WithJsonSchema({"type": "string", "pattern": _HEADER_RE.pattern})]
_REQUEST_ID_RE = re.compile(r"^[0-9A-Za-z-]+$")


def parse_request_id_header(v: Any) -> str:
    """A header every gateway reads from any client: nginx drops request headers with '_'
    (underscores_in_headers) and names its variables after letters, digits and '-' only."""
    s = parse_header_name(v)
    if not _REQUEST_ID_RE.fullmatch(s):
        raise fail("GWC112", f"{s!r} cannot carry a request id",
                   "use letters, digits and '-': gateways drop or cannot read other request headers")
    return s


RequestIdHeader = Annotated[str, BeforeValidator(parse_request_id_header),
                            WithJsonSchema({"type": "string", "pattern": _REQUEST_ID_RE.pattern})]

_VALUE_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def parse_header_value(v: Any) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = str(v)
    s = _str(v, "GWC103", "a header value")
    if _VALUE_BAD.search(s):
        raise fail("GWC103", "header values may not contain control characters or line breaks",
                   "a line break in a header value would let it inject further headers")
    return s


# a number is taken as its text (`X-Api-Version: 2`), by the schema too
HeaderValue = Annotated[str, BeforeValidator(parse_header_value),
                        WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^[^\x00-\x08\x0a-\x1f\x7f]*$"},
                                                  {"type": "number"}]})]
# query parameter names share the value grammar plus no '&', '=' or spaces
_QUERY_NAME_RE = re.compile(r"^[A-Za-z0-9_.~\-\[\]]+$")


def parse_query_name(v: Any) -> str:
    s = _str(v, "GWC103", "a query parameter name")
    if not _QUERY_NAME_RE.fullmatch(s):
        raise fail("GWC103", f"{s!r} is not a valid query parameter name",
                   "use letters, digits and '_.~-[]'")
    return s


QueryName = Annotated[str, BeforeValidator(parse_query_name),
                      WithJsonSchema({"type": "string", "pattern": _QUERY_NAME_RE.pattern})]

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})*$")


def parse_hostname(v: Any) -> str:
    s = _str(v, "GWC110", "a hostname")
    if not _HOST_RE.fullmatch(s) or len(s) > 253:
        hint = "lowercase it" if _HOST_RE.fullmatch(s.lower()) else \
            "write a DNS name (api.example.com) or a wildcard (*.example.com), without scheme or port"
        raise fail("GWC110", f"{s!r} is not a valid hostname", hint)
    return s


Hostname = Annotated[str, BeforeValidator(parse_hostname), WithJsonSchema({"type": "string", "pattern": _HOST_RE.pattern})]

def _re2_error(s: str) -> str | None:
    """RE2 is what Envoy and Traefik (Go regexp) run; gatewayc.regex refuses the few RE2
    constructs a PCRE target (NGINX, Kong) rejects or reads differently."""
    compile_, opts = re2_compiler()
    rx = compile_(s.encode("utf-8"), opts)
    if rx.ok():
        return None
    msg = rx.error()
    return msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)


_REGEX_HINTS = (
    # (start of RE2's message, advice that fits that mistake)
    ("missing )", "a group is not closed: add the `)`, or write `\\(` for a literal parenthesis"),
    ("unexpected )", "a `)` closes no group: remove it, or write `\\)` for a literal parenthesis"),
    ("missing ]", "a character class is not closed: add the `]`, or write `\\[` for a literal bracket"),
    ("no argument for repetition", "a `*`, `+` or `?` repeats nothing here: write `\\*` for the character, "
                                   "or `.*` for any text"),
    ("bad repetition", "two repetitions follow each other: write one, e.g. `a*` rather than `a**`"),
    ("invalid repetition size", "a `{n,m}` repetition needs n <= m <= 1000"),
    ("invalid escape", "RE2 has no backreferences (`\\1`) and fewer escapes than PCRE: match the text itself"),
    ("invalid perl operator", "RE2 has no lookaround (`(?=`, `(?!`, `(?<=`) or conditionals: match the text itself, "
                              "or use a header/query match next to the path"),
    ("invalid named capture", "write a named group as `(?P<name>...)`"),
)


def _regex_hint(err: str) -> str:
    for start, hint in _REGEX_HINTS:
        if err.startswith(start):
            return hint
    return "gateways use RE2/PCRE: no backreferences, lookaround, conditionals or inline flags like (?x)"


def parse_regex(v: Any) -> str:
    s = _str(v, "GWC108", "a regular expression")
    if "\n" in s or "\r" in s:
        raise fail("GWC108", "a regex may not contain a line break")
    unsafe = first_unsafe(s)
    if unsafe is not None:
        raise fail("GWC108", f"regex {s!r} contains {describe(unsafe)}",
                   f"write it as an escape: \\x{{{ord(unsafe):x}}}")
    err = _re2_error(s)
    if err is not None:
        raise fail("GWC108", f"regex {s!r} is not valid RE2: {err}", _regex_hint(err))
    unportable = portability_error(s)
    if unportable is not None:
        what, hint = unportable
        raise fail("GWC108", f"regex {s!r} uses {what}, which not every gateway accepts or reads the same way", hint)
    return s


Regex = Annotated[str, BeforeValidator(parse_regex), WithJsonSchema({"type": "string", "format": "regex"})]


def parse_cidr(v: Any) -> str:
    s = _str(v, "GWC107", "an address")
    try:
        return str(ipaddress.ip_network(s, strict=True))
    except ValueError as exc:
        raise fail("GWC107", f"{s!r} is not an IP address or CIDR block: {exc}") from None


Cidr = Annotated[str, BeforeValidator(parse_cidr), WithJsonSchema({"type": "string"})]


def parse_upstream_url(v: Any) -> str:
    s = url_text(v)
    try:
        u = urlsplit(s)
        port = u.port
    except ValueError as exc:
        raise fail("GWC106", f"{s!r} is not a valid URL: {exc}") from None
    if u.scheme not in ("http", "https"):
        raise fail("GWC106", f"URL {s!r} must use http or https", "write e.g. http://127.0.0.1:3001")
    if not u.hostname:
        raise fail("GWC106", f"URL {s!r} has no host")
    # the separators, not what follows them: urlsplit reads `x#` and `x?` as no fragment, no
    # query, and every target would drop the `#` or `?` (a fragment is never sent to a server)
    if "?" in s or "#" in s or "@" in u.netloc:
        raise fail("GWC106", f"URL {s!r} may not carry a query, fragment or credentials",
                   "credentials belong in a secret reference, queries in a transform; a fragment is never "
                   "sent to a server: remove the '#' and what follows")
    if u.path not in ("", "/"):
        parse_path(u.path)
    host = u.hostname
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOST_RE.fullmatch(host) or host.startswith("*"):
            raise fail("GWC106", f"URL {s!r} has an invalid host {host!r}") from None
    del port
    return s


UpstreamUrl = Annotated[str, BeforeValidator(parse_upstream_url),
                        WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://[^/?#@]+(/[^?#]*)?$"})]

Method = Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"]


def upper(v: Any) -> Any:
    return v.upper() if isinstance(v, str) else v


MethodName = Annotated[Method, BeforeValidator(upper)]


def parse_status(v: Any) -> int:
    v = integral(v)
    if isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 599:
        return v
    raise fail("GWC114", f"{shown(v)} is not an HTTP status code", "use a number from 100 to 599")


Status = Annotated[int, BeforeValidator(parse_status), WithJsonSchema({"type": "integer", "minimum": 100, "maximum": 599})]

JsonValue = Any


def parse_error_status(v: Any) -> int:
    """A status the gateway answers with itself: 400-599. YAML reads `502:` as a number, JSON
    object keys are strings, so both are taken."""
    if isinstance(v, str) and re.fullmatch(r"[0-9]{3}", v):
        v = int(v)
    if isinstance(v, int) and not isinstance(v, bool) and 400 <= v <= 599:
        return v
    raise fail("GWC114", f"{shown(v)} is not an error status", "use a number from 400 to 599")


ErrorStatus = Annotated[int, BeforeValidator(parse_error_status),
                        WithJsonSchema({"type": "string", "pattern": "^[45][0-9][0-9]$"})]


# --- on/off toggles -----------------------------------------------------------
# A policy inherited from a wider level is switched off with `false`. The tags start
# with '§' so that diagnostics can drop them from error locations.
TAG_ON, TAG_OFF = "§on", "§off"


def _toggle(v: Any) -> str:
    return TAG_OFF if v is False else TAG_ON


def Toggle(model: type) -> Any:  # noqa: N802 - reads like a type
    return Annotated[
        Union[Annotated[model, Tag(TAG_ON)], Annotated[Literal[False], Tag(TAG_OFF)]],
        Discriminator(_toggle),
    ]


def exactly_one(obj: BaseModel, fields: tuple[str, ...], what: str) -> None:
    present = [f for f in fields if getattr(obj, f) is not None]
    if len(present) != 1:
        choices = ", ".join(f"`{f}`" for f in fields)
        if present:
            raise fail("GWC113", f"{what} takes exactly one of {choices}; found {', '.join(present)}")
        raise fail("GWC113", f"{what} needs one of {choices}")
