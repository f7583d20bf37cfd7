/**
 * NFR-REL-01 with a real PACS going away: Orthanc is stopped in the middle of a batch and started
 * again (same storage) later; every image still arrives, and the retries are in the history.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FailureClass, type QueueItem, type Sender, TransmissionQueue } from '../src/index.js';
import { DX_SOP_CLASS, makeImages } from './helpers/images.js';
import { createOrthanc, type PersistentOrthanc } from './helpers/orthanc.js';
import { removeDir, tempDir } from './helpers/setup.js';
import { storescuSender } from './helpers/storescu-sender.js';

const COUNT = 30;
let dir: string;
let orthanc: PersistentOrthanc;

beforeAll(async () => {
  dir = await tempDir('hnvue-queue-outage-');
  orthanc = await createOrthanc(join(dir, 'orthanc'));
  await orthanc.start();
});

afterAll(async () => {
  await orthanc?.stop();
  await removeDir(dir);
});

function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

describe('PACS outage', () => {
  it('NFR-REL-01: Orthanc stopped mid-batch and restarted later: every image delivered, retries visible in history', async () => {
    const images = await makeImages(dir, COUNT);
    // Sends after the 8th wait until Orthanc is down, so the outage always catches part of the
    // batch however fast the machine is.
    let openGate!: () => void;
    const outageStarted = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let sends = 0;
    const storescu = storescuSender({ host: '127.0.0.1', port: orthanc.dicomPort, calledAe: 'ORTHANC' });
    const sender: Sender = async (item, context) => {
      if (sends++ >= 8) await outageStarted;
      return storescu(item, context);
    };
    const queue = await TransmissionQueue.open({
      dir: join(dir, 'queue'),
      sender,
      initialIntervalMs: 250,
      backoffMultiplier: 2,
      maxIntervalMs: 1000,
      maxAttempts: 50,
    });
    const delivered = new Set<number>();
    const retries: FailureClass[] = [];
    const failed: QueueItem[] = [];
    queue.on('delivered', (item) => delivered.add(item.id));
    queue.on('retrying', (_item, f) => retries.push(f));
    queue.on('failed', (item) => failed.push(item));
    try {
      for (const image of images) {
        await queue.enqueue({
          destination: 'PACS',
          sopClassUid: DX_SOP_CLASS,
          sopInstanceUid: image.sopInstanceUid,
          source: { path: image.path },
        });
      }
      queue.start();
      await waitFor(() => delivered.size >= 8, '8 deliveries before the outage');
      await orthanc.stop();
      openGate();
      await waitFor(
        () => retries.filter((r) => r.code === 'HNV_ERR_CONNECT').length >= 6,
        'refused connections',
      );
      // The outage really caught part of the batch.
      expect(delivered.size).toBeLessThan(COUNT);
      await orthanc.start();
      await waitFor(() => delivered.size === COUNT || failed.length > 0, 'all deliveries after the restart');

      expect(failed).toEqual([]);
      expect(queue.counts().total).toEqual({
        PENDING: 0,
        IN_PROGRESS: 0,
        RETRYING: 0,
        DONE: COUNT,
        FAILED: 0,
      });
      const histories = queue.list().map((i) => queue.history(i.id));
      const retried = histories.filter((h) => h.some((a) => a.outcome === 'retry'));
      expect(retried.length).toBeGreaterThan(0);
      for (const h of retried) {
        expect(h.at(-1)?.outcome).toBe('delivered');
        expect(h.some((a) => a.errorCode === 'HNV_ERR_CONNECT')).toBe(true);
      }
      const stats = await orthanc.rest<{ CountInstances: number }>('/statistics');
      expect(stats.CountInstances).toBe(COUNT);
    } finally {
      await queue.close();
    }
  }, 120_000);
});
