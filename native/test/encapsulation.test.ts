import { describe, expect, it } from 'vitest';
import { CODEC_ERROR_CODES, CodecError, decapsulate, encapsulate } from '../lib/index.js';

// PS3.5 A.4: Basic Offset Table, fragment items, even-length padding, Sequence Delimitation Item.
function item(element: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0xfffe, true);
  v.setUint16(2, element, true);
  v.setUint32(4, payload.length, true);
  b.set(payload, 8);
  return b;
}
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const u32le = (...xs: number[]): Uint8Array => {
  const b = Buffer.alloc(4 * xs.length);
  for (const [i, x] of xs.entries()) b.writeUInt32LE(x, 4 * i);
  return b;
};
const DELIM = item(0xe0dd, new Uint8Array());

function expectCodecError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe(code);
    return;
  }
  expect.fail('expected a CodecError');
}

describe('encapsulate', () => {
  it('FR-DICOM-04.codec: writes a filled Basic Offset Table, even-length fragments and the delimiter', () => {
    const frames = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6, 7])];
    const value = encapsulate(frames);
    expect(Buffer.from(value).toString('hex')).toBe(
      Buffer.from(
        concat(
          item(0xe000, u32le(0, 12)),
          item(0xe000, new Uint8Array([1, 2, 3, 0])),
          item(0xe000, new Uint8Array([4, 5, 6, 7])),
          DELIM,
        ),
      ).toString('hex'),
    );
  });

  it('FR-DICOM-04.codec: round-trips multi-frame data through decapsulate, padding included', () => {
    const frames = [
      new Uint8Array([0xff, 0xd8, 9]),
      new Uint8Array([0xff, 0xd8, 8, 7]),
      new Uint8Array([0xff]),
    ];
    const back = decapsulate(encapsulate(frames), 3);
    expect(back.map((f) => Array.from(f))).toEqual([
      [0xff, 0xd8, 9, 0],
      [0xff, 0xd8, 8, 7],
      [0xff, 0],
    ]);
  });
});

describe('decapsulate', () => {
  it('FR-DICOM-04.codec: an empty BOT and one frame joins every fragment', () => {
    const value = concat(
      item(0xe000, new Uint8Array()),
      item(0xe000, Uint8Array.of(1, 2)),
      item(0xe000, Uint8Array.of(3, 4)),
      DELIM,
    );
    expect(decapsulate(value, 1).map((f) => Array.from(f))).toEqual([[1, 2, 3, 4]]);
  });

  it('FR-DICOM-04.codec: an empty BOT with one fragment per frame maps them one to one', () => {
    const value = concat(
      item(0xe000, new Uint8Array()),
      item(0xe000, Uint8Array.of(1, 2)),
      item(0xe000, Uint8Array.of(3, 4)),
      DELIM,
    );
    expect(decapsulate(value, 2).map((f) => Array.from(f))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('FR-DICOM-04.codec: an empty BOT with split frames starts a frame at each JPEG SOI', () => {
    const value = concat(
      item(0xe000, new Uint8Array()),
      item(0xe000, Uint8Array.of(0xff, 0xd8)),
      item(0xe000, Uint8Array.of(1, 2)),
      item(0xe000, Uint8Array.of(0xff, 0xd8)),
      DELIM,
    );
    expect(decapsulate(value, 2).map((f) => Array.from(f))).toEqual([
      [0xff, 0xd8, 1, 2],
      [0xff, 0xd8],
    ]);
  });

  it('FR-DICOM-04.codec: a BOT spanning several fragments per frame groups them', () => {
    const value = concat(
      item(0xe000, u32le(0, 20)),
      item(0xe000, Uint8Array.of(1, 2)),
      item(0xe000, Uint8Array.of(3, 4)),
      item(0xe000, Uint8Array.of(5, 6)),
    ); // no delimiter: tolerated
    expect(decapsulate(value, 2).map((f) => Array.from(f))).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
  });

  it('FR-DICOM-04.codec: accepts odd-length fragments from peers', () => {
    const value = concat(item(0xe000, new Uint8Array()), item(0xe000, Uint8Array.of(1, 2, 3)), DELIM);
    expect(decapsulate(value).map((f) => Array.from(f))).toEqual([[1, 2, 3]]);
  });

  it('FR-DICOM-04.codec: a lying item length is HNV_ERR_CODEC_CORRUPT', () => {
    const value = concat(item(0xe000, new Uint8Array()), item(0xe000, Uint8Array.of(1, 2)));
    new DataView(value.buffer).setUint32(12, 1000, true);
    expectCodecError(() => decapsulate(value), CODEC_ERROR_CODES.corrupt);
  });

  it('FR-DICOM-04.codec: a truncated item header, a wrong tag, no fragments and a bad BOT are HNV_ERR_CODEC_CORRUPT', () => {
    const ok = encapsulate([Uint8Array.of(1, 2)]);
    expectCodecError(() => decapsulate(ok.subarray(0, 5)), CODEC_ERROR_CODES.corrupt);
    const wrongTag = ok.slice();
    wrongTag[3] = 0x00;
    expectCodecError(() => decapsulate(wrongTag), CODEC_ERROR_CODES.corrupt);
    expectCodecError(
      () => decapsulate(concat(item(0xe000, new Uint8Array()), DELIM)),
      CODEC_ERROR_CODES.corrupt,
    );
    const badBot = concat(item(0xe000, u32le(4)), item(0xe000, Uint8Array.of(1, 2)), DELIM);
    expectCodecError(() => decapsulate(badBot), CODEC_ERROR_CODES.corrupt);
    expectCodecError(() => decapsulate(encapsulate([Uint8Array.of(1)]), 2), CODEC_ERROR_CODES.corrupt);
  });
});
