#!/usr/bin/env bash
# The long coverage-guided fuzz run of the JavaScript decoders (docs/reliability.md, "Fuzzing"):
#   scripts/fuzz-js.sh [pdu|dimse-command|walker|part10|all] [--runs N] [--seconds S] [other run.ts options]
# Default: all targets, 10,000,000 runs each; run it under `nice -n 19` on a shared machine.
# Findings go to .tmp/fuzz-js/<target>/crashes/; the minimised corpus (seeds left out) replaces
# packages/<pkg>/fuzz/corpus/<target>.min/, which the next run and the CI tests start from.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-all}"
[[ $# -gt 0 ]] && shift
if [[ "$target" == all ]]; then targets=(pdu dimse-command walker part10); else targets=("$target"); fi
status=0
for t in "${targets[@]}"; do
  echo "== $t"
  pnpm exec tsx --conditions @hnvue/source scripts/fuzz-js/run.ts --target "$t" "$@" || status=1
done
exit "$status"
