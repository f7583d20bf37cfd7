import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  concatBytes,
  encodePart10Header,
  findElement,
  readElements,
  readSopUids,
  stringValue,
  TAG,
} from '@hnvue/dicom';
import { makeTempDir, rmTempDir, run } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcodeDataset } from '../../src/storage/transcode.js';
import { convertFile, decodedPixels, makeImage, readPart10, SOP, TS, writeImageFile } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('hnv-transcode-');
});
afterAll(async () => {
  await rmTempDir(dir);
});

async function writeDataset(
  name: string,
  sop: { sopClassUid: string; sopInstanceUid: string },
  ts: string,
  dataset: Uint8Array,
) {
  const path = join(dir, name);
  const header = encodePart10Header({
    mediaStorageSopClassUid: sop.sopClassUid,
    mediaStorageSopInstanceUid: sop.sopInstanceUid,
    transferSyntaxUid: ts,
    implementationClassUid: '1.2.3.4',
  });
  await writeFile(path, Buffer.concat([header, dataset]));
  return path;
}

describe('data set transcoding', () => {
  it('FR-DICOM-04.transcode: Explicit → Implicit VR LE keeps every value, sequences included (read back by DCMTK)', async () => {
    const image = makeImage({ rows: 64, columns: 64 });
    const implicit = concatBytes(await transcodeDataset(image.dataset, TS.explicit, TS.implicit));
    const path = await writeDataset('implicit.dcm', image, TS.implicit, implicit);
    const dump = await run('dcmdump', ['-q', '+L', path]);
    expect(dump.code).toBe(0);
    expect(dump.stdout).toContain('(0008,0104) LO [Chest PA]');
    expect(dump.stdout).toContain(`(0008,0018) UI [${image.sopInstanceUid}]`);
    expect(dump.stdout).toMatch(/\(7fe0,0010\) OW/);
    expect(await decodedPixels(path, dir)).toEqual(image.pixels);

    // And back: Implicit → Explicit needs the data dictionary for every VR.
    const back = concatBytes(await transcodeDataset(implicit, TS.implicit, TS.explicit));
    const { elements } = readElements(back, true);
    expect(elements.map((e) => e.vr)).toEqual(readElements(image.dataset, true).elements.map((e) => e.vr));
    const pixel = findElement(elements, TAG.pixelData)!;
    expect(Buffer.from(back.subarray(pixel.valueStart, pixel.end))).toEqual(image.pixels);
    expect(readSopUids(back, TS.explicit)).toEqual({
      sopClassUid: image.sopClassUid,
      sopInstanceUid: image.sopInstanceUid,
    });
  });

  for (const target of [TS.jpeg2000Lossless, TS.jpegLosslessSv1]) {
    it(`FR-DICOM-04.transcode: Explicit VR LE → ${target} with @hnvue/native is pixel-exact when GDCM decodes it`, async () => {
      const image = makeImage({ sopClassUid: SOP.cr, rows: 128, columns: 96 });
      const encoded = concatBytes(await transcodeDataset(image.dataset, TS.explicit, target));
      const path = await writeDataset(`to-${target}.dcm`, image, target, encoded);
      expect((await run('dcmdump', ['-q', path])).stdout).toContain('(0008,0104) LO [Chest PA]');
      expect(await decodedPixels(path, dir)).toEqual(image.pixels);
    });
  }

  for (const source of [TS.jpeg2000Lossless, TS.jpegLosslessSv1, TS.implicit]) {
    it(`FR-DICOM-04.transcode: a file made by DCMTK/GDCM in ${source} decodes to the original pixels (→ Explicit VR LE)`, async () => {
      const image = makeImage({ rows: 80, columns: 112 });
      const original = await writeImageFile(dir, image, `orig-${source}.dcm`);
      const converted = await convertFile(original, source, join(dir, `conv-${source}.dcm`));
      const { transferSyntax, dataset } = await readPart10(converted);
      expect(transferSyntax).toBe(source);
      const explicit = concatBytes(await transcodeDataset(new Uint8Array(dataset), source, TS.explicit));
      const { elements } = readElements(explicit, true);
      const pixel = findElement(elements, TAG.pixelData)!;
      expect(Buffer.from(explicit.subarray(pixel.valueStart, pixel.end))).toEqual(image.pixels);
      expect(stringValue(explicit, findElement(elements, TAG.photometricInterpretation))).toBe('MONOCHROME2');
    });
  }

  it('FR-DICOM-04.transcode: an irreversible encoding records Lossy Image Compression 01, its ratio and method, appended to earlier ones (PS3.3 C.7.6.1.1.5)', async () => {
    const image = makeImage({ rows: 64, columns: 48 });
    const attributes = (parts: Uint8Array[], ts: string) => {
      const bytes = concatBytes(parts);
      const { elements } = readElements(bytes, ts !== TS.implicit);
      const value = (tag: number) => stringValue(bytes, findElement(elements, tag))?.trim();
      return {
        lossy: value(TAG.LossyImageCompression),
        ratio: value(TAG.LossyImageCompressionRatio),
        method: value(TAG.LossyImageCompressionMethod),
      };
    };
    const nearLossless = '1.2.840.10008.1.2.4.81';
    const jpeg12 = '1.2.840.10008.1.2.4.51';
    const first = await transcodeDataset(image.dataset, TS.explicit, nearLossless, { allowLossy: true });
    const once = attributes(first, nearLossless);
    expect(once).toMatchObject({ lossy: '01', method: 'ISO_14495_1' });
    expect(Number(once.ratio)).toBeGreaterThan(1);
    // Decoding keeps the record; a second lossy step appends its own ratio and method.
    const decoded = await transcodeDataset(concatBytes(first), nearLossless, TS.explicit);
    expect(attributes(decoded, TS.explicit)).toEqual(once);
    const second = attributes(
      await transcodeDataset(concatBytes(decoded), TS.explicit, jpeg12, { allowLossy: true }),
      jpeg12,
    );
    expect(second.lossy).toBe('01');
    expect(second.method).toBe('ISO_14495_1\\ISO_10918_1');
    expect(second.ratio?.split('\\')).toHaveLength(2);
    expect(second.ratio?.split('\\')[0]).toBe(once.ratio);
    // Our JPEG 2000 encoder is reversible under .91 too: nothing is lost, nothing is recorded.
    const j2k = '1.2.840.10008.1.2.4.91';
    const reversible = await transcodeDataset(image.dataset, TS.explicit, j2k, { allowLossy: true });
    expect(attributes(reversible, j2k).lossy).toBeUndefined();
  });

  it('FR-DICOM-04.negotiation: lossy targets are refused unless the destination allows them', async () => {
    const image = makeImage({ rows: 16, columns: 16 });
    await expect(
      transcodeDataset(image.dataset, TS.explicit, '1.2.840.10008.1.2.4.91'),
    ).rejects.toMatchObject({
      code: 'HNV_ERR_STORE_TRANSCODE',
    });
    const raw = await readFile(await writeImageFile(dir, image, 'small.dcm'));
    expect(raw.length).toBeGreaterThan(image.dataset.length);
  });
});
