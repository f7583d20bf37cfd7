#!/usr/bin/env bash
# The fault soak (issue 17 item 5, NFR-REL-01): scripts/soak.sh [minutes=60] [seed=1]
# The console day through the facade to DCMTK storescp and Orthanc via fault proxies, with kill -9
# of the console and PACS restarts; prints the summary table (packages/facade/test/soak/run.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --conditions=@hnvue/source --import tsx packages/facade/test/soak/run.ts "${1:-60}" "${2:-1}"
