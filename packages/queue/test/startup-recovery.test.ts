import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUEUE_ERROR_CODES, QueueError, TransmissionQueue } from '../src/index.js';
import { FakeClock, settle } from './helpers/fake-clock.js';
import { image, manualSender, removeDir, tempDir } from './helpers/setup.js';

let dir: string;
let clock: FakeClock;

beforeEach(async () => {
  dir = await tempDir();
  clock = new FakeClock();
});

afterEach(async () => {
  await removeDir(dir);
});

async function openQueue(): Promise<TransmissionQueue> {
  return await TransmissionQueue.open({ dir, clock, sender: manualSender().sender });
}

async function expectQueueError(promise: Promise<unknown>, code: string): Promise<QueueError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueueError);
  expect((err as QueueError).code).toBe(code);
  return err as QueueError;
}

describe('start-up recovery', () => {
  it('NFR-REL-01: reschedules interrupted items, removes orphan and temp spool files, fails rows without a file', async () => {
    const q = await openQueue();
    const interrupted = (await q.enqueue(image(1))).item;
    const pending = (await q.enqueue(image(2))).item;
    const lost = (await q.enqueue(image(3))).item;
    await q.close();
    // What a SIGKILL mid-delivery and mid-enqueue leaves behind.
    const db = new Database(join(dir, 'queue.db'));
    db.prepare(
      `UPDATE items SET state = 'IN_PROGRESS', attempt_count = 1, last_attempt_at = 1 WHERE id = ?`,
    ).run(interrupted.id);
    db.prepare(
      `INSERT INTO attempts (item_id, attempt, started_at, outcome) VALUES (?, 1, 1, 'in-progress')`,
    ).run(interrupted.id);
    db.close();
    await writeFile(join(dir, 'spool', '.tmp-half-written.dcm'), 'partial');
    await writeFile(join(dir, 'spool', 'renamed-but-no-row.dcm'), 'orphan');
    await unlink(lost.path);

    clock = new FakeClock(clock.now() + 60_000);
    const reopened = await openQueue();
    try {
      expect(reopened.get(interrupted.id)).toMatchObject({ state: 'RETRYING', nextAttemptAt: clock.now() });
      expect(reopened.history(interrupted.id).map((a) => a.outcome)).toEqual(['interrupted']);
      expect(reopened.get(pending.id)?.state).toBe('PENDING');
      expect(reopened.get(lost.id)).toMatchObject({
        state: 'FAILED',
        lastErrorCode: QUEUE_ERROR_CODES.spoolMissing,
      });
      expect(readdirSync(join(dir, 'spool')).sort()).toEqual(
        [interrupted.path, pending.path].map((p) => p.split('/').pop()).sort(),
      );
    } finally {
      await reopened.close();
    }
  });

  it('NFR-REL-01: a DONE row whose file survived a crash before unlink gets its file removed', async () => {
    const q = await openQueue();
    const { item } = await q.enqueue(image(4));
    await q.close();
    const db = new Database(join(dir, 'queue.db'));
    db.prepare(`UPDATE items SET state = 'DONE', completed_at = 1 WHERE id = ?`).run(item.id);
    db.close();
    const reopened = await openQueue();
    expect(existsSync(item.path)).toBe(false);
    expect(reopened.counts().total.DONE).toBe(1);
    await reopened.close();
  });

  it('NFR-REL-01: a FAILED item keeps its spool file across restarts so it can be re-queued', async () => {
    const q = await openQueue();
    const { item } = await q.enqueue(image(5));
    await q.close();
    const db = new Database(join(dir, 'queue.db'));
    db.prepare(`UPDATE items SET state = 'FAILED', completed_at = 1 WHERE id = ?`).run(item.id);
    db.close();
    const reopened = await openQueue();
    expect(existsSync(item.path)).toBe(true);
    expect(reopened.requeue(item.id).state).toBe('PENDING');
    await reopened.close();
  });

  it('NFR-REL-01: the schema is versioned with user_version; a newer schema is refused', async () => {
    await (await openQueue()).close();
    const db = new Database(join(dir, 'queue.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.pragma('user_version = 99');
    db.close();
    await expectQueueError(openQueue(), QUEUE_ERROR_CODES.schemaTooNew);
  });
});

describe('damaged or shared database', () => {
  it('NFR-REL-01: a file that is not a database gives HNV_ERR_QUEUE_CORRUPT', async () => {
    await writeFile(join(dir, 'queue.db'), Buffer.alloc(8192, 0x41));
    const err = await expectQueueError(openQueue(), QUEUE_ERROR_CODES.corrupt);
    expect(err.hint).toMatch(/backup/);
    // The damaged file is left for inspection, never replaced by an empty queue.
    expect((await readFile(join(dir, 'queue.db'))).equals(Buffer.alloc(8192, 0x41))).toBe(true);
  });

  it('NFR-REL-01: a database with damaged pages gives HNV_ERR_QUEUE_CORRUPT', async () => {
    const q = await openQueue();
    for (let i = 0; i < 40; i++) await q.enqueue(image(100 + i));
    await q.close();
    const file = join(dir, 'queue.db');
    const bytes = await readFile(file);
    // Keep the 100-byte header intact, scramble the b-tree pages after the first.
    for (let i = 4096; i < bytes.length; i += 7) bytes[i] = 0xff;
    await writeFile(file, bytes);
    await expectQueueError(openQueue(), QUEUE_ERROR_CODES.corrupt);
  });

  it('NFR-REL-01: a second queue on the same folder gives HNV_ERR_QUEUE_LOCKED, and opens once the first closes', async () => {
    const first = await openQueue();
    await first.enqueue(image(6));
    await expectQueueError(openQueue(), QUEUE_ERROR_CODES.locked);
    await first.close();
    const second = await openQueue();
    expect(second.counts().total.PENDING).toBe(1);
    await second.close();
  });

  it('NFR-REL-01: another process cannot open a queue this process holds', async () => {
    const q = await openQueue();
    try {
      const script = `import('better-sqlite3').then(({ default: D }) => {
        const db = new D(${JSON.stringify(join(dir, 'queue.db'))}, { timeout: 0 });
        try { db.pragma('locking_mode = EXCLUSIVE'); db.exec('BEGIN EXCLUSIVE; COMMIT'); console.log('opened'); }
        catch (e) { console.log(e.code); }
      })`;
      const out = await new Promise<string>((resolve) => {
        execFile(process.execPath, ['-e', script], { cwd: join(import.meta.dirname, '..') }, (_e, stdout) =>
          resolve(stdout.trim()),
        );
      });
      expect(out).toBe('SQLITE_BUSY');
    } finally {
      await q.close();
    }
  });

  it('NFR-CFG-01: bad scheduling options are a ConfigError naming the option', async () => {
    const err = await TransmissionQueue.open({ dir, sender: async () => {}, maxAttempts: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'HNV_ERR_CONFIG',
      issues: ['queue.maxAttempts: expected a number >= 1, got 0'],
    });
  });

  it('NFR-REL-01: operations on a closed queue throw HNV_ERR_QUEUE_CLOSED', async () => {
    const q = await openQueue();
    await q.close();
    await expectQueueError(q.enqueue(image(7)), QUEUE_ERROR_CODES.closed);
    await settle();
  });
});
