import { type Fail, type HuffTable, LOOK_BITS } from './huffman.js';

/**
 * The bit reader of entropy-coded segments (T.81 F.2.2.5) shared by the TypeScript JPEG decoders:
 * unstuffs FF00, stops at a marker and feeds zeros after it (or after the end of the input),
 * counting them, so a truncated scan is seen. Bounded by the input.
 */
export class BitReader {
  private acc = 0; // the next `bits` bits, MSB first, in the low bits
  private bits = 0;
  private pad = 0;
  private marker = false;
  constructor(
    private readonly data: Uint8Array,
    private p: number,
    private readonly fail: Fail,
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
    if (len > 16) this.fail('invalid Huffman code');
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

  /**
   * The end of a restart interval (F.2.2.5, B.2.1): the data so far must not have run out, and
   * the next marker (after fill bytes) must be RSTn with n = `index` mod 8; reading resumes after it.
   */
  restart(index: number): void {
    if (this.overrun()) this.fail('entropy-coded data is truncated');
    const data = this.data;
    let mp = this.markerPosition();
    while (data.length - mp >= 2 && data[mp] === 0xff && data[mp + 1] === 0xff) mp++;
    if (data.length - mp < 2 || data[mp] !== 0xff || data[mp + 1] !== 0xd0 + (index & 7)) {
      this.fail('missing restart marker');
    }
    this.p = mp + 2;
    this.acc = 0;
    this.bits = 0;
    this.pad = 0;
    this.marker = false;
  }

  /** The end of a scan: the data must not have run out; returns the offset of the next marker. */
  end(): number {
    if (this.overrun()) this.fail('entropy-coded data is truncated');
    return this.markerPosition();
  }
}
