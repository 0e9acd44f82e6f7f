#!/usr/bin/env bash
# The main job on a fresh machine: install gatewayc in a virtualenv, validate the shop
# example and build it for every target into out/shop/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${GATEWAYC_VENV:-.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet -e .

"$VENV/bin/gatewayc" validate examples/shop/gateway.yml
"$VENV/bin/gatewayc" build examples/shop/gateway.yml --target all --out out/shop "$@"
