#!/usr/bin/env bash
# `pnpm test` as a fresh machine without any peer would run it: PATH holds only node and a shell,
# so a unit test that needed DCMTK, Orthanc, GDCM or OpenJPH's tools would fail here (issue 14:
# unit and interop tests apart; `pnpm test` under a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
for tool in node sh bash env; do ln -s "$(command -v "$tool")" "$bin/$tool"; done
start=$(date +%s)
PATH="$bin" HNVUE_TESTS=unit node node_modules/vitest/vitest.mjs run "$@"
echo "unit tests without peers: $(( $(date +%s) - start )) s"
