import { randomBytes } from 'node:crypto';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association } from '../../src/association.js';
import { DATASET_FLUSHED } from '../../src/dimse/fragment.js';
import { storageContexts } from '../../src/storage/negotiation.js';
import { createStorageScp, type StoredInstance } from '../../src/storage/scp.js';
import { resolveInstance, storeInstances } from '../../src/storage/scu.js';
import { makeImage, readPart10, SOP, type TestImage, writeImageFile } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('hnv-read-pool-');
});
afterAll(async () => {
  await rmTempDir(dir);
});

/** Random pixels: two files of one size never share bytes, so a mixed-up buffer shows. */
function noisyImage(rows: number, columns: number): TestImage {
  return makeImage({ rows, columns, pixels: randomBytes(rows * columns * 2) });
}

type Flushable = AsyncIterable<Uint8Array> & { [DATASET_FLUSHED]?: (bytes: number) => void };

describe('C-STORE SCU read buffers (reused only once written)', () => {
  it('FR-DICOM-04.streaming: a large file reuses a handful of read buffers when writes are reported, and never a lent one', async () => {
    const image = noisyImage(2048, 2048); // 8 MiB of pixels: 8 reads
    const path = await writeImageFile(dir, image);
    const resolved = await resolveInstance(path);

    // Reported after each chunk is copied (what the socket's write callback does): reused.
    const reported = resolved.chunks() as Flushable;
    expect(typeof reported[DATASET_FLUSHED]).toBe('function');
    const copies: Buffer[] = [];
    const backings = new Set<ArrayBufferLike>();
    let written = 0;
    for await (const chunk of reported) {
      backings.add(chunk.buffer);
      copies.push(Buffer.from(chunk));
      written += chunk.length;
      reported[DATASET_FLUSHED]!(written);
    }
    expect(Buffer.concat(copies).equals(image.dataset)).toBe(true);
    expect(copies.length).toBeGreaterThanOrEqual(8);
    expect(backings.size).toBeLessThanOrEqual(4);

    // Never reported: every chunk stays valid, so every one has its own buffer.
    const kept: Uint8Array[] = [];
    for await (const chunk of resolved.chunks()) kept.push(chunk);
    expect(new Set(kept.map((c) => c.buffer)).size).toBe(kept.length);
    expect(Buffer.concat(kept).equals(image.dataset)).toBe(true);
  });

  it('FR-DICOM-04.streaming: a small file whose buffer went back to the pool is read again when sent a second time', async () => {
    const first = noisyImage(64, 64);
    const other = noisyImage(64, 64);
    const firstPath = await writeImageFile(dir, first);
    const otherPath = await writeImageFile(dir, other);
    // A send fills the pool (an exact-size buffer is replaced by a pool-sized one).
    const primer = await resolveInstance(otherPath);
    const primed = primer.chunks() as Flushable;
    for await (const _ of primed) void _;
    primed[DATASET_FLUSHED]!(other.dataset.length);

    const resolved = await resolveInstance(firstPath);
    const lent = resolved.chunks() as Flushable;
    const sent: Uint8Array[] = [];
    let lentBuffer: ArrayBufferLike | undefined;
    for await (const chunk of lent) {
      lentBuffer = chunk.buffer;
      sent.push(Buffer.from(chunk));
    }
    expect(Buffer.concat(sent).equals(first.dataset)).toBe(true);
    lent[DATASET_FLUSHED]!(first.dataset.length);
    // The pooled buffer now holds the other file…
    const next = await resolveInstance(otherPath);
    const nextBytes: Uint8Array[] = [];
    for await (const chunk of next.chunks()) {
      expect(chunk.buffer).toBe(lentBuffer);
      nextBytes.push(Buffer.from(chunk));
    }
    expect(Buffer.concat(nextBytes).equals(other.dataset)).toBe(true);
    // …and the first instance still sends its own bytes, and loads them for transcoding.
    const again: Uint8Array[] = [];
    for await (const chunk of resolved.chunks()) again.push(Buffer.from(chunk));
    expect(Buffer.concat(again).equals(first.dataset)).toBe(true);
    expect(Buffer.from(await resolved.load()).equals(first.dataset)).toBe(true);
  });

  it('FR-DICOM-04 NFR-PERF-01: large and small files stored over TCP arrive byte for byte (pooled buffers recycled on write)', async () => {
    const out = await makeTempDir('hnv-read-pool-out-');
    const stored: StoredInstance[] = [];
    const server = createStorageScp({ directory: out, fsync: false, onStored: (i) => stored.push(i) });
    const port = await server.listen(0);
    try {
      const images = [
        noisyImage(1500, 1500),
        ...Array.from({ length: 24 }, () => noisyImage(128, 160)),
        noisyImage(1200, 1700),
        noisyImage(1500, 1500),
      ];
      const paths: string[] = [];
      for (const image of images) paths.push(await writeImageFile(dir, image));
      const association = await Association.open({
        host: '127.0.0.1',
        port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'HNVUE',
        presentationContexts: storageContexts([{ sopClassUid: SOP.dx }]),
      });
      const outcomes = await storeInstances(association, paths);
      await association.release();
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(stored).toHaveLength(images.length);
      for (const image of images) {
        const received = stored.find((s) => s.sopInstanceUid === image.sopInstanceUid);
        expect(received).toBeDefined();
        const { dataset } = await readPart10(received!.path);
        expect(dataset.equals(image.dataset)).toBe(true);
      }
    } finally {
      await server.close({ abort: true });
      await rmTempDir(out);
    }
  });
});
