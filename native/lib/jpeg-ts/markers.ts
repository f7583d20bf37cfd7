import type { Fail } from './huffman.js';

/**
 * The marker layer of a JPEG codestream (T.81 B.1.1) shared by the TypeScript JPEG decoders:
 * SOI, then markers (with fill bytes) and length-prefixed segments up to EOI. Each segment is
 * read once and checked against the end of the input; the caller decides what a marker means.
 */
export class MarkerReader {
  /** Offset of the next byte to read; a scan decoder sets it to the marker that ended its data. */
  pos = 2;
  constructor(
    private readonly data: Uint8Array,
    private readonly fail: Fail,
  ) {
    if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) fail('missing SOI marker');
  }

  /** The next marker code (B.1.1.2: markers may be preceded by fill bytes 0xFF). */
  next(): number {
    const data = this.data;
    let q = this.pos;
    if (q >= data.length) this.fail('truncated before EOI');
    if (data[q] !== 0xff) this.fail('expected a marker');
    while (q < data.length && data[q] === 0xff) q++;
    if (q >= data.length) this.fail('truncated marker');
    this.pos = q + 1;
    return data[q]!;
  }

  /** The body of the marker segment that follows (B.1.1.4: its length counts itself, not the marker). */
  segment(): Uint8Array {
    const data = this.data;
    const q = this.pos;
    if (data.length - q < 2) this.fail('truncated segment length');
    const len = (data[q]! << 8) | data[q + 1]!;
    if (len < 2 || data.length - q < len) this.fail('segment length runs past the end');
    this.pos = q + len;
    return data.subarray(q + 2, q + len);
  }
}

/** TEM or RSTn: markers without a segment (B.1.1.3). */
export function isStandalone(m: number): boolean {
  return m === 0x01 || (m >= 0xd0 && m <= 0xd7);
}

/** DRI (B.2.4.4): the restart interval in MCUs, 0 for none. */
export function readDri(seg: Uint8Array, fail: Fail): number {
  if (seg.length !== 2) fail('bad DRI length');
  return (seg[0]! << 8) | seg[1]!;
}
