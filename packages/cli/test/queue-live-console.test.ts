/**
 * `hnvue queue status|list` against a live console: createDicomServices with its queue, talking to
 * the simulator, in a child process (helpers/live-console.ts), inspected by the real `hnvue`
 * binary while it runs and keeps delivering. The console's queue holds its database in EXCLUSIVE
 * mode (packages/queue/src/store.ts); inspection reads the status the queue publishes
 * (packages/queue/src/inspect.ts) and takes no lock.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isHnvError } from '@hnvue/core';
import { QUEUE_ERROR_CODES, TransmissionQueue } from '@hnvue/queue';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.js';
import { cli } from './helpers/context.js';

const BIN = fileURLToPath(new URL('../bin/hnvue.mjs', import.meta.url));
const CONSOLE = join(import.meta.dirname, 'helpers', 'live-console.ts');
const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function hnvue(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, HNVUE_CLI_SOURCE: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

let dir: string;
let child: ChildProcess;
let queueDir: string;
let consolePid: number;
let lines: string[] = [];
let waiting: (() => void)[] = [];

/** The next stdout line of the console that matches. */
function lineMatching(re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = lines.find((l) => re.test(l));
      if (found === undefined) return false;
      lines = lines.filter((l) => l !== found);
      resolve(found);
      return true;
    };
    if (check()) return;
    const timer = setTimeout(() => reject(new Error(`the console printed no line matching ${re}`)), 30_000);
    waiting.push(() => {
      if (check()) clearTimeout(timer);
    });
  });
}

beforeAll(async () => {
  dir = await makeTempDir('hnvue-cli-live-');
  child = spawn(process.execPath, ['--conditions=@hnvue/source', '--import', 'tsx', CONSOLE, dir], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffered = '';
  child.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiting) w();
  });
  const ready = JSON.parse(await lineMatching(/^\{/)) as { queueDir: string; pid: number };
  queueDir = ready.queueDir;
  consolePid = ready.pid;
}, 60_000);

afterAll(async () => {
  waiting = [];
  if (child.exitCode === null) child.kill('SIGKILL');
  await rmTempDir(dir);
});

describe('hnvue queue against a live console', { timeout: 90_000 }, () => {
  it('NFR-REL-01: `hnvue queue status` shows the running console queue, from its published status', async () => {
    // The procedure's MPPS N-CREATE went through the queue before the console said it was ready;
    // the published status follows a change within a second (SnapshotPublisher), so it is read
    // until it shows that delivery.
    let view: { source: string; total: Record<string, number> } | undefined;
    for (const started = Date.now(); Date.now() - started < 10_000; ) {
      const json = await hnvue(['queue', 'status', '--queue-dir', queueDir, '--json']);
      expect(json.code, json.stderr).toBe(EXIT_CODES.ok);
      view = JSON.parse(json.stdout) as { source: string; total: Record<string, number> };
      if ((view.total.DONE ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(view?.source).toBe('snapshot');
    expect(view?.total.DONE).toBeGreaterThanOrEqual(1);
    expect(view?.total.FAILED).toBe(0);

    const text = await hnvue(['queue', 'status', '--queue-dir', queueDir]);
    expect(text.code, text.stderr).toBe(EXIT_CODES.ok);
    expect(text.stdout).toContain(`source: running queue (pid ${consolePid})`);
  });

  it('NFR-REL-01: the console keeps delivering while inspected, `queue list --state done` shows what it stored, and its lock stays exclusive', async () => {
    child.stdin?.write('store\n');
    const uid = (await lineMatching(/^STORED /)).slice('STORED '.length);
    let listed: { sopInstanceUid: string; state: string; kind: string }[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await cli('queue', 'list', '--queue-dir', queueDir, '--state', 'done', '--json');
      expect(r.code).toBe(EXIT_CODES.ok);
      listed = JSON.parse(r.out);
      if (listed.some((item) => item.sopInstanceUid === uid)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(listed).toContainEqual(
      expect.objectContaining({ sopInstanceUid: uid, kind: 'c-store', state: 'DONE' }),
    );

    const bin = await hnvue(['queue', 'list', '--queue-dir', queueDir, '--state', 'Done', '--json']);
    expect(bin.code, bin.stderr).toBe(EXIT_CODES.ok);
    expect(JSON.parse(bin.stdout)).toContainEqual(expect.objectContaining({ sopInstanceUid: uid }));

    const second = await TransmissionQueue.open({ dir: queueDir, sender: async () => {} }).catch((e) => e);
    expect(isHnvError(second, QUEUE_ERROR_CODES.locked)).toBe(true);
  });

  it('NFR-REL-01: once the console has stopped, `hnvue queue status` reads its database read-only', async () => {
    child.stdin?.write('quit\n');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
    expect(child.exitCode).toBe(0);
    const r = await hnvue(['queue', 'status', '--queue-dir', queueDir, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_CODES.ok);
    const view = JSON.parse(r.stdout) as { source: string; total: Record<string, number> };
    expect(view.source).toBe('database');
    expect(view.total.DONE).toBeGreaterThanOrEqual(2);
  });
});
