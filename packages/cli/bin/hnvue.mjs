#!/usr/bin/env node
// The `hnvue` bin. After `pnpm build` it runs the bundle of the command asked for
// (dist/bundle/commands/<name>.js, scripts/bundle.mjs: one file tree-shaken for that command, so
// `hnvue echo` loads no image, queue or codec code), or dist/bundle/bin.js for help, --version and
// anything else; HNVUE_CLI_BUNDLE=0 runs the unbundled dist/bin.js. In a checkout a bundle older
// than a package's last `tsc -b` is stale and dist/bin.js runs instead (HNVUE_CLI_BUNDLE=1 runs the
// bundle regardless, as benchmarks/cli.ts does). In a checkout without a build
// (or with HNVUE_CLI_SOURCE=1) it runs the TypeScript sources through tsx with the "@hnvue/source"
// export condition, in a child Node, because export conditions cannot be changed after start-up.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const command = process.argv[2];
const bundle = (name) => fileURLToPath(new URL(`../dist/bundle/${name}`, import.meta.url));
const perCommand =
  command !== undefined && /^[a-z]+$/.test(command) ? bundle(`commands/${command}.js`) : undefined;
const useBundle = (file) =>
  process.env.HNVUE_CLI_BUNDLE !== '0' &&
  existsSync(file) &&
  (process.env.HNVUE_CLI_BUNDLE === '1' || bundleIsFresh(file));
if (process.env.HNVUE_CLI_SOURCE === '1' || !existsSync(dist)) {
  runSource();
} else if (perCommand !== undefined && useBundle(perCommand)) {
  await import(pathToFileURL(perCommand).href);
} else if (useBundle(bundle('bin.js'))) {
  await import(pathToFileURL(bundle('bin.js')).href);
} else {
  await import(pathToFileURL(dist).href);
}

/**
 * In a checkout (src/ next to bin/; a packed package ships none), the bundle is stale when a
 * package was compiled after it (`tsc -b` alone, without scripts/bundle.mjs): each package's
 * dist/.tsbuildinfo is rewritten when it is compiled.
 */
function bundleIsFresh(file) {
  if (!existsSync(new URL('../src', import.meta.url))) return true;
  const bundled = statSync(file).mtimeMs;
  const repo = new URL('../../../', import.meta.url);
  const dirs = ['native', ...readdirSync(new URL('packages/', repo)).map((name) => `packages/${name}`)];
  return dirs.every((dir) => {
    const info = new URL(`${dir}/dist/.tsbuildinfo`, repo);
    return !existsSync(info) || statSync(info).mtimeMs <= bundled;
  });
}

function runSource() {
  const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
  let tsx;
  try {
    tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    process.stderr.write(
      'hnvue: HNV_ERR_SETUP: not built and tsx is not installed (hint: run `pnpm install && pnpm build`)\n',
    );
    process.exit(1);
  }
  const child = spawn(
    process.execPath,
    ['--conditions=@hnvue/source', '--import', tsx, source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  // The child gets SIGINT from the terminal itself; we only wait for it.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + 2 : 1);
  });
}
