// `install` hook of @hnvue/native: compiles the addon with cmake-js and never fails the install.
// On any failure it prints one warning and exits 0; lib/native.ts then falls back to WebAssembly
// (JPEG 2000) and reports JPEG Lossless as unavailable. HNVUE_NATIVE_SKIP_BUILD=1 skips the build.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function warn(reason, output = '') {
  const tail = output.trim().split('\n').slice(-15).join('\n');
  console.warn(
    `@hnvue/native: the native addon was not built (${reason}); JPEG 2000 will use WebAssembly and ` +
      'JPEG Lossless will be unavailable. Fix it, then run `pnpm --filter @hnvue/native run build:native`.' +
      (tail ? `\n${tail}` : ''),
  );
  process.exit(0);
}

if (process.env.HNVUE_NATIVE_SKIP_BUILD === '1') warn('HNVUE_NATIVE_SKIP_BUILD=1');

let cli;
try {
  const pkg = createRequire(join(root, 'package.json')).resolve('cmake-js/package.json');
  cli = join(dirname(pkg), 'bin', 'cmake-js');
} catch {
  warn('cmake-js is not installed');
}

// "binary.napi_versions" in package.json makes cmake-js use node-api-headers: no download.
const run = spawnSync(process.execPath, [cli, 'compile', '--directory', root], {
  cwd: root,
  encoding: 'utf8',
  timeout: 10 * 60 * 1000,
  env: { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: process.env.CMAKE_BUILD_PARALLEL_LEVEL ?? '2' },
});
if (run.error) warn(run.error.message);
if (run.status !== 0)
  warn(`cmake-js exited with ${run.status ?? run.signal}`, `${run.stdout}\n${run.stderr}`);
console.log('@hnvue/native: addon built (build/Release/hnvue_native.node)');
