#!/usr/bin/env bash
# The main job on a fresh machine: install gatewayc in a virtualenv, validate the shop
# example and build the runnable NGINX gateway into out/shop/nginx/.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${GATEWAYC_VENV:-.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet -e .

"$VENV/bin/gatewayc" validate examples/shop/gateway.yml
"$VENV/bin/gatewayc" build examples/shop/gateway.yml --target nginx --out out/shop/nginx "$@"
mkdir -p run/shop/nginx   # nginx's runtime files; out/shop/nginx holds generated files only
echo "run it:    JWT_SECRET=... nginx -p run/shop/nginx -c \"$PWD/out/shop/nginx/nginx.conf\" -g 'daemon off;'"
echo "rebuilt?   nginx -p run/shop/nginx -c \"$PWD/out/shop/nginx/nginx.conf\" -s reload"
