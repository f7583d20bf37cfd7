/**
 * An encapsulated source with an Extended Offset Table (PS3.3 C.7.6.3.1.8, PS3.5 A.4): its frames
 * are found through the table, the table never survives into re-encoded pixels (its offsets would
 * describe fragments that are gone), and a malformed one is a typed error.
 */
import { concatBytes, findElement, readElements, TAG } from '@hnvue/dicom';
import { decapsulate, encapsulateParts, writeExtendedOffsetTable } from '@hnvue/native';
import { describe, expect, it } from 'vitest';
import { TranscodeError, transcodeDataset } from '../../src/storage/transcode.js';
import { makeImage, TS } from './helpers.js';

/** Explicit VR LE element with a 4-byte length (OV, OB). */
function longElement(tag: number, vr: string, value: Uint8Array): Uint8Array {
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  header[4] = vr.charCodeAt(0);
  header[5] = vr.charCodeAt(1);
  view.setUint32(8, value.length, true);
  return concatBytes([header, value]);
}

/** A JPEG 2000 data set whose Pixel Data has an empty Basic Offset Table and an Extended one. */
async function withExtendedOffsetTable(lengths?: (real: Uint8Array) => Uint8Array) {
  const image = makeImage({ rows: 32, columns: 48 });
  const j2k = concatBytes(await transcodeDataset(image.dataset, TS.explicit, TS.jpeg2000Lossless));
  const { elements } = readElements(j2k, true);
  const pixel = findElement(elements, TAG.pixelData)!;
  const frames = decapsulate(j2k.subarray(pixel.valueStart, pixel.end), 1);
  const encapsulated = encapsulateParts(frames, 'extended');
  const table = encapsulated.extendedOffsetTable!;
  const header = j2k.subarray(pixel.start, pixel.valueStart);
  const dataset = concatBytes([
    j2k.subarray(0, pixel.start),
    longElement(TAG.ExtendedOffsetTable, 'OV', table.offsets),
    longElement(TAG.ExtendedOffsetTableLengths, 'OV', lengths ? lengths(table.lengths) : table.lengths),
    header,
    ...encapsulated.parts,
    j2k.subarray(pixel.end),
  ]);
  return { image, dataset };
}

function hasTable(dataset: Uint8Array): boolean {
  const { elements } = readElements(dataset, true);
  return (
    findElement(elements, TAG.ExtendedOffsetTable) !== undefined ||
    findElement(elements, TAG.ExtendedOffsetTableLengths) !== undefined
  );
}

describe('FR-DICOM-04.transcode: sources with an Extended Offset Table', () => {
  it('FR-DICOM-04.transcode: decoded to Explicit VR LE through the table; the table does not survive', async () => {
    const { image, dataset } = await withExtendedOffsetTable();
    expect(hasTable(dataset)).toBe(true);
    const out = concatBytes(await transcodeDataset(dataset, TS.jpeg2000Lossless, TS.explicit));
    expect(hasTable(out)).toBe(false);
    const pixel = findElement(readElements(out, true).elements, TAG.pixelData)!;
    expect(Buffer.from(out.subarray(pixel.valueStart, pixel.end))).toEqual(image.pixels);
  });

  it('FR-DICOM-04.transcode: re-encapsulated as JPEG Lossless without the stale table, and back to the same pixels', async () => {
    const { image, dataset } = await withExtendedOffsetTable();
    const jpeg = concatBytes(await transcodeDataset(dataset, TS.jpeg2000Lossless, TS.jpegLosslessSv1));
    expect(hasTable(jpeg)).toBe(false);
    const back = concatBytes(await transcodeDataset(jpeg, TS.jpegLosslessSv1, TS.explicit));
    const pixel = findElement(readElements(back, true).elements, TAG.pixelData)!;
    expect(Buffer.from(back.subarray(pixel.valueStart, pixel.end))).toEqual(image.pixels);
  });

  it('FR-DICOM-04.transcode: a malformed table (lengths for two frames, one offset) is a TranscodeError naming it', async () => {
    const { dataset } = await withExtendedOffsetTable(
      () => writeExtendedOffsetTable({ offsets: [0, 100], lengths: [10, 10] }).lengths,
    );
    const failure = await transcodeDataset(dataset, TS.jpeg2000Lossless, TS.explicit).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(TranscodeError);
    expect((failure as TranscodeError).message).toMatch(/Extended Offset Table .* is malformed/);
    expect((failure as TranscodeError).details).toMatchObject({ codecError: 'HNV_ERR_CODEC_CORRUPT' });
  });
});
