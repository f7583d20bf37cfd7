/**
 * Read-only inspection of a queue folder (inspect.ts) beside the queue that owns it: an inspection
 * never makes a queue's start fail, and the running queue's published status answers while the
 * database is locked.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectQueue, TransmissionQueue } from '../src/index.js';
import { image, manualSender, removeDir, tempDir } from './helpers/setup.js';

let dir: string;

const READER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { readonly: true, fileMustExist: true, timeout: 0 });
db.prepare('BEGIN').run();
const { n } = db.prepare('SELECT COUNT(*) AS n FROM items').get();
process.stdout.write('HELD ' + n + '\\n');
setTimeout(() => { db.prepare('COMMIT').run(); db.close(); }, 300);
`;

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await removeDir(dir);
});

describe('queue inspection', () => {
  it('NFR-REL-01: a queue opening while an inspection reads its database waits for the read, instead of failing HNV_ERR_QUEUE_LOCKED', async () => {
    const first = await TransmissionQueue.open({ dir, sender: manualSender().sender });
    await first.enqueue(image(1));
    await first.close({ graceMs: 0 });

    // What inspectQueue does with no queue running, held open mid-read for 300 ms, in another
    // process (a queue's open waits synchronously: a reader on this thread could not let go).
    const reader = spawn(process.execPath, ['-e', READER, join(dir, 'queue.db')], {
      cwd: import.meta.dirname,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => reader.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      reader.stdout.on('data', (d: Buffer) => d.toString().includes('HELD 1') && resolve());
      reader.once('exit', (code) => reject(new Error(`the reader exited with ${code} before reading`)));
    });
    const queue = await TransmissionQueue.open({ dir, sender: manualSender().sender });
    expect(await exited).toBe(0);
    try {
      expect(queue.counts().total.PENDING).toBe(1);
      // The running queue answers inspection from its published status, not the locked database.
      const view = inspectQueue(dir, { state: 'PENDING' });
      expect(view).toMatchObject({ source: 'snapshot', pid: process.pid, truncated: false });
      expect(view.items.map((i) => i.sopInstanceUid)).toEqual([image(1).sopInstanceUid]);
    } finally {
      await queue.close({ graceMs: 0 });
    }
  });

  it('NFR-REL-01: with statusSnapshots: false the queue publishes nothing, and inspection says the database is held', async () => {
    const queue = await TransmissionQueue.open({
      dir,
      sender: manualSender().sender,
      statusSnapshots: false,
    });
    try {
      expect(existsSync(join(dir, 'status.json'))).toBe(false);
      expect(() => inspectQueue(dir)).toThrow(expect.objectContaining({ code: 'HNV_ERR_QUEUE_LOCKED' }));
    } finally {
      await queue.close({ graceMs: 0 });
    }
  });
});
