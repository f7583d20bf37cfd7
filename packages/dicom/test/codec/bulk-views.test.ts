/**
 * decodeDataset keeps Pixel Data and every other binary value as a view of the input bytes
 * (issue 12, Benchmarks: "pixel data as a view … no copy of the pixel data"), and copies only
 * where it must (big endian swap) or is asked to (`copyBulk`).
 */
import { describe, expect, it } from 'vitest';
import {
  decodeDataset,
  decodeDatasetStream,
  EXPLICIT_VR_LE,
  encodeDataset,
  encodeDatasetChunks,
  IMPLICIT_VR_LE,
} from '../../src/codec/index.js';
import { deflateDataset } from '../../src/elements/deflate.js';
import { concatBytes } from '../../src/elements/walker.js';
import { encodePart10Header, parsePart10Header } from '../../src/part10/index.js';
import { TS } from '../../src/uids/index.js';
import { cat, ELE, el, ITEM, item, SEQ_END, UNDEF } from '../elements/bytes.js';

const DX = '1.2.840.10008.5.1.4.1.1.1.1';

/** A 50 MB 16-bit DX as a Part 10 file in memory, one buffer (as `readFile` gives it). */
function dxFile(transferSyntax: string): { file: Uint8Array; pixels: Uint16Array } {
  const pixels = new Uint16Array(5000 * 5000);
  for (let i = 0; i < pixels.length; i += 997) pixels[i] = i & 0x0fff;
  const dataset = {
    SOPClassUID: DX,
    SOPInstanceUID: '2.25.1',
    Rows: 5000,
    Columns: 5000,
    BitsAllocated: 16,
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  };
  const header = encodePart10Header({
    mediaStorageSopClassUid: DX,
    mediaStorageSopInstanceUid: '2.25.1',
    transferSyntaxUid: transferSyntax,
    implementationClassUid: '2.25.9',
  });
  return { file: concatBytes([header, ...encodeDatasetChunks(dataset, { transferSyntax })]), pixels };
}

function pixelValue(dataset: Record<string, unknown>): unknown {
  const value = dataset.PixelData as unknown[];
  expect(value).toHaveLength(1);
  return value[0];
}

