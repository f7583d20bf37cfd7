import { afterEach, describe, expect, it, vi } from 'vitest';
import { AssociationPool, AssociationPools, type PoolResource, poolKeyString } from '../../src/pool/index.js';

class FakeAssociation implements PoolResource {
  static opened = 0;
  usable = true;
  released = false;
  aborted = false;
  constructor(readonly capacity = 1) {
    FakeAssociation.opened++;
  }
  async release(): Promise<void> {
    this.released = true;
    this.usable = false;
  }
  abort(): void {
    this.aborted = true;
    this.usable = false;
  }
}

function makePool(options: Partial<ConstructorParameters<typeof AssociationPool<FakeAssociation>>[0]> = {}) {
  const created: FakeAssociation[] = [];
  const pool = new AssociationPool<FakeAssociation>({
    create: async () => {
      const a = new FakeAssociation();
      created.push(a);
      return a;
    },
    ...options,
  });
  return { pool, created };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('association pool (FR-DICOM-02)', () => {
  it('FR-DICOM-02.pool: 8 concurrent operations on one destination use at most 4 associations', async () => {
    const { pool, created } = makePool({ maxSize: 4 });
    let running = 0;
    let peak = 0;
    const op = () =>
      pool.use(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
      });
    await Promise.all(Array.from({ length: 8 }, op));
    expect(created.length).toBe(4);
    expect(peak).toBe(4);
    expect(pool.stats).toMatchObject({ size: 4, busy: 0, idle: 4, waiting: 0 });
    await pool.close();
    expect(created.every((a) => a.released)).toBe(true);
  });

  it('FR-DICOM-02.pool: exhaustion fails with code PoolExhausted after acquisitionTimeoutMs', async () => {
    vi.useFakeTimers();
    const { pool } = makePool({ maxSize: 1, acquisitionTimeoutMs: 30_000 });
    const held = await pool.acquire();
    const waiting = pool.acquire();
    const settled = vi.fn();
    waiting.then(settled, settled);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(waiting).rejects.toMatchObject({ code: 'HNV_ERR_POOL_EXHAUSTED', reason: 'PoolExhausted' });
    held.release();
    pool.destroy();
  });

  it('FR-DICOM-02.pool: a waiter gets the association released by another operation, FIFO', async () => {
    const { pool, created } = makePool({ maxSize: 1 });
    const first = await pool.acquire();
    const order: number[] = [];
    const a = pool.acquire().then((l) => {
      order.push(1);
      l.release();
    });
    const b = pool.acquire().then((l) => {
      order.push(2);
      l.release();
    });
    first.release();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
    expect(created.length).toBe(1);
    pool.destroy();
  });

  it('FR-DICOM-02.pool: idle associations are released by the eviction sweep', async () => {
    vi.useFakeTimers();
    const { pool, created } = makePool({ idleTimeoutMs: 30_000, evictionIntervalMs: 10_000 });
    await pool.use(async () => {});
    expect(pool.stats.idle).toBe(1);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(created[0]!.released).toBe(false);
    // idle 30 s is reached at t=30 s; the sweep runs at t=30 s or 40 s at the latest.
    await vi.advanceTimersByTimeAsync(11_000);
    expect(created[0]!.released).toBe(true);
    expect(pool.stats.size).toBe(0);
    pool.destroy();
  });

  it('FR-DICOM-02.pool: a dead or aborted association is discarded, never handed out', async () => {
    const { pool, created } = makePool({ maxSize: 2 });
    await pool.use(async (a) => {
      a.abort(); // e.g. the peer aborted mid-operation
    });
    expect(pool.stats.size).toBe(0);
    await pool.use(async () => {});
    created[1]!.usable = false; // socket closed while idle
    const lease = await pool.acquire();
    expect(lease.resource).toBe(created[2]);
    expect(created[1]!.aborted).toBe(true);
    lease.release();
    pool.destroy();
  });

  it('FR-DICOM-02.pool: a failing factory rejects one acquirer and frees the slot', async () => {
    let fail = true;
    const pool = new AssociationPool<FakeAssociation>({
      maxSize: 1,
      create: async () => {
        if (fail) {
          fail = false;
          throw new Error('connection refused');
        }
        return new FakeAssociation();
      },
    });
    await expect(pool.acquire()).rejects.toThrow('connection refused');
    const lease = await pool.acquire();
    expect(lease.resource.usable).toBe(true);
    lease.release();
    pool.destroy();
  });

  it('FR-DICOM-02.pool: a granted asynchronous operations window lets one association carry several operations', async () => {
    const created: FakeAssociation[] = [];
    const pool = new AssociationPool<FakeAssociation>({
      maxSize: 4,
      create: async () => {
        const a = new FakeAssociation(3);
        created.push(a);
        return a;
      },
    });
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(created.length).toBeLessThanOrEqual(3);
    const fourth = await pool.acquire();
    for (const l of [...leases, fourth]) l.release();
    expect(created.length).toBeLessThan(4);
    pool.destroy();
  });

  it('FR-DICOM-02.pool: close() drains borrowed associations before releasing; destroy() aborts and fails waiters', async () => {
    const { pool, created } = makePool({ maxSize: 1 });
    const lease = await pool.acquire();
    const waiter = pool.acquire();
    const closing = pool.close();
    await expect(waiter).rejects.toMatchObject({ code: 'HNV_ERR_POOL_CLOSED' });
    await expect(pool.acquire()).rejects.toMatchObject({ code: 'HNV_ERR_POOL_CLOSED' });
    expect(created[0]!.released).toBe(false);
    lease.release();
    await closing;
    expect(created[0]!.released).toBe(true);

    const other = makePool({ maxSize: 1 });
    const held = await other.pool.acquire();
    const w2 = other.pool.acquire();
    other.pool.destroy(new Error('shutdown'));
    await expect(w2).rejects.toMatchObject({ code: 'HNV_ERR_POOL_CLOSED' });
    expect(held.resource.aborted).toBe(true);
  });

  it('FR-DICOM-02.pool: pools are keyed by called AE, host, port and the transfer syntax set', () => {
    const pools = new AssociationPools<FakeAssociation>({ maxSize: 2 });
    const create = async () => new FakeAssociation();
    const k = {
      calledAeTitle: 'PACS',
      host: '127.0.0.1',
      port: 104,
      transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'],
    };
    const a = pools.get(k, create);
    expect(pools.get({ ...k, transferSyntaxes: ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'] }, create)).toBe(
      a,
    );
    expect(pools.get({ ...k, port: 105 }, create)).not.toBe(a);
    expect(pools.get({ ...k, transferSyntaxes: ['1.2.840.10008.1.2'] }, create)).not.toBe(a);
    expect(poolKeyString(k)).toBe('PACS@127.0.0.1:104[1.2.840.10008.1.2,1.2.840.10008.1.2.1]');
    expect(pools.size).toBe(3);
    pools.destroy();
  });
});
