#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UBSan (build/asan) and runs the long fuzz script
# against it. Usage: scripts/fuzz-sanitize.sh [fuzz-codecs.ts options], e.g. --iterations 200000
set -euo pipefail
cd "$(dirname "$0")/.."
node_modules/.bin/cmake-js compile --out build/asan --CDHNV_SANITIZE=ON >/dev/null
export HNVUE_NATIVE_PATH="$PWD/build/asan/Release/hnvue_native.node"
# Node itself is not instrumented: preload the runtimes; leaks in V8 are not ours to report.
export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# tsx runs the TypeScript script; TSX_CLI overrides where its cli.mjs is.
exec node "${TSX_CLI:-$(node -p "require.resolve('tsx/cli')")}" \
  --conditions=@hnvue/source scripts/fuzz-codecs.ts "$@"
