/**
 * Enqueue throughput (items/s, each with its fsynced spool file and committed row) for 100 KB and
 * 18 MB images, and the queue's own overhead per delivered image with a no-op sender.
 *
 * Run from /work/main: node --conditions=@hnvue/source --import tsx packages/queue/scripts/bench-enqueue.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransmissionQueue } from '../src/index.js';

const SOP_CLASS = '1.2.840.10008.5.1.4.1.1.1.1';

async function enqueueRun(
  label: string,
  bytes: number,
  count: number,
  from: 'path' | 'bytes',
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hnvue-bench-queue-'));
  try {
    const payload = Buffer.alloc(bytes, 0x5a);
    const src = join(dir, 'source.dcm');
    await writeFile(src, payload);
    const queue = await TransmissionQueue.open({ dir: join(dir, 'q'), sender: async () => {} });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      await queue.enqueue({
        destination: 'PACS',
        sopClassUid: SOP_CLASS,
        sopInstanceUid: `1.2.826.0.1.3680043.10.999.${i + 1}`,
        source: from === 'path' ? { path: src } : { bytes: payload },
      });
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    await queue.close();
    console.log(
      `${label.padEnd(28)} ${count} items in ${s.toFixed(2)} s: ${(count / s).toFixed(1)} items/s, ` +
        `${((s / count) * 1000).toFixed(1)} ms/item, ${((bytes * count) / s / 1e6).toFixed(0)} MB/s`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function overheadRun(count: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hnvue-bench-queue-'));
  try {
    let delivered = 0;
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((r) => {
      resolveAll = r;
    });
    const queue = await TransmissionQueue.open({ dir: join(dir, 'q'), sender: async () => {} });
    queue.on('delivered', () => {
      if (++delivered === count) resolveAll();
    });
    const payload = Buffer.alloc(1024);
    for (let i = 0; i < count; i++) {
      await queue.enqueue({
        destination: 'PACS',
        sopClassUid: SOP_CLASS,
        sopInstanceUid: `1.2.826.0.1.3680043.10.998.${i + 1}`,
        source: { bytes: payload },
      });
    }
    const t0 = process.hrtime.bigint();
    queue.start();
    await all;
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    await queue.close();
    console.log(
      `delivery overhead (no-op)    ${count} items in ${s.toFixed(2)} s: ${((s / count) * 1000).toFixed(2)} ms/item ` +
        '(claim + attempt row + DONE commit + unlink)',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await enqueueRun('enqueue 100 KB from bytes', 100 * 1024, 200, 'bytes');
await enqueueRun('enqueue 100 KB from path', 100 * 1024, 200, 'path');
await enqueueRun('enqueue 18 MB from bytes', 18 * 1024 * 1024, 20, 'bytes');
await enqueueRun('enqueue 18 MB from path', 18 * 1024 * 1024, 20, 'path');
await overheadRun(500);
