"""The stable diagnostic codes. A code, once published, keeps its meaning forever;
retired codes stay listed so `gatewayc explain` still answers for them."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Severity


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

_TABLE = [
    # -- reading files ---------------------------------------------------------
    ("GWC001", "yaml-syntax", _E, "The file is not valid YAML.",
     "The YAML parser stopped at the position shown. Common causes: a tab used for indentation, "
     "a missing space after ':', an unclosed quote or bracket. Nothing after that position was checked."),
    ("GWC002", "duplicate-key", _E, "A mapping has the same key twice.",
     "YAML parsers disagree on which value wins when a key repeats, so gatewayc refuses it. "
     "Keep one of the two entries."),
    ("GWC003", "not-utf8", _E, "The file is not UTF-8 text.",
     "Specs must be UTF-8 (a BOM is allowed). Re-save the file as UTF-8."),
    ("GWC004", "empty-file", _E, "The file holds no YAML document.",
     "A spec needs at least `version: 1`. An include file needs at least one of its sections."),
    ("GWC005", "top-level-type", _E, "The document is not a mapping.",
     "The top of a spec is a mapping with keys such as `version`, `services` and `gateways`."),
    ("GWC006", "alias-expansion", _E, "YAML aliases expand to too many nodes (a 'YAML bomb').",
     "Anchors and aliases (&a / *a) are allowed, but the expanded document may hold at most "
     "1,000,000 nodes. Write the data out, or share less."),
    ("GWC007", "nesting-too-deep", _E, "The document is nested too deeply.",
     "No part of a spec needs more than 64 levels of nesting; deeper input is refused before it can exhaust memory."),
    ("GWC008", "file-unreadable", _E, "A spec or include file cannot be read.",
     "Check the path: includes are resolved relative to the file that names them."),
    ("GWC009", "include-cycle", _E, "Files include each other in a cycle.",
     "Each file may be included once. Remove one of the includes named in the message."),
    ("GWC010", "unsupported-yaml", _E, "The YAML uses a feature specs do not allow.",
     "Specs are one YAML document without custom tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq are fine)."),
    ("GWC011", "spec-version", _E, "The spec version is missing or unsupported.",
     "Start the main spec with `version: 1`. Include files may omit it."),
    ("GWC012", "file-outside-spec-dir", _E, "A file the spec names is outside the spec's directory.",
     "Included specs, JWKS files and JSON Schema files are read only from the directory of the spec given on the "
     "command line (and below it), so that a spec cannot pull other files of the machine into diagnostics, CI logs "
     "or generated configuration. The file is not opened. Move it under the spec's directory, or allow its "
     "directory with `--allow-dir DIR` (a command-line flag, never a spec setting: a spec cannot grant itself "
     "access). Symbolic links are resolved before the check."),
    # -- command line ------------------------------------------------------------
    ("GWC015", "unavailable-form", _E, "The target has no output form of that name.",
     "`--form full` writes a runnable configuration for every target; `--form include` writes a snippet to "
     "include in an existing configuration, and only targets that have such a form (NGINX) accept it."),
    # -- shape -------------------------------------------------------------------
    ("GWC100", "unknown-field", _E, "A field is not part of the spec.",
     "The field is not known at this place. Check its spelling (the hint suggests the closest known field) "
     "and its indentation; `gatewayc schema` prints every field."),
    ("GWC101", "wrong-type", _E, "A value has the wrong type.",
     "The value does not have the type the field takes (string, number, list, mapping...). "
     "`gatewayc schema` gives each field's type."),
    ("GWC102", "missing-field", _E, "A required field is missing.", "Add the field named in the message."),
    ("GWC103", "invalid-value", _E, "A value is outside what the field accepts.",
     "The value is of the right type but not allowed here: not one of the listed choices, or out of range."),
    ("GWC104", "bad-duration", _E, "A duration cannot be read.",
     "Durations are a number with a unit: `250ms`, `3s`, `15m`, `1h`, `1d`, or combinations such as `1m30s`. "
     "A bare number is not accepted because its unit would be a guess."),
    ("GWC105", "bad-size", _E, "A size cannot be read.",
     "Sizes are a number of bytes or a number with a unit: `512`, `10KB`, `1MB`, `1GB` (KB=1024 bytes; KiB is accepted too)."),
    ("GWC106", "bad-url", _E, "A URL cannot be used.",
     "Upstream URLs are `http://host:port` or `https://host[:port]` with an optional base path, no query or fragment."),
    ("GWC107", "bad-cidr", _E, "An IP address or CIDR block cannot be read.",
     "Use an address (`10.0.0.1`, `::1`) or a CIDR block (`10.0.0.0/8`) with no host bits set."),
    ("GWC108", "bad-regex", _E, "A regular expression does not compile or uses a construct gateways disagree on.",
     "Path and header regexes must be RE2-compatible (no backreferences or lookaround), since Envoy and Traefik use RE2, "
     "must not contain newlines, and must avoid the few RE2 constructs a PCRE gateway (NGINX, Kong) refuses or reads "
     "differently, such as `\\Q...\\E` or `{,n}` (docs/spec.md, section 4, lists them)."),
    ("GWC109", "inline-secret", _E, "A secret is written inline.",
     "Secret fields take a reference, never a value: `{env: NAME}` reads an environment variable of the gateway "
     "process, `{file: path}` a file on the gateway host. Inline values would end up in generated files and in git."),
    ("GWC110", "bad-hostname", _E, "A hostname cannot be used.",
     "Hostnames are lowercase DNS names (`api.example.com`) or a leading wildcard label (`*.example.com`); no port, no scheme."),
    ("GWC111", "bad-path", _E, "A path cannot be used.",
     "Paths start with `/` and hold no whitespace, control characters, `?`, `#`, or `..` segments."),
    ("GWC112", "bad-header-name", _E, "A header name cannot be used.",
     "Header names are HTTP tokens: letters, digits and !#$%&'*+-.^_`|~ ."),
    ("GWC113", "exclusive-fields", _E, "Fields that exclude each other are set together, or none of a required set is.",
     "Some mappings take exactly one of several fields (for example a path match is one of `exact`, `prefix`, `regex`). "
     "The message names the choices."),
    ("GWC114", "bad-status", _E, "An HTTP status code is not valid here.",
     "Statuses are numbers from 100 to 599; redirects take 301, 302, 303, 307 or 308."),
    ("GWC115", "literal-glob", _W, "A path holds `*`, which is matched literally.",
     "Path matches are exact text or whole-segment prefixes; no gateway reads `*` in them as a wildcard, so "
     "`/api/users/*` matches only a request for that very path, star included. To match everything under a path, "
     "write the prefix without the star (`prefix: /api/users`); for other patterns, use `regex:`."),
    # -- meaning -----------------------------------------------------------------
    ("GWC200", "dangling-reference", _E, "A name refers to something that does not exist.",
     "A route names a service, or a policy `use:` names a policy set, that is not defined. The hint lists close names."),
    ("GWC201", "duplicate-name", _E, "Two things of the same kind have the same name.",
     "Names identify services, routes, gateways and policy sets, and the generated configuration derives ids from them, "
     "so they must be unique (route names within a gateway)."),
    ("GWC202", "route-conflict", _E, "Two routes have exactly the same match but different actions.",
     "Gateways would pick one of them by accident of ordering. Make the matches differ, or delete one route."),
    ("GWC203", "route-shadowed", _E, "A route can never be reached.",
     "Every request this match accepts is already taken by a match of higher precedence (Gateway API order: "
     "Exact > RegularExpression > longest prefix > method > most headers > most query parameters > spec order). "
     "Narrow the earlier route, reorder, or delete the dead one."),
    ("GWC204", "impossible-combination", _E, "Settings contradict each other.",
     "For example a prefix rewrite on a route that matches by regex (there is no prefix to replace), a burst below 1, "
     "or a redirect route that also has a service."),
    ("GWC205", "empty-gateway", _W, "A gateway has no routes or no listeners.",
     "It would compile to a gateway that serves only 404s."),
    ("GWC206", "unused-definition", _W, "A service or policy set is defined but never used.",
     "It is not compiled into any gateway. Delete it or reference it."),
    # -- building ----------------------------------------------------------------
    ("GWC300", "unsupported-feature", _E, "The target cannot express a feature the spec uses.",
     "The build stops rather than emit a configuration that behaves differently from the spec. Either change the spec, "
     "build for another target, or accept the degradation for that one feature with `--accept-degraded FEATURE` "
     "(never possible for authentication: an unenforced auth rule is a security hole, not a degradation)."),
    ("GWC301", "emulated-feature", _I, "The target expresses a feature by emulation.",
     "The generated configuration reaches the spec's behaviour by other means than a native setting; the note explains "
     "the approximation. `gatewayc targets` lists all of them."),
    ("GWC302", "degradation-accepted", _W, "An unsupported feature is dropped because the user accepted it.",
     "The feature named is not in the generated configuration, as asked with --accept-degraded."),
    ("GWC303", "auth-not-degradable", _E, "Authentication cannot be accepted as a degradation.",
     "A route whose auth the target cannot enforce would be open to everyone. Choose another auth method or target."),
    ("GWC304", "unknown-target", _E, "The target is not known.", "`gatewayc targets` lists the targets."),
    ("GWC305", "unknown-gateway", _E, "The gateway named with --gateway is not in the spec.", "Use a name from `gateways:`."),
    ("GWC306", "output-unwritable", _E, "The output directory cannot be written.", "Check the path and its permissions."),
    ("GWC307", "unknown-feature", _E, "A feature named with --accept-degraded does not exist.",
     "`gatewayc targets` lists feature ids."),
    ("GWC308", "output-stale", _E, "The output directory is not what a build would write now.",
     "`gatewayc build --check` found differences between the output directory and the spec: someone changed "
     "the spec without rebuilding, or edited generated files. Run the build without --check and commit the result."),
    ("GWC310", "target-limitation", _E, "The target cannot express this particular use of a feature.",
     "The feature is supported in general, but not in the form the spec uses here (for example a status "
     "code the target cannot retry on). The message says what is missing; change the spec or the target."),
    ("GWC311", "target-approximation", _W, "The target expresses this use of a feature approximately.",
     "The generated configuration is close to the spec but not identical; the message says how it differs."),
    ("GWC350", "over-target-limit", _E, "A value is longer than the target accepts.",
     "The generated configuration would hold a value the target refuses to load or handles differently: a token "
     "over nginx's 4 KiB configuration buffer, a header name or value over Envoy's 16 KiB, a query parameter name "
     "over Envoy's 1 KiB, and the like. The message names the limit and the position is the spec value behind it; "
     "shorten the value, or build for another target. Where the target has a setting for the size (nginx's "
     "hash bucket sizes, Envoy's direct response body limit), gatewayc sets it instead of refusing."),
    # -- internal ------------------------------------------------------------------
    ("GWC900", "internal-error", _E, "gatewayc hit a bug.",
     "This is a bug in gatewayc, not in your spec. Please report it with the spec that triggers it."),
]

CODES: dict[str, Code] = {row[0]: Code(*row) for row in _TABLE}
BY_NAME: dict[str, Code] = {c.name: c for c in CODES.values()}
