#!/usr/bin/env bash
# Runs every test: unit tests and the interoperability tests against real peers on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/peers.sh
export HNVUE_REQUIRE_PEERS=1
pnpm exec vitest run "$@"
