#!/usr/bin/env node
// The `hnvue` bin. After `pnpm build` it runs dist/bin.js. In a checkout without a build (or with
// HNVUE_CLI_SOURCE=1) it runs the TypeScript sources through tsx with the "@hnvue/source" export
// condition, in a child Node, because export conditions cannot be changed after start-up.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
if (existsSync(dist) && process.env.HNVUE_CLI_SOURCE !== '1') {
  await import(pathToFileURL(dist).href);
} else {
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
