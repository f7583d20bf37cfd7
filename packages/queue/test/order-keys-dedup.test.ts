import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeliveryError,
  QUEUE_ERROR_CODES,
  type QueueOptions,
  type Sender,
  TransmissionQueue,
} from '../src/index.js';
import { FakeClock, settle } from './helpers/fake-clock.js';
import { codeError, image, manualSender, removeDir, tempDir } from './helpers/setup.js';

let dir: string;
let clock: FakeClock;
const open: TransmissionQueue[] = [];

async function openQueue(sender: Sender, options: Partial<QueueOptions> = {}): Promise<TransmissionQueue> {
  const q = await TransmissionQueue.open({ dir, sender, clock, initialIntervalMs: 5000, ...options });
  open.push(q);
  return q;
}

function spoolFiles(): string[] {
  return readdirSync(join(dir, 'spool'));
}

const MPPS = {
  destination: 'RIS',
  sopClassUid: '1.2.840.10008.3.1.2.3.3',
  sopInstanceUid: '1.2.826.0.1.3680043.10.9.1',
  orderKey: 'mpps:1',
} as const;

beforeEach(async () => {
  dir = await tempDir();
  clock = new FakeClock();
});

afterEach(async () => {
  for (const q of open.splice(0)) await q.close({ graceMs: 0 });
  await removeDir(dir);
});

describe('order keys with a FAILED predecessor', () => {
  it('NFR-REL-01: an N-SET waits while its N-CREATE is FAILED, and goes out after the requeued N-CREATE', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender, { maxAttempts: 2 });
    const create = (
      await q.enqueue({ ...MPPS, kind: 'mpps-create', source: { bytes: Buffer.from('create') } })
    ).item;
    const set = (
      await q.enqueue({ ...MPPS, kind: 'mpps-set', dedupKey: null, source: { bytes: Buffer.from('set') } })
    ).item;
    q.start();
    await settle();
    m.calls[0]!.reject(codeError('HNV_ERR_CONNECT'));
    await clock.advance(5000);
    expect(m.calls.map((c) => c.item.id)).toEqual([create.id, create.id]);
    m.calls[1]!.reject(codeError('HNV_ERR_CONNECT'));
    await settle();
    expect(q.get(create.id)?.state).toBe('FAILED');
    // Long after: the N-SET is due but never attempted while its N-CREATE is FAILED.
    await clock.advance(3_600_000);
    expect(m.calls).toHaveLength(2);
    expect(q.get(set.id)).toMatchObject({ state: 'PENDING', attemptCount: 0 });

    q.requeue(create.id);
    await settle();
    expect(m.calls.map((c) => c.item.kind)).toEqual(['mpps-create', 'mpps-create', 'mpps-create']);
    m.calls[2]!.resolve();
    await settle();
    expect(m.calls.map((c) => c.item.kind)).toEqual([
      'mpps-create',
      'mpps-create',
      'mpps-create',
      'mpps-set',
    ]);
    expect(m.calls[3]!.item.id).toBe(set.id);
    m.calls[3]!.resolve();
    await settle();
    expect(q.get(create.id)?.state).toBe('DONE');
    expect(q.get(set.id)?.state).toBe('DONE');
  });

  it('NFR-REL-01: a FAILED item blocks only its own order key', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender);
    await q.enqueue({ ...MPPS, kind: 'mpps-create', source: { bytes: Buffer.from('c1') } });
    await q.enqueue({ ...MPPS, kind: 'mpps-set', dedupKey: null, source: { bytes: Buffer.from('s1') } });
    const other = { ...MPPS, sopInstanceUid: '1.2.826.0.1.3680043.10.9.2', orderKey: 'mpps:2' };
    await q.enqueue({ ...other, kind: 'mpps-create', source: { bytes: Buffer.from('c2') } });
    q.start();
    await settle();
    expect(m.calls.map((c) => c.item.orderKey)).toEqual(['mpps:1', 'mpps:2']);
    m.calls[0]!.reject(new DeliveryError('rejected', { retryable: false }));
    await settle();
    m.calls[1]!.resolve();
    await settle();
    expect(m.calls).toHaveLength(2);
    expect(q.counts().byDestination.RIS).toMatchObject({ FAILED: 1, PENDING: 1, DONE: 1 });
  });

  it('NFR-REL-01: discard(id, { failSuccessors }) drops a FAILED N-CREATE and fails its N-SETs with it', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender, { maxAttempts: 1 });
    const create = (
      await q.enqueue({ ...MPPS, kind: 'mpps-create', source: { bytes: Buffer.from('create') } })
    ).item;
    const set = (
      await q.enqueue({ ...MPPS, kind: 'mpps-set', dedupKey: null, source: { bytes: Buffer.from('set') } })
    ).item;
    const failedEvents: [number, string][] = [];
    q.on('failed', (item, failure) => failedEvents.push([item.id, failure.code]));
    q.start();
    await settle();
    m.calls[0]!.reject(codeError('HNV_ERR_CONNECT'));
    await settle();
    expect(q.get(create.id)?.state).toBe('FAILED');
    await expect(q.discard(set.id)).rejects.toMatchObject({ code: QUEUE_ERROR_CODES.invalidItem });

    expect(await q.discard(create.id, { failSuccessors: true })).toEqual([set.id]);
    await settle();
    expect(q.get(create.id)).toBeUndefined();
    expect(existsSync(create.path)).toBe(false);
    expect(q.get(set.id)).toMatchObject({
      state: 'FAILED',
      lastErrorCode: QUEUE_ERROR_CODES.predecessorDiscarded,
    });
    expect(failedEvents).toEqual([
      [create.id, 'HNV_ERR_CONNECT'],
      [set.id, QUEUE_ERROR_CODES.predecessorDiscarded],
    ]);
    expect(m.calls).toHaveLength(1);
  });

  it('NFR-REL-01: discard(id) without failSuccessors lets the successors go out', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender, { maxAttempts: 1 });
    const create = (
      await q.enqueue({ ...MPPS, kind: 'mpps-create', source: { bytes: Buffer.from('create') } })
    ).item;
    await q.enqueue({ ...MPPS, kind: 'mpps-set', dedupKey: null, source: { bytes: Buffer.from('set') } });
    q.start();
    await settle();
    m.calls[0]!.reject(codeError('HNV_ERR_CONNECT'));
    await settle();
    expect(m.calls).toHaveLength(1);
    expect(await q.discard(create.id)).toEqual([]);
    await settle();
    expect(m.calls.map((c) => c.item.kind)).toEqual(['mpps-create', 'mpps-set']);
  });
});

