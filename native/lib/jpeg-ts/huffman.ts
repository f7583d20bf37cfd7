/**
 * Huffman tables of the TypeScript JPEG decoders (lib/jpeg-lossless-ts.ts, lib/jpeg12-ts.ts):
 * T.81 Annex C and F.2.2.3 (Figure F.15), plus a first-level lookup of the short codes, and the
 * DHT segment (B.2.4.2). Pure; a failure goes through the caller's `fail`, which names the codec.
 */

/** Throws the caller's CodecError for a corrupt stream; `what` is the PHI-free reason. */
export type Fail = (what: string) => never;

/** Codes of up to LOOK_BITS bits are found with one table look-up. */
export const LOOK_BITS = 9;

export interface HuffTable {
  /** (length << 8) | symbol for codes of up to LOOK_BITS bits, indexed by the next LOOK_BITS bits. */
  readonly lookup: Uint16Array;
  readonly maxcode: Int32Array;
  readonly valptr: Int32Array;
  readonly mincode: Int32Array;
  readonly vals: Uint8Array;
}

/** Annex C / F.2.2.3 (Figure F.15): MINCODE, MAXCODE, VALPTR, and a first-level lookup table. */
export function buildTable(counts: Uint8Array, vals: Uint8Array, fail: Fail): HuffTable {
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
        // C.2: codes of length l run below 2^l.
        if (code >= 1 << l) fail('Huffman table has more codes than fit in their lengths');
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

/**
 * Reads a DHT segment (B.2.4.2): every table it defines goes to `store(class, destination, table)`.
 * `classes` is 1 where only DC-class tables are valid (lossless), 2 where AC ones are too (DCT).
 */
export function readDht(
  seg: Uint8Array,
  classes: 1 | 2,
  fail: Fail,
  store: (tc: number, th: number, table: HuffTable) => void,
): void {
  let s = 0;
  while (s < seg.length) {
    if (seg.length - s < 17) fail('short DHT segment');
    const tc = seg[s]! >> 4;
    const th = seg[s]! & 15;
    if (tc >= classes || th > 3) fail('DHT table class/destination out of range');
    let total = 0;
    for (let l = 1; l <= 16; l++) total += seg[s + l]!;
    if (total > 256 || seg.length - s < 17 + total) fail('DHT counts run past the segment');
    store(tc, th, buildTable(seg.subarray(s + 1, s + 17), seg.subarray(s + 17, s + 17 + total), fail));
    s += 17 + total;
  }
}
