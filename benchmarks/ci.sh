#!/usr/bin/env bash
# The benchmarks with short settings, as run by CI (.ci/run). Each prints its own table with
# ours/DCMTK ratios; benchmarks/store.ts fails the run if a 50 MB C-STORE takes longer than the
# original 10 s floor (NFR-PERF-01), worklist.ts if a worklist query takes longer than 3 s
# (NFR-PERF-02); commitment.ts has no DCMTK counterpart and prints absolute times only. The long
# runs are the same scripts without the short arguments (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
tsx=(node --conditions=@hnvue/source --import tsx)
"${tsx[@]}" benchmarks/store.ts --short
"${tsx[@]}" benchmarks/echo.ts 10 --repeat 500
"${tsx[@]}" benchmarks/cli.ts 3
"${tsx[@]}" benchmarks/worklist.ts 5
"${tsx[@]}" benchmarks/commitment.ts --short
"${tsx[@]}" benchmarks/parse.ts 3
"${tsx[@]}" native/scripts/bench-codecs.ts --runs 1 --size 1500
"${tsx[@]}" packages/iod/scripts/bench-write.ts 1
"${tsx[@]}" packages/queue/scripts/bench-enqueue.ts
