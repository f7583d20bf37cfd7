#!/usr/bin/env bash
# Type-checks and runs every example in a project where the @hnvue packages are installed from
# their tarballs (scripts/pack-install.sh calls this with that project's folder). Each example
# starts what it needs (the simulator via @hnvue/simulator) and exits non-zero on failure.
# Usage: examples/run.sh <project-dir> [tsc]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
project="${1:?usage: examples/run.sh <project-dir> [tsc]}"
tsc="${2:-tsc}"
# clinical-day.ts leaves its PACS folder here; store-folder.ts and priors.ts read it (run in name order).
export HNVUE_EXAMPLE_DIR="${HNVUE_EXAMPLE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/hnvue-examples-XXXXXX")}"
mkdir -p "$project/examples"
cp "$here"/*.ts "$here/tsconfig.json" "$project/examples/"
# package.json "type": "module" so the compiled .js files are ES modules (top-level await).
printf '{ "type": "module" }\n' >"$project/examples/package.json"
(cd "$project/examples" && "$tsc" -p tsconfig.json)
for js in "$project"/examples/dist/*.js; do
  echo "== example $(basename "$js" .js)"
  start=$(date +%s%N)
  (cd "$project/examples" && timeout 120 node "$js")
  echo "   ok in $(((($(date +%s%N) - start) / 1000000))) ms"
done
