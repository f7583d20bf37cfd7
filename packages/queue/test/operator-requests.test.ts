/**
 * Operator requests to the queue that holds the database (requests.ts): what `hnvue queue retry`
 * does while the console runs. The requester here is the same process; the protocol is files only
 * (the CLI test runs it across processes against a live console).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, type QueueItem, sendQueueRequest, TransmissionQueue } from '../src/index.js';
import { image, removeDir, tempDir } from './helpers/setup.js';

let dir: string;
let queue: TransmissionQueue | undefined;

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await queue?.close({ graceMs: 0 });
  queue = undefined;
  await removeDir(dir);
});

/** A queue whose PACS refuses permanently until `accept` is set; resolves once `n` items are FAILED. */
async function queueWithFailed(n: number) {
  const state = { accept: false, delivered: [] as string[] };
  const q = await TransmissionQueue.open({
    dir,
    sender: async (item: QueueItem) => {
      if (!state.accept)
        throw new DeliveryError('refused', { retryable: false, code: 'HNV_ERR_DIMSE_STATUS' });
      state.delivered.push(item.sopInstanceUid);
    },
  });
  queue = q;
  const failed = new Promise<void>((resolve) => {
    let count = 0;
    q.on('failed', () => {
      if (++count === n) resolve();
    });
  });
  for (let i = 1; i <= n; i++) await q.enqueue(image(i));
  q.start();
  await failed;
  return { q, state };
}

function waitDelivered(q: TransmissionQueue, n: number): Promise<void> {
  return new Promise((resolve) => {
    let count = 0;
    q.on('delivered', () => {
      if (++count === n) resolve();
    });
  });
}

describe('operator requests to a running queue', () => {
  it('NFR-REL-01: a retry request re-queues the FAILED items it names, and they are delivered', async () => {
    const { q, state } = await queueWithFailed(3);
    state.accept = true;
    const delivered = waitDelivered(q, 2);
    const answer = await sendQueueRequest(dir, { action: 'retry', ids: [1, 3] });
    expect(answer).toEqual({ ok: true, pid: process.pid, requeued: [1, 3] });
    await delivered;
    expect(state.delivered.sort()).toEqual([image(1).sopInstanceUid, image(3).sopInstanceUid].sort());
    expect(q.get(2)?.state).toBe('FAILED');
    // Request and answer are both gone.
    expect(readdirSync(join(dir, 'requests'))).toEqual([]);
  });

  it('NFR-REL-01: retry --all-failed re-queues every FAILED item', async () => {
    const { q, state } = await queueWithFailed(2);
    state.accept = true;
    const delivered = waitDelivered(q, 2);
    const answer = await sendQueueRequest(dir, { action: 'retry', allFailed: true });
    expect(answer).toMatchObject({ ok: true, requeued: [1, 2] });
    await delivered;
  });

  it('NFR-REL-01: a request naming an item that is not FAILED (or does not exist) changes nothing', async () => {
    const { q } = await queueWithFailed(2);
    await expect(sendQueueRequest(dir, { action: 'retry', ids: [1, 99] })).resolves.toMatchObject({
      ok: false,
      code: 'HNV_ERR_QUEUE_INVALID_ITEM',
      itemId: 99,
      state: null,
    });
    // Item 1 came before the bad id and stays FAILED: all or nothing.
    expect(q.get(1)?.state).toBe('FAILED');
  });

  it('NFR-REL-01: a malformed request file is answered as such and never throws into the queue', async () => {
    const { q } = await queueWithFailed(1);
    mkdirSync(join(dir, 'requests'), { recursive: true });
    writeFileSync(join(dir, 'requests', 'junk.json'), '{"format":1,"action":"retry","ids":[-1]}');
    writeFileSync(join(dir, 'requests', 'text.json'), 'not json at all');
    await new Promise((r) => setTimeout(r, 600));
    const names = readdirSync(join(dir, 'requests')).sort();
    expect(names).toEqual(['junk.answer.json', 'text.answer.json']);
    expect(q.get(1)?.state).toBe('FAILED');
  });

  it('NFR-REL-01: with no queue answering, the request times out with HNV_ERR_QUEUE_LOCKED and is withdrawn', async () => {
    const { q } = await queueWithFailed(1);
    await q.close({ graceMs: 0 });
    queue = undefined;
    await expect(
      sendQueueRequest(dir, { action: 'retry', ids: [1] }, { timeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: 'HNV_ERR_QUEUE_LOCKED',
    });
    expect(readdirSync(join(dir, 'requests'))).toEqual([]);
    expect(existsSync(join(dir, 'queue.db'))).toBe(true);
  });
});
