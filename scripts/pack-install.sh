#!/usr/bin/env bash
# Pack-install-run (issue 18 item 1): packs every publishable package (packages/* and native/,
# private ones skipped), lints each tarball (publint, @arethetypeswrong/cli), installs them with npm
# into a fresh project in a clean temp folder (registry: npmjs only), then runs the installed
# `hnvue` bin against `hnvue simulate` (echo, worklist, store) and examples/run.sh (type-checked
# examples, among them the clinical day through @hnvue/facade's createDicomServices).
# Usage: scripts/pack-install.sh [--keep]   (PACK_SKIP_BUILD=1 packs the dist/ already built)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/hnvue-pack-XXXXXX")"
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  [ "${1:-}" = "--keep" ] || rm -rf "$work"
}
trap 'cleanup "${KEEP:-}"' EXIT
[ "${1:-}" = "--keep" ] && KEEP=--keep && echo "keeping $work"
step() { echo "== $* ($(($(date +%s) - t0)) s)"; }
t0=$(date +%s)

cd "$repo"
[ "${PACK_SKIP_BUILD:-}" = "1" ] || { step "build"; pnpm -s build; }

step "pack"
mkdir -p "$work/tarballs"
for dir in packages/* native; do
  [ -f "$dir/package.json" ] || continue
  if [ "$(node -p "require('./$dir/package.json').private === true")" = "true" ]; then
    echo "skip $dir (private)"; continue
  fi
  # pnpm pack rewrites workspace:^ ranges to the packed versions (^0.1.0).
  (cd "$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
ls -l "$work/tarballs" | awk 'NR > 1 { printf "%8d %s\n", $5, $9 }'
if tar -tzf "$work"/tarballs/*.tgz 2>/dev/null | grep -qE '\.map$'; then echo "source maps shipped" >&2; exit 1; fi
for t in "$work"/tarballs/*.tgz; do
  if tar -xOzf "$t" package/package.json | grep -q 'workspace:'; then echo "$t keeps a workspace: range" >&2; exit 1; fi
done

step "publint + attw"
for t in "$work"/tarballs/*.tgz; do
  echo "-- $(basename "$t")"
  # --strict: publint's warnings fail too.
  node_modules/.bin/publint run --strict "$t"
  # node10: a consumer on moduleResolution "node" (node10) cannot read "exports"; these packages
  # are ESM-only with "type": "module" and engines node >= 20.19, so that resolution does not apply.
  # cjs-resolves-to-esm: ESM-only by design; Node >= 20.19 require()s ESM (require(esm) unflagged).
  node_modules/.bin/attw --pack "$t" --format table-flipped --ignore-rules cjs-resolves-to-esm --profile node16 \
    --exclude-entrypoints ./package.json
done

step "fresh project, npm install"
app="$work/app"
mkdir -p "$app"
cd "$app"
npm init -y >/dev/null
# better-sqlite3 falls back to building from source when its prebuilt download (GitHub) is out of
# reach: the system's Node headers keep node-gyp from downloading them (nodejs.org) too.
[ -f /usr/include/node/node.h ] && export npm_config_nodedir=/usr
# That source build is ~2-3 of this script's ~5 minutes on 2 cores, and it tests better-sqlite3, not
# our packages. So the workspace's own build of the same version stands in for the GitHub prebuilt
# a consumer downloads, through prebuild-install's documented local-prebuilds folder
# (npm_config_<package>_local_prebuilds). npm resolving another 12.x finds no file of that name and
# builds from source as before; PACK_SQLITE_FROM_SOURCE=1 always does.
sqlite_dir="$(cd "$repo/packages/queue" && node -p "require('path').dirname(require.resolve('better-sqlite3/package.json'))" 2>/dev/null || true)"
if [ "${PACK_SQLITE_FROM_SOURCE:-}" != "1" ] && [ -f "$sqlite_dir/build/Release/better_sqlite3.node" ]; then
  name="$(node -p "const v=require('$sqlite_dir/package.json').version; \`better-sqlite3-v\${v}-node-v\${process.versions.modules}-\${process.platform}-\${process.arch}.tar.gz\`")"
  mkdir -p "$work/prebuilds"
  tar -czf "$work/prebuilds/$name" -C "$sqlite_dir" build/Release/better_sqlite3.node
  export npm_config_better_sqlite3_local_prebuilds="$work/prebuilds"
  echo "better-sqlite3: the workspace's build stands in for the prebuilt download ($name)"
fi
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz @types/node@20 2>&1 | tee "$work/npm-install.log"
if grep -q "@hnvue/native: the native addon was not built" "$work/npm-install.log"; then
  echo "!! native addon NOT built at install: fallbacks in use"
elif [ -f node_modules/@hnvue/native/build/Release/hnvue_native.node ]; then
  echo "native addon built at install: node_modules/@hnvue/native/build/Release/hnvue_native.node"
fi
if [ -d node_modules/better-sqlite3/build/Release/obj.target ]; then echo "better-sqlite3: built from source at install"
else echo "better-sqlite3: prebuilt binary installed"; fi
hnvue="$app/node_modules/.bin/hnvue"
want="hnvue $(node -p "require('./node_modules/@hnvue/cli/package.json').version")"
got="$("$hnvue" --version)"
[ "$got" = "$want" ] || { echo "hnvue --version says \"$got\", the package is \"$want\"" >&2; exit 1; }
"$hnvue" doctor --json >"$work/doctor.json" || true
node -e "const d=require('$work/doctor.json'); const a=d.checks.find((c)=>c.name==='native addon'); console.log('doctor: native addon:', a?.detail)"

step "fallback: without the addon, the WebAssembly codecs serve and one typed warning is printed"
if [ -d node_modules/@hnvue/native/build ]; then
  mv node_modules/@hnvue/native/build "$work/addon-aside"
  printf "import '@hnvue/native';\nimport '@hnvue/dicom';\nimport '@hnvue/net';\n" >fallback.mjs
  warnings=$(node fallback.mjs 2>&1 | grep -c 'HNVUE_NATIVE_FALLBACK' || true)
  mv "$work/addon-aside" node_modules/@hnvue/native/build
  echo "HNVUE_NATIVE_FALLBACK warnings: $warnings"
  [ "$warnings" = "1" ] || { echo "expected exactly one fallback warning" >&2; exit 1; }
fi

step "hnvue simulate + echo / worklist"
"$hnvue" simulate --ris-port 0 --pacs-port 0 --dir "$work/sim" --json >"$work/sim.json" &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/sim.json" ] && break; sleep 0.1; done
read -r ris pacs < <(node -e "const a=JSON.parse(require('fs').readFileSync('$work/sim.json','utf8').split('\n')[0]); console.log(a.ris.port, a.pacs.port)")
"$hnvue" echo --aec PACS 127.0.0.1 "$pacs"
"$hnvue" worklist --aec RIS --modality DX 127.0.0.1 "$ris" | head -5

step "examples (type-checked against the installed types, then run)"
HNVUE_EXAMPLE_DIR="$work/example-day" bash "$repo/examples/run.sh" "$app" "$repo/node_modules/.bin/tsc"

step "hnvue store what the clinical day produced"
"$hnvue" store --aec PACS 127.0.0.1 "$pacs" "$work/example-day/pacs"
step "done"
