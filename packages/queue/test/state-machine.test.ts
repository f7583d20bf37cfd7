import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, type QueueOptions, type Sender, TransmissionQueue } from '../src/index.js';
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

beforeEach(async () => {
  dir = await tempDir();
  clock = new FakeClock();
});

afterEach(async () => {
  for (const q of open.splice(0)) await q.close({ graceMs: 0 });
  await removeDir(dir);
});

describe('TransmissionQueue state machine', () => {
  it('NFR-REL-01: PENDING → IN_PROGRESS → DONE, spool file written before enqueue returns and removed after', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender);
    const events: string[] = [];
    for (const e of ['enqueued', 'attempt', 'delivered', 'retrying', 'failed'] as const)
      q.on(e, () => events.push(e));
    const { item, duplicate } = await q.enqueue(image(1));
    expect(duplicate).toBe(false);
    expect(item.state).toBe('PENDING');
    expect(existsSync(item.path)).toBe(true);
    expect(spoolFiles()).toEqual([item.path.split('/').pop()]);
    q.start();
    await settle();
    expect(q.get(item.id)?.state).toBe('IN_PROGRESS');
    expect(m.calls).toHaveLength(1);
    m.calls[0]!.resolve();
    await settle();
    const done = q.get(item.id)!;
    expect(done.state).toBe('DONE');
    expect(done.attemptCount).toBe(1);
    expect(done.completedAt).toBe(clock.now());
    expect(spoolFiles()).toEqual([]);
    expect(events).toEqual(['enqueued', 'attempt', 'delivered']);
    expect(q.history(item.id).map((a) => a.outcome)).toEqual(['delivered']);
  });

  it('NFR-REL-01: retries with back-off at lastAttemptAt + 5 s, then + 10 s, and never before', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender);
    const { item } = await q.enqueue(image(2));
    q.start();
    await settle();
    const t0 = clock.now();
    m.calls[0]!.reject(codeError('HNV_ERR_CONNECT'));
    await settle();
    let cur = q.get(item.id)!;
    expect(cur.state).toBe('RETRYING');
    expect(cur.nextAttemptAt).toBe(t0 + 5000);
    expect(cur.lastErrorCode).toBe('HNV_ERR_CONNECT');
    expect(clock.pending).toEqual([t0 + 5000]);
    await clock.advance(4999);
    expect(m.calls).toHaveLength(1);
    await clock.advance(1);
    expect(m.calls).toHaveLength(2);
    const t1 = clock.now();
    m.calls[1]!.reject(codeError('HNV_ERR_TIMEOUT'));
    await settle();
    cur = q.get(item.id)!;
    expect(cur.nextAttemptAt).toBe(t1 + 10_000);
    await clock.advance(9999);
    expect(m.calls).toHaveLength(2);
    await clock.advance(1);
    m.calls[2]!.resolve();
    await settle();
    expect(q.get(item.id)?.state).toBe('DONE');
    const history = q.history(item.id);
    expect(history.map((a) => [a.attempt, a.outcome, a.errorCode])).toEqual([
      [1, 'retry', 'HNV_ERR_CONNECT'],
      [2, 'retry', 'HNV_ERR_TIMEOUT'],
      [3, 'delivered', null],
    ]);
    expect(history[1]!.startedAt).toBe(t0 + 5000);
  });

  it('NFR-REL-01: PoolExhausted from the sender is a retry, not a loss', async () => {
    let calls = 0;
    const q = await openQueue(async () => {
      calls++;
      if (calls === 1) throw codeError('PoolExhausted');
    });
    const retrying: string[] = [];
    q.on('retrying', (_item, failure) => retrying.push(failure.code));
    const { item } = await q.enqueue(image(3));
    q.start();
    await settle();
    expect(q.get(item.id)?.state).toBe('RETRYING');
    expect(retrying).toEqual(['PoolExhausted']);
    await clock.advance(5000);
    expect(q.get(item.id)?.state).toBe('DONE');
    expect(q.history(item.id).map((a) => a.errorCode)).toEqual(['PoolExhausted', null]);
  });

  it('NFR-REL-01: after maxAttempts retryable failures the item is FAILED, kept, and not retried automatically', async () => {
    let calls = 0;
    let ok = false;
    const q = await openQueue(
      async () => {
        calls++;
        if (!ok) throw codeError('HNV_ERR_CONNECT');
      },
      { maxAttempts: 3 },
    );
    const failed: string[] = [];
    q.on('failed', (_item, f) => failed.push(f.reason));
    const { item } = await q.enqueue(image(4));
    q.start();
    await clock.advance(5000 + 10_000);
    const cur = q.get(item.id)!;
    expect(cur.state).toBe('FAILED');
    expect(cur.attemptCount).toBe(3);
    expect(cur.lastErrorCode).toBe('HNV_ERR_CONNECT');
    expect(cur.lastErrorReason).toMatch(/gave up after 3 attempt/);
    expect(failed).toHaveLength(1);
    expect(existsSync(cur.path)).toBe(true);
    await clock.advance(24 * 3600_000);
    expect(calls).toBe(3);
    expect(clock.pending).toEqual([]);
    ok = true;
    const requeued = q.requeue(item.id);
    expect(requeued).toMatchObject({ state: 'PENDING', attemptCount: 0 });
    await settle();
    expect(q.get(item.id)?.state).toBe('DONE');
    expect(q.history(item.id).map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed', 'delivered']);
  });

  it('NFR-REL-01: a failure that cannot succeed on retry is FAILED at once with its reason', async () => {
    const q = await openQueue(async (item) => {
      if (item.sopInstanceUid.endsWith('.5')) throw codeError('HNV_ERR_DIMSE_FAILURE', { status: 0xa900 });
      if (item.sopInstanceUid.endsWith('.6')) throw codeError('HNV_ERR_NO_PRESENTATION_CONTEXT');
      throw new DeliveryError('rejected by policy', { retryable: false, code: 'X_POLICY' });
    });
    const a = (await q.enqueue(image(5))).item;
    const b = (await q.enqueue(image(6))).item;
    const c = (await q.enqueue(image(7))).item;
    q.start();
    await settle();
    expect(q.get(a.id)).toMatchObject({
      state: 'FAILED',
      attemptCount: 1,
      lastErrorCode: 'HNV_ERR_DIMSE_FAILURE',
    });
    expect(q.get(a.id)?.lastErrorReason).toContain('0xA900');
    expect(q.get(b.id)).toMatchObject({ state: 'FAILED', lastErrorCode: 'HNV_ERR_NO_PRESENTATION_CONTEXT' });
    expect(q.get(c.id)).toMatchObject({ state: 'FAILED', lastErrorCode: 'X_POLICY' });
    expect(q.counts().total).toMatchObject({ FAILED: 3, DONE: 0 });
  });

  it('NFR-REL-01: an injected classifier decides retry vs FAILED', async () => {
    const q = await openQueue(
      async () => {
        throw codeError('HNV_ERR_CONNECT');
      },
      { classify: () => ({ retryable: false, code: 'SITE_RULE', reason: 'site says no' }) },
    );
    const { item } = await q.enqueue(image(8));
    q.start();
    await settle();
    expect(q.get(item.id)).toMatchObject({
      state: 'FAILED',
      lastErrorCode: 'SITE_RULE',
      lastErrorReason: 'site says no',
    });
  });

  it('NFR-REL-01: deduplicates by (SOP Instance UID, destination)', async () => {
    const q = await openQueue(manualSender().sender);
    const first = await q.enqueue(image(9));
    const again = await q.enqueue(image(9));
    const other = await q.enqueue(image(9, 'ARCHIVE'));
    expect(again).toMatchObject({ duplicate: true, item: { id: first.item.id } });
    expect(other.duplicate).toBe(false);
    expect(q.counts().total.PENDING).toBe(2);
    expect(spoolFiles()).toHaveLength(2);
  });

  it('NFR-REL-01: two concurrent enqueues of one image keep one item and one spool file', async () => {
    const q = await openQueue(manualSender().sender);
    const [a, b] = await Promise.all([q.enqueue(image(15)), q.enqueue(image(15))]);
    expect(a.item.id).toBe(b.item.id);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(spoolFiles()).toHaveLength(1);
  });

  it('NFR-REL-01: the sender reports progress as the progress event (total defaults to the item size)', async () => {
    const q = await openQueue(async (_item, { onProgress }) => {
      onProgress(64);
      onProgress(128, 128);
    });
    const seen: [number, number][] = [];
    q.on('progress', (_item, sent, total) => seen.push([sent, total]));
    await q.enqueue(image(16));
    q.start();
    await settle();
    expect(seen).toEqual([
      [64, 128],
      [128, 128],
    ]);
  });

  it('NFR-REL-01: limits concurrency per destination and orders by priority, then age', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender, { maxConcurrencyPerDestination: 2 });
    await q.enqueue(image(10));
    await q.enqueue(image(11));
    await q.enqueue({ ...image(12), priority: 5 });
    await q.enqueue(image(13));
    await q.enqueue(image(14, 'ARCHIVE'));
    q.start();
    await settle();
    const uid = (n: number) => `1.2.826.0.1.3680043.10.1.${n}`;
    const started = (d: string) =>
      m.calls.filter((c) => c.item.destination === d).map((c) => c.item.sopInstanceUid);
    expect(started('PACS')).toEqual([uid(12), uid(10)]);
    expect(started('ARCHIVE')).toEqual([uid(14)]);
    m.calls.find((c) => c.item.sopInstanceUid === uid(12))!.resolve();
    await settle();
    expect(started('PACS')).toEqual([uid(12), uid(10), uid(11)]);
    expect(q.counts().byDestination.PACS).toMatchObject({ DONE: 1, IN_PROGRESS: 2, PENDING: 1 });
  });

  it('NFR-REL-01: items sharing an order key go one at a time (MPPS N-CREATE before N-SET)', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender);
    const mpps = { destination: 'RIS', sopClassUid: '1.2.840.10008.3.1.2.3.3', sopInstanceUid: '1.2.3.4' };
    await q.enqueue({
      ...mpps,
      kind: 'mpps-create',
      orderKey: 'mpps:1.2.3.4',
      source: { bytes: Buffer.from('c') },
    });
    await q.enqueue({
      ...mpps,
      kind: 'mpps-set',
      orderKey: 'mpps:1.2.3.4',
      source: { bytes: Buffer.from('s1') },
    });
    await q.enqueue({
      ...mpps,
      kind: 'mpps-set',
      orderKey: 'mpps:1.2.3.4',
      source: { bytes: Buffer.from('s2') },
    });
    q.start();
    await settle();
    expect(m.calls.map((c) => c.item.kind)).toEqual(['mpps-create']);
    m.calls[0]!.resolve();
    await settle();
    expect(m.calls.map((c) => c.item.kind)).toEqual(['mpps-create', 'mpps-set']);
    m.calls[1]!.resolve();
    await settle();
    expect(m.calls).toHaveLength(3);
  });

  it('NFR-REL-01: enqueues from a path, bytes or a stream; the copy is independent of the source file', async () => {
    const { writeFile, readFile } = await import('node:fs/promises');
    const q = await openQueue(manualSender().sender);
    const src = join(dir, 'source.dcm');
    await writeFile(src, Buffer.alloc(4096, 1));
    const fromPath = (await q.enqueue({ ...image(20), source: { path: src } })).item;
    await writeFile(src, Buffer.alloc(10, 2));
    const fromStream = (
      await q.enqueue({
        ...image(21),
        source: { stream: Readable.from([Buffer.alloc(1000), Buffer.alloc(24)]) },
      })
    ).item;
    expect(fromPath.size).toBe(4096);
    expect((await readFile(fromPath.path)).equals(Buffer.alloc(4096, 1))).toBe(true);
    expect(fromStream.size).toBe(1024);
  });

  it('NFR-REL-01: no timer while idle; one timer for the next due item, woken by enqueue', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender);
    q.start();
    await settle();
    expect(clock.pending).toEqual([]);
    await q.enqueue(image(30));
    await settle();
    expect(m.calls).toHaveLength(1);
    m.calls[0]!.reject(codeError('HNV_ERR_CONNECT'));
    await settle();
    expect(clock.pending).toEqual([clock.now() + 5000]);
  });

  it('NFR-REL-01: graceful stop finishes in-flight deliveries within the grace period', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender);
    const { item } = await q.enqueue(image(40));
    q.start();
    await settle();
    const stopped = q.stop({ graceMs: 1000 });
    m.calls[0]!.resolve();
    await stopped;
    expect(q.get(item.id)?.state).toBe('DONE');
  });

  it('NFR-REL-01: stop requeues in-flight items it aborts, without counting the attempt', async () => {
    const q = await openQueue(
      (_item, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(codeError('HNV_ERR_CANCELLED')));
        }),
    );
    const { item } = await q.enqueue(image(41));
    q.start();
    await settle();
    const stopped = q.stop({ graceMs: 1000 });
    await clock.advance(1000);
    await stopped;
    expect(q.get(item.id)).toMatchObject({ state: 'RETRYING', attemptCount: 0, nextAttemptAt: clock.now() });
    expect(q.history(item.id).map((a) => a.outcome)).toEqual(['interrupted']);
  });

  it('NFR-OBS-01: logs enqueue/dequeue at info, retry at warn, failure at error, with UIDs only', async () => {
    const lines: { level: string; obj: Record<string, unknown>; msg: string | undefined }[] = [];
    const mk =
      (level: string) =>
      (obj: unknown, msg?: string): void => {
        lines.push({ level, obj: obj as Record<string, unknown>, msg });
      };
    const logger = {
      trace: mk('trace'),
      debug: mk('debug'),
      info: mk('info'),
      warn: mk('warn'),
      error: mk('error'),
      fatal: mk('fatal'),
      child: () => logger,
    };
    let n = 0;
    const q = await openQueue(
      async () => {
        n++;
        throw codeError(n === 1 ? 'HNV_ERR_CONNECT' : 'HNV_ERR_NO_PRESENTATION_CONTEXT');
      },
      { logger },
    );
    await q.enqueue(image(50));
    q.start();
    await clock.advance(5000);
    const seen = lines.map((l) => `${l.level}:${l.msg}`);
    expect(seen).toEqual(
      expect.arrayContaining([
        'info:queue item enqueued',
        'info:queue item dequeued',
        'warn:queue item will be retried',
        'error:queue item failed',
      ]),
    );
    const failedLine = lines.find((l) => l.msg === 'queue item failed')!;
    expect(Object.keys(failedLine.obj).sort()).toEqual(
      [
        'attempt',
        'code',
        'destination',
        'itemId',
        'kind',
        'reason',
        'size',
        'sopClassUid',
        'sopInstanceUid',
      ].sort(),
    );
  });
});
