# Sourced by shop.sh and test.sh: make the virtualenv $VENV and install gatewayc into it
# (editable, so code changes need no reinstall), with the extras given as $1 (e.g. "[test]").
# pip runs only when the packaging files or the extras changed since the last install: a
# second run of the script starts at once.
VENV=${GATEWAYC_VENV:-.venv}
PY=${PYTHON:-python3}

ensure_venv() {
  local extras=${1:-} stamp want
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  stamp="$VENV/.gatewayc-install"
  want="$extras $(cat pyproject.toml setup.py | "$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
  if [ -x "$VENV/bin/gatewayc" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".$extras"
  printf '%s\n' "$want" > "$stamp"
}