describe('binary values are views of the input (no copy)', () => {
  for (const ts of [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian]) {
    it(`NFR-PERF-01 FR-DICOM-04: a 50 MB Pixel Data decodes as a view of the file's own buffer (${ts})`, () => {
      const { file, pixels } = dxFile(ts);
      const { meta, datasetOffset } = parsePart10Header(file);
      const { dataset } = decodeDataset(file.subarray(datasetOffset), {
        transferSyntax: meta.transferSyntaxUid,
      });
      const pixel = pixelValue(dataset) as Uint8Array;
      expect(pixel).toBeInstanceOf(Uint8Array);
      expect(pixel.buffer).toBe(file.buffer);
      expect(pixel.byteLength).toBe(pixels.byteLength);
      // The value is the file's last bytes: the offset proves no copy was made on the way.
      expect(pixel.byteOffset).toBe(file.byteOffset + file.length - pixels.byteLength);
      expect(Buffer.from(pixel).equals(Buffer.from(pixels.buffer))).toBe(true);
      // It aliases the input, as documented: a change to the file shows through.
      file[file.length - 1] = (file[file.length - 1] as number) ^ 0xff;
      expect(pixel[pixel.length - 1]).toBe(file[file.length - 1]);
      expect(dataset.Rows).toBe(5000);
    });
  }

  it('NFR-PERF-01 FR-DICOM-04: copyBulk gives each binary value an ArrayBuffer of its own (dcmjs form)', () => {
    const { file, pixels } = dxFile(TS.explicitVrLittleEndian);
    const { datasetOffset } = parsePart10Header(file);
    const { dataset } = decodeDataset(file.subarray(datasetOffset), {
      transferSyntax: EXPLICIT_VR_LE,
      copyBulk: true,
    });
    const pixel = pixelValue(dataset) as ArrayBuffer;
    expect(pixel).toBeInstanceOf(ArrayBuffer);
    expect(pixel).not.toBe(file.buffer);
    expect(pixel.byteLength).toBe(pixels.byteLength);
    file[file.length - 1] = (file[file.length - 1] as number) ^ 0xff;
    expect(Buffer.from(pixel).equals(Buffer.from(pixels.buffer))).toBe(true);
  });

  it('FR-DICOM-04.encoding: OB, UN and OF values are views too; re-encoding writes the view itself', () => {
    const known = encodeDataset(
      {
        EncapsulatedDocument: new Uint8Array([1, 2, 3, 4]).buffer,
        SelectorOFValue: new Float32Array([1.5, -2]).buffer,
      },
      { transferSyntax: EXPLICIT_VR_LE },
    );
    // A private element dcmjs does not know (written by hand: denaturalize drops unknown keys).
    const bytes = cat(el(0x00091010, 'UN', Uint8Array.of(9, 8), ELE), known);
    const { dataset } = decodeDataset(bytes, { transferSyntax: EXPLICIT_VR_LE });
    for (const key of ['EncapsulatedDocument', 'SelectorOFValue', '00091010']) {
      const [value] = dataset[key] as Uint8Array[];
      expect(value, key).toBeInstanceOf(Uint8Array);
      expect(value?.buffer, key).toBe(bytes.buffer);
    }
    expect([...(dataset['00091010'] as Uint8Array[])[0]!]).toEqual([9, 8]);
    const of = (dataset.SelectorOFValue as Uint8Array[])[0]!;
    expect([...new Float32Array(of.slice().buffer)]).toEqual([1.5, -2]);
    const { '00091010': _private, ...standard } = dataset;
    const chunks = encodeDatasetChunks(standard, { transferSyntax: EXPLICIT_VR_LE });
    const document = (dataset.EncapsulatedDocument as Uint8Array[])[0]!;
    const written = chunks.find((c) => c.byteLength === 4 && c.buffer === bytes.buffer);
    expect(written?.byteOffset).toBe(document.byteOffset);
    expect(Buffer.from(concatBytes(chunks)).equals(Buffer.from(known))).toBe(true);
  });

  it('FR-DICOM-04.encoding: encapsulated Pixel Data fragments are views of the input', () => {
    const fragment = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);
    const bytes = cat(
      el(0x00280100, 'US', Uint8Array.of(8, 0), ELE),
      el(0x7fe00010, 'OB', new Uint8Array(0), ELE, UNDEF),
      item(ITEM, 0),
      item(ITEM, 6),
      fragment(6),
      item(ITEM, 4),
      fragment(4),
      item(SEQ_END, 0),
    );
    const { dataset } = decodeDataset(bytes, { transferSyntax: TS.jpegBaseline });
    const frags = dataset.PixelData as Uint8Array[];
    expect(frags.map((f) => [...f])).toEqual([[...fragment(6)], [...fragment(4)]]);
    for (const f of frags) expect(f.buffer).toBe(bytes.buffer);
    const copied = decodeDataset(bytes, { transferSyntax: EXPLICIT_VR_LE, copyBulk: true }).dataset
      .PixelData as ArrayBuffer[];
    expect(copied.map((f) => f instanceof ArrayBuffer && f !== bytes.buffer)).toEqual([true, true]);
  });

  it('FR-DICOM-04.encoding: big endian values are swapped copies; a deflated data set gives views of its inflated bytes', () => {
    const dataset = {
      BitsAllocated: 16,
      PixelData: [Uint16Array.of(0x0102, 0x0304).buffer],
      _vrMap: { PixelData: 'OW' },
    };
    const be = encodeDataset(dataset, { transferSyntax: TS.explicitVrBigEndian });
    const fromBe = pixelValue(
      decodeDataset(be, { transferSyntax: TS.explicitVrBigEndian }).dataset,
    ) as Uint8Array;
    expect(fromBe).toBeInstanceOf(Uint8Array);
    expect(fromBe.buffer).not.toBe(be.buffer);
    expect([...fromBe]).toEqual([0x02, 0x01, 0x04, 0x03]); // little-endian order, PS3.5 7.3
    const deflated = deflateDataset([encodeDataset(dataset, { transferSyntax: EXPLICIT_VR_LE })]);
    const fromDeflated = pixelValue(
      decodeDataset(deflated, { transferSyntax: TS.deflatedExplicitVrLittleEndian }).dataset,
    ) as Uint8Array;
    expect(fromDeflated.buffer).not.toBe(deflated.buffer);
    expect([...fromDeflated]).toEqual([0x02, 0x01, 0x04, 0x03]);
  });

  it('FR-DICOM-04.encoding: decodeDatasetStream values outlive the chunks (they view a private copy)', async () => {
    const bytes = encodeDataset(
      { EncapsulatedDocument: new Uint8Array([1, 2, 3, 4]).buffer },
      { transferSyntax: IMPLICIT_VR_LE },
    );
    for (const chunks of [[bytes], [bytes.subarray(0, 5), bytes.subarray(5)]]) {
      const { dataset } = await decodeDatasetStream(chunks);
      bytes.fill(0);
      expect([...(dataset.EncapsulatedDocument as Uint8Array[])[0]!]).toEqual([1, 2, 3, 4]);
      bytes.set(encodeDataset({ EncapsulatedDocument: new Uint8Array([1, 2, 3, 4]).buffer }));
    }
  });
});
