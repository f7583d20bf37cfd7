// `pnpm demo`: the main job (see packages/cli README, "demo"). Runs the `hnvue` bin from the
// TypeScript sources (tsx + the "@hnvue/source" condition), so it works from a fresh clone after
// `bash scripts/setup.sh` whether or not the CLI's dist is current. Extra arguments are passed on:
// `pnpm demo --out /tmp/demo --size 2048 --json`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../packages/cli/bin/hnvue.mjs', import.meta.url));
const child = spawn(process.execPath, [bin, 'demo', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, HNVUE_CLI_SOURCE: '1' },
});
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 130 : 1);
});