describe('deduplication against DONE and FAILED items', () => {
  it('NFR-REL-01: re-enqueueing a FAILED image requeues the same item with the new payload, keeping history', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender, { maxAttempts: 1 });
    const first = await q.enqueue({ ...image(1), source: { bytes: Buffer.from('old payload') } });
    expect(first).toMatchObject({ duplicate: false, outcome: 'enqueued' });
    q.start();
    await settle();
    m.calls[0]!.reject(codeError('HNV_ERR_CONNECT'));
    await settle();
    expect(q.get(first.item.id)?.state).toBe('FAILED');
    const oldPath = first.item.path;

    const again = await q.enqueue({ ...image(1), source: { bytes: Buffer.from('new payload!') } });
    expect(again).toMatchObject({
      duplicate: false,
      outcome: 'requeued',
      item: { id: first.item.id, state: 'PENDING', attemptCount: 0, size: 12 },
    });
    expect(again.item.path).not.toBe(oldPath);
    expect(existsSync(oldPath)).toBe(false);
    expect(spoolFiles()).toEqual([again.item.path.split('/').pop()]);
    await settle();
    expect(m.calls).toHaveLength(2);
    expect(m.calls[1]!.item.id).toBe(first.item.id);
    expect(readFileSync(m.calls[1]!.item.path, 'utf8')).toBe('new payload!');
    m.calls[1]!.resolve();
    await settle();
    expect(q.get(first.item.id)?.state).toBe('DONE');
    expect(q.history(first.item.id).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'delivered'],
    ]);
  });

  it('NFR-REL-01: re-enqueueing a DONE image is a duplicate that says it was delivered', async () => {
    const q = await openQueue(async () => {});
    const first = await q.enqueue(image(2));
    q.start();
    await settle();
    expect(q.get(first.item.id)?.state).toBe('DONE');
    const again = await q.enqueue(image(2));
    expect(again).toMatchObject({
      duplicate: true,
      outcome: 'already-delivered',
      item: { id: first.item.id, state: 'DONE' },
    });
    expect(spoolFiles()).toEqual([]);
  });

  it('NFR-REL-01: re-enqueueing a queued image is a duplicate marked already-queued; the payload is dropped', async () => {
    const q = await openQueue(manualSender().sender);
    const first = await q.enqueue(image(3));
    const again = await q.enqueue({ ...image(3), source: { bytes: Buffer.from('other') } });
    expect(again).toMatchObject({
      duplicate: true,
      outcome: 'already-queued',
      item: { id: first.item.id, state: 'PENDING', size: 128 },
    });
    expect(spoolFiles()).toHaveLength(1);
  });

  it('NFR-REL-01: two concurrent re-enqueues of a FAILED image requeue it once and leave one spool file', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender, { maxAttempts: 1 });
    const first = await q.enqueue(image(4));
    q.start();
    await settle();
    m.calls[0]!.reject(codeError('HNV_ERR_CONNECT'));
    await settle();
    await q.stop({ graceMs: 0 });
    const [a, b] = await Promise.all([q.enqueue(image(4)), q.enqueue(image(4))]);
    expect([a.outcome, b.outcome].sort()).toEqual(['already-queued', 'requeued']);
    expect(a.item.id).toBe(first.item.id);
    expect(b.item.id).toBe(first.item.id);
    expect(spoolFiles()).toHaveLength(1);
    expect(q.get(first.item.id)?.state).toBe('PENDING');
  });

  it('NFR-REL-01: a requeued payload survives a reopen; the replaced file is not resurrected', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender, { maxAttempts: 1 });
    const first = await q.enqueue(image(5));
    q.start();
    await settle();
    m.calls[0]!.reject(codeError('HNV_ERR_CONNECT'));
    await settle();
    const again = await q.enqueue({ ...image(5), source: { bytes: Buffer.from('fixed') } });
    await q.close({ graceMs: 0 });
    const reopened = await openQueue(manualSender().sender);
    const item = reopened.get(first.item.id)!;
    expect(item.path).toBe(again.item.path);
    expect(readFileSync(item.path, 'utf8')).toBe('fixed');
    expect(spoolFiles()).toEqual([item.path.split('/').pop()]);
  });
});
