#!/usr/bin/env bash
# Installs everything HnVue DICOM needs on a fresh Debian 12 / Node 20 machine:
# pnpm, the workspace dependencies (from the lockfile), the native addon, and a build.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v 2>/dev/null | cut -d. -f1)" != "12" ]; then
  npm install -g pnpm@12.21.0 >/dev/null
fi
# pnpm does not pass the machine's nodedir to install scripts: node-gyp builds (better-sqlite3)
# would try to download Node headers without this (TOOLCHAIN.md).
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
pnpm install --frozen-lockfile
pnpm build
