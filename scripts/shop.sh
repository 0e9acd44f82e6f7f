#!/usr/bin/env bash
# The main job on a fresh machine: install gatewayc in a virtualenv, validate the shop
# example and build the runnable NGINX gateway into out/shop/nginx/.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/venv.sh
ensure_venv

"$VENV/bin/gatewayc" validate examples/shop/gateway.yml
"$VENV/bin/gatewayc" build examples/shop/gateway.yml --target nginx --out out/shop/nginx "$@"
mkdir -p run/shop/nginx   # nginx's runtime files; out/shop/nginx holds generated files only
echo "gatewayc:  . $VENV/bin/activate   (then gatewayc ... or python -m gatewayc ...)"
echo "run it:    JWT_SECRET=... nginx -p run/shop/nginx -c \"$PWD/out/shop/nginx/nginx.conf\" -g 'daemon off;'"
echo "rebuilt?   nginx -p run/shop/nginx -c \"$PWD/out/shop/nginx/nginx.conf\" -s reload"
