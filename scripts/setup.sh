#!/usr/bin/env bash
# Installs everything HnVue DICOM needs on a fresh Debian 12 / Node 20 machine:
# pnpm, the workspace dependencies (from the lockfile), the native addon, and a build.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v 2>/dev/null | cut -d. -f1)" != "12" ]; then
  npm install -g pnpm@12.21.0 >/dev/null
fi
# The native addon links the system OpenJPEG when its development files exist (else it falls
# back to WebAssembly for JPEG 2000); install them first so `pnpm install` builds it.
if [ ! -f /usr/include/openjpeg-2.5/openjpeg.h ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libopenjp2-7-dev pkg-config >/dev/null
fi
# pnpm does not pass the machine's nodedir to install scripts: node-gyp builds (better-sqlite3)
# would try to download Node headers without this (TOOLCHAIN.md).
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
pnpm install --frozen-lockfile
pnpm build
