#!/usr/bin/env bash
# Long coverage-guided run of the addon's decoders (fuzz/codec_fuzzer.cc under libFuzzer with
# ASan+UBSan; test/fuzz/libfuzzer.test.ts is the bounded CI version). Builds the harnesses
# (scripts/build-fuzzers.sh), then runs each target from its committed seed corpus
# (fuzz/corpus/<target>, read only) with a working corpus in build/fuzz/corpus/<target> that grows
# across runs. A crash, sanitizer report, leak, timeout or out-of-memory stops the target and
# leaves its input in build/fuzz/artifacts/<target>/; the script then exits non-zero.
#
# Usage: scripts/fuzz-libfuzzer.sh [all|jpegll|jpeg8|jpeg12|jpegls|j2k|htj2k] [SECONDS|-runs=N]
#   default: all targets, 600 s each. Prints per target: executions, exec/s, corpus size.
#   FUZZ_JOBS=N runs N workers per target (libFuzzer -fork=N); default 1.
# htj2k runs in fork mode with -ignore_crashes=1: Debian's OpenJPH 0.9.0 asserts in its code-block
# decoder within seconds (README.md, robustness findings), a library abort our checks cannot see;
# the run goes on and counts the inputs (and distinct assertions) instead of stopping at the first.
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-all}"
budget="${2:-600}"
if [[ "$budget" == -runs=* ]]; then limit=("$budget"); else limit=(-max_total_time="$budget"); fi
mapfile -t built < <(bash scripts/build-fuzzers.sh)
# Seeds are at most ~1.1 KB (a 33 x 20 frame); 4 KB leaves room for growth without letting the
# fuzzer spend its time on huge inputs. 2 GB RSS: a decoder asking for more than that for a
# <= 512 x 512 frame (the harness's limit) is a finding. 10 s per input: a hang.
opts=(-max_len=4096 -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -print_final_stats=1)
[ -n "${FUZZ_JOBS:-}" ] && opts+=(-fork="$FUZZ_JOBS")
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for name in "${built[@]}"; do
  [ "$want" = all ] || [ "$want" = "$name" ] || continue
  work="build/fuzz/corpus/$name"
  art="build/fuzz/artifacts/$name"
  log="build/fuzz/$name.log"
  mkdir -p "$work" "$art"
  extra=()
  [ "$name" = htj2k ] && [ -z "${FUZZ_JOBS:-}" ] && extra=(-fork=1 -ignore_crashes=1)
  before=$(find "$art" -type f | wc -l)
  touch "$log.start"
  t0=$(date +%s)
  rc=0
  "build/fuzz/$name-fuzzer" "${opts[@]}" "${extra[@]}" "${limit[@]}" -artifact_prefix="$art/" \
    "$work" "fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
  secs=$(($(date +%s) - t0))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # Fork mode prints no final stats: its last "#N: ... exec/s R" line has the totals.
  [ -z "$runs" ] && runs=$(sed -n 's/^#\([0-9]*\): .*/\1/p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  [ -z "$rate" ] && [ -n "$runs" ] && [ "$secs" -gt 0 ] && rate=$((runs / secs))
  found=$(($(find "$art" -type f | wc -l) - before))
  files=$(find "$work" -type f | wc -l)
  echo "$name: ${runs:-?} executions in $secs s, ${rate:-?} exec/s, working corpus $files files," \
    "$found new artifacts, rc=$rc (log $log)"
  if [ "$name" = htj2k ] && [ "$found" -gt 0 ]; then
    # Fork mode keeps no child output: replay each new input for the message that stopped it.
    find "$art" -type f -newer "$log.start" | while read -r f; do
      # -timeout: a hang (OpenJPH has one) is reported as libFuzzer's timeout, not waited for.
      { "build/fuzz/$name-fuzzer" -timeout=10 "$f" 2>&1 || true; } |
        grep -o -m1 -E "[a-z0-9_]+\.cpp:[0-9]+: .*Assertion|ERROR: [A-Za-z]+: [a-z-]+" ||
        echo "(does not reproduce alone)"
    done | sort | uniq -c | sed 's/^/  known OpenJPH abort: /'
  elif [ "$rc" != 0 ] || [ "$found" -gt 0 ]; then
    grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)|runtime error' "$log" | head -5 >&2
    status=1
  fi
done
exit "$status"
