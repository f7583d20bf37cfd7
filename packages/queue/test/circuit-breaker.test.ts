/**
 * NFR-REL-01, issue 17 item 7: per-destination health. Unit tests of the breaker's states, and
 * the queue with a fake clock: an unreachable destination costs one probe per back-off step,
 * not one attempt per item.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DestinationBreakers } from '../src/breaker.js';
import { type DestinationHealth, type QueueOptions, type Sender, TransmissionQueue } from '../src/index.js';
import { FakeClock, settle } from './helpers/fake-clock.js';
import { codeError, image, manualSender, removeDir, tempDir } from './helpers/setup.js';

const BACKOFF = { initialIntervalMs: 1000, backoffMultiplier: 2, maxIntervalMs: 4000 };

describe('DestinationBreakers', () => {
  it('NFR-REL-01: closed admits every free slot; a network failure opens it for the first back-off step', () => {
    const b = new DestinationBreakers(BACKOFF);
    expect(b.admit('PACS', 0, 4, 0)).toBe(4);
    expect(b.unreachable('PACS', 100, 'HNV_ERR_CONNECT')).toBe(true);
    expect(b.health('PACS')).toMatchObject({ state: 'open', failures: 1, nextProbeAt: 1100, openedAt: 100 });
    expect(b.admit('PACS', 1099, 4, 0)).toBe(0);
    expect(b.nextProbeAt()).toBe(1100);
  });

  it('NFR-REL-01: failures of deliveries already out when it tripped change nothing', () => {
    const b = new DestinationBreakers(BACKOFF);
    b.unreachable('PACS', 0, 'HNV_ERR_CONNECT');
    expect(b.unreachable('PACS', 10, 'HNV_ERR_TIMEOUT')).toBe(false);
    expect(b.health('PACS')).toMatchObject({ state: 'open', failures: 1, nextProbeAt: 1000 });
    // A delivery still out: its outcome decides before any probe.
    expect(b.admit('PACS', 2000, 3, 1)).toBe(0);
  });

  it('NFR-REL-01: half-open lets exactly one probe go; a failed probe reopens with the next back-off step', () => {
    const b = new DestinationBreakers(BACKOFF);
    b.unreachable('PACS', 0, 'HNV_ERR_CONNECT');
    expect(b.admit('PACS', 1000, 4, 0)).toBe(1);
    expect(b.health('PACS').state).toBe('half-open');
    expect(b.admit('PACS', 1001, 3, 1)).toBe(0);
    expect(b.unreachable('PACS', 1050, 'HNV_ERR_CONNECT')).toBe(true);
    expect(b.health('PACS')).toMatchObject({ state: 'open', failures: 2, nextProbeAt: 3050 });
    expect(b.admit('PACS', 3050, 4, 0)).toBe(1);
    b.unreachable('PACS', 3060, 'HNV_ERR_CONNECT');
    expect(b.health('PACS').nextProbeAt).toBe(7060);
    expect(b.admit('PACS', 7060, 4, 0)).toBe(1);
    b.unreachable('PACS', 7070, 'HNV_ERR_CONNECT');
    // maxIntervalMs caps the step (NFR-REL-01 back-off).
    expect(b.health('PACS').nextProbeAt).toBe(11_070);
  });

  it('NFR-REL-01: a probe that reaches the destination closes it; other destinations are independent', () => {
    const b = new DestinationBreakers(BACKOFF);
    b.unreachable('PACS', 0, 'HNV_ERR_CONNECT');
    b.unreachable('RIS', 0, 'HNV_ERR_CONNECT');
    expect(b.admit('PACS', 1000, 4, 0)).toBe(1);
    expect(b.reached('PACS')).toBe(true);
    expect(b.health('PACS')).toMatchObject({ state: 'closed', failures: 0, nextProbeAt: null });
    expect(b.admit('PACS', 1001, 4, 0)).toBe(4);
    expect(b.unhealthy().map((h) => h.destination)).toEqual(['RIS']);
    expect(b.reached('PACS')).toBe(false);
  });

  it('NFR-REL-01: an abandoned probe and an explicit retry let the next probe go at once', () => {
    const b = new DestinationBreakers(BACKOFF);
    b.unreachable('PACS', 0, 'HNV_ERR_CONNECT');
    expect(b.admit('PACS', 1000, 4, 0)).toBe(1);
    b.probeAbandoned('PACS', 1500);
    expect(b.health('PACS')).toMatchObject({ state: 'open', nextProbeAt: 1500 });
    b.unreachable('PACS', 1500, 'HNV_ERR_CONNECT');
    b.probeNow('PACS', 1600);
    expect(b.admit('PACS', 1600, 4, 0)).toBe(1);
  });
});

describe('TransmissionQueue with an unreachable destination', () => {
  let dir: string;
  let clock: FakeClock;
  const open: TransmissionQueue[] = [];

  beforeEach(async () => {
    dir = await tempDir();
    clock = new FakeClock();
  });

  afterEach(async () => {
    for (const q of open.splice(0)) await q.close({ graceMs: 0 });
    await removeDir(dir);
  });

  async function openQueue(sender: Sender, options: Partial<QueueOptions> = {}): Promise<TransmissionQueue> {
    const q = await TransmissionQueue.open({ dir, sender, clock, ...BACKOFF, ...options });
    open.push(q);
    return q;
  }

  it('NFR-REL-01: 50 items, destination down: one probe per back-off step, then all delivered in order', async () => {
    let up = false;
    const started: number[] = [];
    const sender: Sender = async (item) => {
      started.push(item.id);
      if (!up) throw codeError('HNV_ERR_CONNECT');
    };
    const q = await openQueue(sender);
    const health: DestinationHealth[] = [];
    q.on('health', (h) => health.push(h));
    for (let n = 1; n <= 50; n++) await q.enqueue(image(n));
    q.start();
    await settle();
    // The deliveries out before the first failure came back: the concurrency limit, no more.
    expect(started).toHaveLength(4);
    expect(q.health('PACS')).toMatchObject({ state: 'open', failures: 1, lastErrorCode: 'HNV_ERR_CONNECT' });
    expect(q.health()).toHaveLength(1);
    await clock.advance(10_000);
    // Probes at +1 s, +3 s, +7 s (the 4 s cap next: +11 s): one item each.
    expect(started).toHaveLength(7);
    expect(q.counts().byDestination.PACS?.DONE ?? 0).toBe(0);
    up = true;
    await clock.advance(1_000);
    await settle();
    expect(started).toHaveLength(8 + 50 - 1);
    expect(q.counts().byDestination.PACS?.DONE).toBe(50);
    expect(q.health('PACS').state).toBe('closed');
    expect(q.health()).toEqual([]);
    // After the probe, every item went out once, in enqueue order.
    const after = started.slice(8);
    expect(after).toEqual([...after].sort((a, b) => a - b));
    expect(new Set(started.slice(7))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => i + 1)));
    expect(health.map((h) => h.state)).toEqual([
      'open',
      'half-open',
      'open',
      'half-open',
      'open',
      'half-open',
      'open',
      'half-open',
      'closed',
    ]);
  });

  it('NFR-REL-01: a failure that is not the network (a DIMSE status) leaves the breaker closed', async () => {
    const m = manualSender();
    const q = await openQueue(m.sender);
    await q.enqueue(image(1));
    await q.enqueue(image(2));
    q.start();
    await settle();
    m.calls[0]!.reject(codeError('HNV_ERR_DIMSE_FAILURE', { status: 0xa700 }));
    await settle();
    expect(q.health('PACS').state).toBe('closed');
    expect(q.get(1)?.state).toBe('RETRYING');
  });

  it('NFR-REL-01: with circuitBreaker: false each item backs off on its own', async () => {
    const started: number[] = [];
    const q = await openQueue(
      async (item) => {
        started.push(item.id);
        throw codeError('HNV_ERR_CONNECT');
      },
      { circuitBreaker: false, maxConcurrencyPerDestination: 1 },
    );
    for (let n = 1; n <= 5; n++) await q.enqueue(image(n));
    q.start();
    await clock.advance(1);
    expect(started.length).toBe(5);
    expect(q.health()).toEqual([]);
  });
});
