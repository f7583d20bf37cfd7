import { CODEC_ERROR_CODES, CodecError } from './errors.js';

/**
 * The entropy-coded side of the TypeScript JPEG DCT decoder (lib/jpeg12-ts.ts): Huffman tables
 * (T.81 Annex C, F.2.2.3) and the bit reader of entropy-coded segments (F.2.2.5), bounded by the
 * input: past a marker or the end it feeds zeros and counts them, so a truncated scan is seen.
 */

const corrupt = (what: string): never => {
  throw new CodecError(CODEC_ERROR_CODES.corrupt, `JPEG 12-bit: ${what}`);
};

/** T.81 Figure A.6: the zig-zag order; 16 extra entries absorb a run past the end, as in IJG. */
export const NATURAL: Uint8Array = Uint8Array.from([
  0,
  1,
  8,
  16,
  9,
  2,
  3,
  10,
  17,
  24,
  32,
  25,
  18,
  11,
  4,
  5,
  12,
  19,
  26,
  33,
  40,
  48,
  41,
  34,
  27,
  20,
  13,
  6,
  7,
  14,
  21,
  28,
  35,
  42,
  49,
  56,
  57,
  50,
  43,
  36,
  29,
  22,
  15,
  23,
  30,
  37,
  44,
  51,
  58,
  59,
  52,
  45,
  38,
  31,
  39,
  46,
  53,
  60,
  61,
  54,
  47,
  55,
  62,
  63,
  ...new Array<number>(16).fill(63),
]);

const LOOK_BITS = 9;

export interface HuffTable {
  /** (length << 8) | symbol for codes of up to LOOK_BITS bits, indexed by the next LOOK_BITS bits. */
  readonly lookup: Uint16Array;
  readonly maxcode: Int32Array;
  readonly valptr: Int32Array;
  readonly mincode: Int32Array;
  readonly vals: Uint8Array;
}

/** T.81 C.2 and F.2.2.3 (Figure F.15), plus a first-level lookup of the short codes. */
export function buildTable(counts: Uint8Array, vals: Uint8Array): HuffTable {
  const t: HuffTable = {
    lookup: new Uint16Array(1 << LOOK_BITS),
    maxcode: new Int32Array(18).fill(-1),
    valptr: new Int32Array(17),
    mincode: new Int32Array(17),
    vals: vals.slice(),
  };
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1]!;
    if (n !== 0) {
      t.valptr[l] = k;
      t.mincode[l] = code;
      for (let i = 0; i < n; i++, k++, code++) {
        if (code >= 1 << l) corrupt('Huffman table has more codes than fit in their lengths');
        if (l <= LOOK_BITS) {
          const shift = LOOK_BITS - l;
          const entry = (l << 8) | vals[k]!;
          for (let f = 0; f < 1 << shift; f++) t.lookup[(code << shift) | f] = entry;
        }
      }
      t.maxcode[l] = code - 1;
    }
    code <<= 1;
  }
  t.maxcode[17] = 0x7fffffff;
  return t;
}

/** Entropy-coded data (F.2.2.5): unstuffs FF00, stops at a marker and feeds zeros after it. */
export class BitReader {
  private acc = 0;
  private bits = 0;
  private pad = 0;
  private marker = false;
  constructor(
    private readonly data: Uint8Array,
    private p: number,
  ) {}

  private fill(): void {
    const d = this.data;
    while (this.bits <= 16) {
      let b = 0;
      if (!this.marker && this.p < d.length) {
        b = d[this.p]!;
        if (b === 0xff) {
          if (this.p + 1 < d.length && d[this.p + 1] === 0) this.p += 2;
          else {
            this.marker = true;
            b = 0;
            this.pad += 8;
          }
        } else this.p++;
      } else {
        this.marker = true;
        this.pad += 8;
      }
      this.acc = ((this.acc << 8) | b) & 0xffffff;
      this.bits += 8;
    }
  }

  /** `n` (≤ 16) bits. */
  take(n: number): number {
    if (this.bits < n) this.fill();
    this.bits -= n;
    return (this.acc >>> this.bits) & ((1 << n) - 1);
  }

  /** The next Huffman-coded symbol (F.2.2.3). */
  symbol(t: HuffTable): number {
    if (this.bits < 16) this.fill();
    const e = t.lookup[(this.acc >>> (this.bits - LOOK_BITS)) & ((1 << LOOK_BITS) - 1)]!;
    if (e !== 0) {
      this.bits -= e >>> 8;
      return e & 0xff;
    }
    let len = LOOK_BITS + 1;
    let code = (this.acc >>> (this.bits - len)) & ((1 << len) - 1);
    while (len <= 16 && code > t.maxcode[len]!) {
      len++;
      code = (this.acc >>> (this.bits - len)) & ((1 << len) - 1);
    }
    if (len > 16) corrupt('invalid Huffman code');
    this.bits -= len;
    return t.vals[t.valptr[len]! + code - t.mincode[len]!]!;
  }

  /** F.2.2.1 RECEIVE and EXTEND of an s-bit (1..16) value. */
  extend(s: number): number {
    const v = this.take(s);
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }

  /** True when decoding used bits that were never in the stream (a truncated scan). */
  overrun(): boolean {
    return this.bits < this.pad;
  }

  /** Offset of the marker that ended the entropy-coded data (or the end of the input). */
  markerPosition(): number {
    while (!this.marker) {
      this.bits = 0;
      this.fill();
    }
    return this.p;
  }

  resetAt(p: number): void {
    this.p = p;
    this.acc = 0;
    this.bits = 0;
    this.pad = 0;
    this.marker = false;
  }
}
