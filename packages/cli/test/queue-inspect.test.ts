/**
 * `hnvue queue` (issue 18 item 3): status and list read a queue another process runs, without
 * taking its lock (the running queue keeps EXCLUSIVE, packages/queue/src/store.ts); after it exits
 * they read the database read-only. A missing queue is created only with --create; unknown states
 * and item ids are usage errors (exit 2). The running queue is a child process (helpers/queue-holder.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isHnvError } from '@hnvue/core';
import { QUEUE_ERROR_CODES, TransmissionQueue } from '@hnvue/queue';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.js';
import { cli } from './helpers/context.js';

const HOLDER = join(import.meta.dirname, 'helpers', 'queue-holder.ts');
const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

let dir: string;
let holder: ChildProcess;
let holderOut = '';
/** How often the holder's queue failed 1.2.3.1 so far. */
const failures = () => holderOut.split('\n').filter((l) => l === 'FAILED 1.2.3.1').length;

beforeAll(async () => {
  dir = await makeTempDir('hnvue-cli-queue-');
  holder = spawn(
    process.execPath,
    ['--conditions=@hnvue/source', '--import', 'tsx', HOLDER, join(dir, 'q')],
    {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.on('data', (d: Buffer) => {
      holderOut += d.toString();
      if (holderOut.includes('READY')) resolve();
    });
    holder.once('exit', (code) => reject(new Error(`queue holder exited with ${code}`)));
  });
}, 30_000);

afterAll(async () => {
  if (holder.exitCode === null) holder.kill('SIGKILL');
  await rmTempDir(dir);
});

describe('hnvue queue', () => {
  it('NFR-REL-01: status and list read the running queue of another process, whose lock stays exclusive', async () => {
    const status = await cli('queue', 'status', '--queue-dir', join(dir, 'q'), '--json');
    expect(status.code).toBe(EXIT_CODES.ok);
    const view = JSON.parse(status.out) as { source: string; total: Record<string, number> };
    expect(view.source).toBe('snapshot');
    expect(view.total).toMatchObject({ FAILED: 1, DONE: 1, IN_PROGRESS: 1, PENDING: 0 });

    const failed = await cli('queue', 'list', '--queue-dir', join(dir, 'q'), '--state', 'failed', '--json');
    expect(failed.code).toBe(EXIT_CODES.ok);
    const items = JSON.parse(failed.out) as { sopInstanceUid: string; path?: string }[];
    expect(items.map((i) => i.sopInstanceUid)).toEqual(['1.2.3.1']);
    expect(items[0]?.path).toBeUndefined();

    // Inspection took no lock: a second writer is still refused, as before (store.ts).
    const second = await TransmissionQueue.open({ dir: join(dir, 'q'), sender: async () => {} }).catch(
      (e) => e,
    );
    expect(isHnvError(second, QUEUE_ERROR_CODES.locked)).toBe(true);
  });

  it('NFR-REL-01: retry while the console runs is applied by the console, all or nothing', async () => {
    const q = join(dir, 'q');
    const listFailed = async () =>
      JSON.parse((await cli('queue', 'list', '--queue-dir', q, '--state', 'FAILED', '--json')).out) as {
        id: number;
        attemptCount: number;
      }[];
    const [failed] = await listFailed();
    expect(failures()).toBe(1);
    const done = JSON.parse(
      (await cli('queue', 'list', '--queue-dir', q, '--state', 'DONE', '--json')).out,
    ) as {
      id: number;
    }[];
    // A DONE id among them: usage error, and the FAILED one is not re-queued either.
    expect(
      (await cli('queue', 'retry', String(failed?.id), String(done[0]?.id), '--queue-dir', q)).code,
    ).toBe(EXIT_CODES.usage);
    expect((await cli('queue', 'retry', '999', '--queue-dir', q)).code).toBe(EXIT_CODES.usage);
    await new Promise((r) => setTimeout(r, 300));
    expect(failures()).toBe(1);

    const retried = await cli('queue', 'retry', String(failed?.id), '--queue-dir', q, '--json');
    expect(retried.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(retried.out)).toEqual({ requeued: [failed?.id], pid: holder.pid });
    // The holder's PACS still refuses it: attempted again (a fresh budget), FAILED again.
    const deadline = Date.now() + 10_000;
    while (failures() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(failures()).toBe(2);
  });

  it('NFR-REL-01: after the queue process exits, status reads its database read-only and retry re-queues', async () => {
    holder.stdin?.write('quit\n');
    await new Promise((r) => holder.once('exit', r));
    const status = await cli('queue', 'status', '--queue-dir', join(dir, 'q'), '--json');
    expect(status.code).toBe(EXIT_CODES.ok);
    const view = JSON.parse(status.out) as { source: string; total: Record<string, number> };
    expect(view.source).toBe('database');
    // The in-flight item was handed back at close (RETRYING), the others kept their outcome.
    expect(view.total).toMatchObject({ FAILED: 1, DONE: 1, IN_PROGRESS: 0, PENDING: 0, RETRYING: 1 });

    const list = await cli('queue', 'list', '--queue-dir', join(dir, 'q'), '--state', 'FAILED', '--json');
    const [failed] = JSON.parse(list.out) as { id: number }[];
    expect(failed).toBeDefined();
    expect((await cli('queue', 'retry', String(failed?.id), '--queue-dir', join(dir, 'q'))).code).toBe(
      EXIT_CODES.ok,
    );
    const after = JSON.parse((await cli('queue', 'status', '--queue-dir', join(dir, 'q'), '--json')).out) as {
      total: Record<string, number>;
    };
    expect(after.total).toMatchObject({ FAILED: 0, PENDING: 1, RETRYING: 1, DONE: 1 });
  });

  it('NFR-REL-01: unknown states, unknown or non-FAILED item ids and a bad --limit are usage errors', async () => {
    const q = join(dir, 'q');
    expect((await cli('queue', 'list', '--queue-dir', q, '--state', 'SENT')).code).toBe(EXIT_CODES.usage);
    expect((await cli('queue', 'list', '--queue-dir', q, '--limit', '0')).code).toBe(EXIT_CODES.usage);
    expect((await cli('queue', 'retry', '999', '--queue-dir', q)).code).toBe(EXIT_CODES.usage);
    expect((await cli('queue', 'retry', 'abc', '--queue-dir', q)).code).toBe(EXIT_CODES.usage);
    const done = JSON.parse(
      (await cli('queue', 'list', '--queue-dir', q, '--state', 'DONE', '--json')).out,
    ) as {
      id: number;
    }[];
    expect((await cli('queue', 'retry', String(done[0]?.id), '--queue-dir', q)).code).toBe(EXIT_CODES.usage);
    expect((await cli('queue', 'peek', '--queue-dir', q)).code).toBe(EXIT_CODES.usage);
  });

  it('NFR-REL-01: a folder without a queue is a usage error and stays empty; --create makes an empty queue', async () => {
    const empty = join(dir, 'none');
    expect((await cli('queue', 'status', '--queue-dir', empty)).code).toBe(EXIT_CODES.usage);
    expect(existsSync(empty)).toBe(false);
    const created = await cli('queue', 'status', '--queue-dir', empty, '--create', '--json');
    expect(created.code).toBe(EXIT_CODES.ok);
    expect(existsSync(join(empty, 'queue.db'))).toBe(true);
    expect((JSON.parse(created.out) as { total: Record<string, number> }).total).toMatchObject({
      PENDING: 0,
    });
  });
});
