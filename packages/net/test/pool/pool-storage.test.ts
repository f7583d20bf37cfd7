/**
 * The association pool with real peers (FR-DICOM-02): DCMTK storescp counts the associations it
 * receives; our own SCP holds a store to fill the pool, and grants an asynchronous operations
 * window to show one association carrying several stores at once.
 */

import { makeTempDir, rmTempDir, startStorescp } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreScu } from '../../src/storage/client.js';
import { createStorageScp } from '../../src/storage/scp.js';
import { makeImage, type TestImage, TS } from '../storage/helpers.js';

let images: TestImage[];
beforeAll(() => {
  images = Array.from({ length: 8 }, () => makeImage({ rows: 256, columns: 512 }));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Associations storescp accepted (the readiness probe connects too, but never negotiates). */
function associationsSeen(output: string): number {
  return output.split('\n').filter((l) => l.includes('Association Acknowledged')).length;
}

describe('association pool with real peers', () => {
  let out: string;
  beforeAll(async () => {
    out = await makeTempDir('hnv-pool-');
  });
  afterAll(async () => {
    await rmTempDir(out);
  });

  it('FR-DICOM-02.pool: 8 concurrent stores to one destination use at most 4 associations', async () => {
    // --fork: one process per association, so several can be open at once.
    const peer = await startStorescp({ args: ['-v', '--ignore', '--fork'] });
    const client = createStoreScu({
      host: '127.0.0.1',
      port: peer.port,
      calledAeTitle: 'STORESCP',
      callingAeTitle: 'HNVUE',
    });
    try {
      let maxSize = 0;
      const results = await Promise.all(
        images.map(async (image) => {
          const r = await client.store({ dataset: image.dataset, transferSyntax: TS.explicit });
          maxSize = Math.max(maxSize, client.stats[0]?.size ?? 0);
          return r;
        }),
      );
      expect(results.map((r) => r.status)).toEqual(images.map(() => 0));
      expect(maxSize).toBeLessThanOrEqual(4);
      expect(client.stats).toHaveLength(1);
      await client.close();
      expect(associationsSeen(peer.output())).toBeGreaterThan(0);
      expect(associationsSeen(peer.output())).toBeLessThanOrEqual(4);
    } finally {
      client.destroy();
      await peer.stop();
    }
  });

  it('FR-DICOM-02.pool: when every association stays busy past the acquisition timeout, the store fails with PoolExhausted', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const scp = createStorageScp({
      directory: out,
      fsync: false,
      decide: async () => {
        await held;
        return { action: 'store' };
      },
    });
    const port = await scp.listen(0);
    const client = createStoreScu(
      { host: '127.0.0.1', port, calledAeTitle: 'HNVUE', callingAeTitle: 'HNVUE' },
      { pool: { maxSize: 1, acquisitionTimeoutMs: 300 } },
    );
    try {
      const slow = client.store({ dataset: images[0]!.dataset, transferSyntax: TS.explicit });
      const second = client.store({ dataset: images[1]!.dataset, transferSyntax: TS.explicit });
      await expect(second).rejects.toMatchObject({ code: 'HNV_ERR_POOL_EXHAUSTED', reason: 'PoolExhausted' });
      release();
      await expect(slow).resolves.toMatchObject({ status: 0 });
    } finally {
      release();
      await client.close();
      await scp.close({ abort: true });
    }
  });

  it('FR-DICOM-02.pool: an idle association is released by the eviction sweep', async () => {
    const peer = await startStorescp({ args: ['-v', '--ignore'] });
    const client = createStoreScu(
      { host: '127.0.0.1', port: peer.port, calledAeTitle: 'STORESCP', callingAeTitle: 'HNVUE' },
      { pool: { idleTimeoutMs: 150, evictionIntervalMs: 50 } },
    );
    try {
      await client.store({ dataset: images[0]!.dataset, transferSyntax: TS.explicit });
      expect(client.stats[0]).toMatchObject({ size: 1, idle: 1 });
      for (let i = 0; i < 40 && !peer.output().includes('Association Release'); i++) await sleep(50);
      expect(client.stats[0]).toMatchObject({ size: 0 });
      expect(peer.output()).toContain('Association Release');
    } finally {
      await client.close();
      await peer.stop();
    }
  });

  it('FR-DICOM-02.pool: a granted asynchronous operations window lets one association carry several stores at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const scp = createStorageScp({
      directory: out,
      fsync: false,
      server: { asyncOpsWindow: { maxOperationsInvoked: 4, maxOperationsPerformed: 4 } },
      decide: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(50);
        inFlight--;
        return { action: 'store' };
      },
    });
    const port = await scp.listen(0);
    const client = createStoreScu(
      {
        host: '127.0.0.1',
        port,
        calledAeTitle: 'HNVUE',
        callingAeTitle: 'HNVUE',
        asyncOpsWindow: { maxOperationsInvoked: 4, maxOperationsPerformed: 4 },
      },
      { pool: { maxSize: 1 } },
    );
    try {
      const results = await Promise.all(
        images
          .slice(0, 4)
          .map((image) => client.store({ dataset: image.dataset, transferSyntax: TS.explicit })),
      );
      expect(results.map((r) => r.status)).toEqual([0, 0, 0, 0]);
      expect(client.stats[0]).toMatchObject({ size: 1 });
      expect(maxInFlight).toBeGreaterThan(1);
    } finally {
      await client.close();
      await scp.close({ abort: true });
    }
  });
});
