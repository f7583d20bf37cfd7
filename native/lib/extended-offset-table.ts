import { CODEC_ERROR_CODES, CodecError } from './errors.js';

/**
 * The Extended Offset Table (PS3.3 C.7.6.3.1.8, PS3.5 A.4): (7FE0,0001) Extended Offset Table and
 * (7FE0,0002) Extended Offset Table Lengths, OV (64-bit unsigned, little endian here), one entry
 * per frame. An offset is measured, as the Basic Offset Table's, from the first byte of the first
 * item tag after the Basic Offset Table item, which is then empty; each frame is one fragment, and
 * its length is that fragment's. It exists for what the 32-bit Basic Offset Table cannot say:
 * frames that start 4 GiB or more into the value. These are pure functions over the two element
 * values; placing the elements before (7FE0,0010) is the data-set writer's job.
 */

/** One entry per frame; offsets and lengths in bytes (integers up to 2^53 - 1). */
export interface ExtendedOffsetTable {
  readonly offsets: readonly number[];
  readonly lengths: readonly number[];
}

/** The two element values, each 8 bytes per frame (OV). */
export interface ExtendedOffsetTableElements {
  /** (7FE0,0001) Extended Offset Table. */
  readonly offsets: Uint8Array;
  /** (7FE0,0002) Extended Offset Table Lengths. */
  readonly lengths: Uint8Array;
}

/** Largest offset the Basic Offset Table holds (PS3.5 A.4: 32-bit unsigned). */
export const BASIC_OFFSET_LIMIT: number = 0xffffffff;

function corrupt(message: string, details: Record<string, unknown>): never {
  throw new CodecError(CODEC_ERROR_CODES.corrupt, `Extended Offset Table: ${message}`, { details });
}

function readUint64s(bytes: Uint8Array, what: string): number[] {
  if (bytes.length % 8 !== 0) corrupt(`${what} length is not a multiple of 8`, { length: bytes.length });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let at = 0; at < bytes.length; at += 8) {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) corrupt(`${what} entry above 2^53`, { index: at / 8 });
    out.push(Number(value));
  }
  return out;
}

/** Reads the two OV values; throws HNV_ERR_CODEC_CORRUPT unless they describe ascending frames. */
export function readExtendedOffsetTable(offsets: Uint8Array, lengths: Uint8Array): ExtendedOffsetTable {
  const o = readUint64s(offsets, 'offset');
  const l = readUint64s(lengths, 'length');
  if (o.length === 0) corrupt('no entries', {});
  if (o.length !== l.length)
    corrupt('offsets and lengths differ in count', { offsets: o.length, lengths: l.length });
  for (let k = 0; k < o.length; k++) {
    // Frame k's item (8-byte header + value) must end at or before frame k+1's item.
    if (k + 1 < o.length && o[k]! + 8 + l[k]! > o[k + 1]!)
      corrupt('frames overlap or are out of order', { frame: k });
  }
  return { offsets: o, lengths: l };
}

/** The two OV values for `table`. */
export function writeExtendedOffsetTable(table: ExtendedOffsetTable): ExtendedOffsetTableElements {
  if (table.offsets.length !== table.lengths.length) {
    throw new CodecError(
      CODEC_ERROR_CODES.invalidArgument,
      'Extended Offset Table: offsets and lengths differ in count',
    );
  }
  const n = table.offsets.length;
  const offsets = new Uint8Array(8 * n);
  const lengths = new Uint8Array(8 * n);
  const ov = new DataView(offsets.buffer);
  const lv = new DataView(lengths.buffer);
  for (let k = 0; k < n; k++) {
    ov.setBigUint64(8 * k, BigInt(table.offsets[k]!), true);
    lv.setBigUint64(8 * k, BigInt(table.lengths[k]!), true);
  }
  return { offsets, lengths };
}

/**
 * The offsets of one-fragment-per-frame encapsulation for fragments of these (even) lengths, and
 * whether the Basic Offset Table can hold them: it cannot once a frame starts past 2^32 - 1.
 */
export function planOffsets(fragmentLengths: readonly number[]): {
  readonly table: ExtendedOffsetTable;
  readonly fitsBasicOffsetTable: boolean;
} {
  const offsets: number[] = [];
  let at = 0;
  for (const length of fragmentLengths) {
    offsets.push(at);
    at += 8 + length;
  }
  const last = offsets[offsets.length - 1] ?? 0;
  return {
    table: { offsets, lengths: [...fragmentLengths] },
    fitsBasicOffsetTable: last <= BASIC_OFFSET_LIMIT,
  };
}
