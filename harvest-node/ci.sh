#!/usr/bin/env bash
# Node.js binding: install the npm dev dependencies, build the native module (debug) into
# the shared target dir, check that the committed index.d.ts and native.js match what the
# build generates, then run the node:test suite.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/../target}"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing nodejs and npm"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nodejs npm
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 18 ]; then
  echo "harvest-node needs Node.js >= 18 (found $(node --version))" >&2
  exit 1
fi

# npm ci wipes node_modules; skip it when this exact lockfile is already installed.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.harvest-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.harvest-lock-sha256
fi

# Generated files are built into a scratch dir and compared, so a drift fails CI instead
# of being silently rewritten.
gen="$(mktemp -d)"
trap 'rm -rf "$gen"' EXIT
npx napi build --platform --target "$CARGO_BUILD_TARGET" --target-dir "$CARGO_TARGET_DIR" \
  --output-dir "$gen" --js native.js --dts index.d.ts
cp "$gen"/*.node .
drift=0
for f in index.d.ts native.js; do
  if ! diff -u "$f" "$gen/$f"; then
    echo "harvest-node/$f is out of date: run 'npm run build' in harvest-node and commit it" >&2
    drift=1
  fi
done
[ "$drift" = 0 ]

node --test __test__/
