import { readElements } from '@hnvue/dicom';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInstance } from '../../src/storage/scu.js';
import { makeImage, SOP, TS, writeImageFile } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('hnv-scu-');
});
afterAll(async () => {
  await rmTempDir(dir);
});

describe('C-STORE SCU sources', () => {
  it('FR-DICOM-04.streaming: a large Part 10 file is streamed in bounded chunks, its identity read from the meta header', async () => {
    const image = makeImage({ rows: 1024, columns: 1536 });
    const path = await writeImageFile(dir, image);
    const resolved = await resolveInstance(path);
    expect(resolved).toMatchObject({
      sopClassUid: SOP.dx,
      sopInstanceUid: image.sopInstanceUid,
      transferSyntax: TS.explicit,
      length: image.dataset.length,
    });
    const sizes: number[] = [];
    const chunks: Buffer[] = [];
    for await (const chunk of resolved.chunks()) {
      sizes.push(chunk.length);
      chunks.push(Buffer.from(chunk));
    }
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1 << 20);
    expect(Buffer.concat(chunks).equals(image.dataset)).toBe(true);
  });

  it('FR-DICOM-04.streaming: an in-memory data set gets its SOP Class/Instance UIDs from (0008,0016)/(0008,0018)', async () => {
    const image = makeImage({ sopClassUid: SOP.cr, rows: 8, columns: 8 });
    await expect(
      resolveInstance({ dataset: image.dataset, transferSyntax: TS.explicit }),
    ).resolves.toMatchObject({
      sopClassUid: SOP.cr,
      sopInstanceUid: image.sopInstanceUid,
      length: image.dataset.length,
    });
    // Without its first two elements (the SOP Class and Instance UIDs) it cannot be stored.
    const third = readElements(image.dataset, true).elements[2]!;
    await expect(
      resolveInstance({ dataset: image.dataset.subarray(third.start), transferSyntax: TS.explicit }),
    ).rejects.toMatchObject({ code: 'HNV_ERR_INVALID_ARGUMENT' });
  });
});
