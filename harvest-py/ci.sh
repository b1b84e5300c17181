#!/usr/bin/env bash
# Builds the Python binding and runs its checks: stubs against the module (stubtest),
# mypy on the package, and the pytest suite (loopback servers only).
# Called by .ci/run with CARGO_TARGET_DIR set; works on a fresh Debian machine with python3.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"

# Pinned tools (bump together, deliberately).
PY_TOOLS=(
  "maturin==1.16.0"
  "pytest==9.2.0"
  "pytest-asyncio==1.5.0"
  "mypy==2.4.1"
  "fastapi==0.165.0"
  "httpx==0.29.0"
)

if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip
  fi
fi

venv="$CARGO_TARGET_DIR/py-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
py="$venv/bin/python"
stamp="$venv/.harvest-tools"
want="$(printf '%s\n' "${PY_TOOLS[@]}")"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$py" -m pip install -q --upgrade pip
  "$py" -m pip install -q "${PY_TOOLS[@]}"
  printf '%s' "$want" >"$stamp"
fi

cd "$here"
# Debug build (fast compile), installed into the venv as an editable package.
VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" \
  "$venv/bin/maturin" develop --quiet --target "$CARGO_BUILD_TARGET"

echo "== stubtest (stubs vs the built module)"
"$py" -m mypy.stubtest harvest --allowlist "$here/stubtest-allowlist.txt"
echo "== mypy (package, tests, example)"
"$py" -m mypy --strict python/harvest
"$py" -m mypy tests examples
echo "== pytest"
"$py" -m pytest -q tests
