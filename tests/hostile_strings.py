"""Hostile strings, shared by the tests that prove user text stays inert in generated files
(tests/kong/test_deck_render.py, tests/harden/test_hostile_fields.py)."""
from __future__ import annotations

# strings that try decK's and Kong's template languages, YAML's syntax and YAML readers' limits
DECK_AND_YAML = [
    '${{ env "DECK_JWT_SECRET" }}', "${{ env `DECK_JWT_SECRET` }}", '${{env "DECK_JWT_SECRET"}}',
    '${{- env "DECK_JWT_SECRET" -}}', '"${{ env "DECK_JWT_SECRET" }}"', '${{/* a comment */}}', "${{", "}}",
    "${{}}", "$${{{", '${{ "${{" }}', "${{ `${{` }}", '${{ env "DECK_JWT_SECRET" | printf "%q" }}',
    "$(uri_captures)", '$(headers["x-a"])', "$((1)", "a $(b) c", ":lead", "::", "a:b", "",
    '"quoted" \\ back', "single ' quote", "# hash", "{ a: b }", "[1, 2]", "- dash", "? q", "&anchor",
    "*alias", "!tag", "|", ">", "%YAML", "@", "`", "yes", "NO", "null", "~", "1e3", "0x1F", "1_000",
    "2001-12-14", ".inf", "<<", "tab\tin", "nel\x85", "ls\u2028ps\u2029", "del\x7f", "c1\x9b", "bom\ufeff",
    "nonchar\ufffe", "bidi\u202e", "emoji \U0001F600", "é", "x" * 1100, "${{" * 400,
]

# NGINX's grammar and variables, Go templates (Traefik's file provider), Traefik's rule language,
# header splitting, JavaScript/Lua string breaking, look-alikes and bidi controls, huge values
GATEWAYS = [
    'x"; return 200 "pwned"; #', "';}\n location / { return 200; }", "a;b", "{", "}", "#", "\\", "\\\\\"",
    "$host", "${host}", "$1", "$remote_addr$", "\\$uri",
    '{{ env "JWT_SECRET" }}', "{{ .Env }}", "{{/* c */}}", "{{", "}}}", '{{ "{{" }}', "{{`x`}}",
    "`) || Path(`/", '") || PathPrefix("/', "`, `", ") && !Host(`x`", "\\`",
    "a\r\nSet-Cookie: pwn=1", "a\rb", "a\nb", "nul\x00byte", "\x1b[31mred",
    "</script><script>alert(1)</script>", "'; return; '", '"+process.env.X+"', "]]..os.execute('id')..[[",
    "\u0430dmin", "\uff0fslash", "\u2215division", "\u200bzero-width", "\u202a\u202b\u202c\u202d\u2066\u2067\u2069",
    "%00%0d%0a", "%24%7B%7D", "..%2f..%2f",
    "v" * 65536,
]

ALL = DECK_AND_YAML + GATEWAYS
