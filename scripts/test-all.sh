#!/usr/bin/env bash
# Runs every test: unit tests and the interoperability tests against real DICOM peers on loopback
# (DCMTK, Orthanc, dicom3tools, GDCM; installed through apt when missing).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/peers.sh || exit 1
export HNVUE_REQUIRE_PEERS=1
mkdir -p .tmp
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@"
rc=$?
# Traceability with results: every requirement has a passing test, no test names an unknown one.
if [ $# -eq 0 ] && [ -f .tmp/vitest.json ]; then
  node scripts/traceability.mjs --results .tmp/vitest.json > /dev/null || rc=1
  node scripts/risk.mjs --results .tmp/vitest.json || rc=1
fi
# The native package again without the addon: the WebAssembly/TypeScript fallbacks must pass too.
if [ $# -eq 0 ]; then
  HNVUE_NATIVE=0 pnpm exec vitest run --project native --project native-interop || rc=1
  # And the transcoding matrix: every decode cell through the fallbacks (issue 13).
  HNVUE_NATIVE=0 pnpm exec vitest run packages/net/test/storage/transcode-matrix.test.ts || rc=1
fi
# One plain closing line, whatever the reporter prints above it.
node -e '
const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8"));
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped`);
' || true
exit $rc
