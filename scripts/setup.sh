#!/usr/bin/env bash
# Installs everything HnVue DICOM needs on a fresh Debian 12 / Node 20 machine:
# pnpm, the workspace dependencies (from the lockfile), the native addon, and a build.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v 2>/dev/null | cut -d. -f1)" != "12" ]; then
  npm install -g pnpm@12.21.0 >/dev/null
fi
# The native addon links the system codec libraries whose development files exist (OpenJPEG for
# JPEG 2000, CharLS for JPEG-LS, OpenJPH for HTJ2K, libjpeg-turbo for 8-bit JPEG, GDCM's 12-bit
# IJG build for 12-bit JPEG); each missing one leaves its codec to the WebAssembly fallback (12-bit
# JPEG has none: refused). Install them first so `pnpm install` builds them in.
build_deps=()
[ -f /usr/include/openjpeg-2.5/openjpeg.h ] || build_deps+=(libopenjp2-7-dev)
[ -f /usr/include/charls/charls.h ] || build_deps+=(libcharls-dev)
[ -f /usr/include/openjph/ojph_codestream.h ] || build_deps+=(libopenjph-dev)
[ -f /usr/include/jpeglib.h ] || build_deps+=(libjpeg62-turbo-dev)
[ -f /usr/include/gdcm-3.0/gdcmjpeg/12/jpeglib.h ] || build_deps+=(libgdcm-dev)
command -v pkg-config >/dev/null 2>&1 || build_deps+=(pkg-config)
if [ ${#build_deps[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${build_deps[@]}" >/dev/null
fi
# pnpm does not pass the machine's nodedir to install scripts: node-gyp builds (better-sqlite3)
# would try to download Node headers without this (TOOLCHAIN.md).
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
pnpm install --frozen-lockfile
pnpm build
