#!/usr/bin/env bash
# End-to-end test of the main job: builds examples/harvest and runs tests/cli_smoke.py,
# which serves a real page and a mock OpenAI server on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --example harvest --locked --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/examples/harvest"
python3 tests/cli_smoke.py "$bin"
