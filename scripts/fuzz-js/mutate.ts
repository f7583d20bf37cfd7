/**
 * The mutator of the coverage-guided JS fuzzer, after libFuzzer's (its MutationDispatcher):
 * bit flips, random and interesting bytes / 16- / 32-bit values in both byte orders, small
 * arithmetic, erase / insert / duplicate / copy of ranges, truncation, splice and crossover with
 * another corpus input, dictionary tokens, and lies in the format's length fields (the positions a
 * target names: PDU and item lengths, element value lengths). One to five mutations per input,
 * capped at `maxLen`. Deterministic from its seed.
 */

import { type LengthField, Rng } from '../../packages/dicom/fuzz/rng.js';

export { type LengthField, Rng };

const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xfe, 0xff, 0x10, 0x20, 0x40];
const INTERESTING_16 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_32 = [
  0, 1, 2, 4, 8, 0x7f, 0xff, 0xffff, 0x10000, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff,
];

export interface MutateContext {
  readonly maxLen: number;
  /** Another corpus input, for splicing and crossover. */
  other(): Uint8Array;
  readonly dictionary: readonly Uint8Array[];
  /** Length-field positions of the input being mutated (may be empty). */
  readonly lengthFields: readonly LengthField[];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

function writeUint(bytes: Uint8Array, at: number, size: number, value: number, le: boolean): void {
  if (at < 0 || at + size > bytes.length) return;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 1) bytes[at] = value & 0xff;
  else if (size === 2) dv.setUint16(at, value & 0xffff, le);
  else dv.setUint32(at, value >>> 0, le);
}

function readUint(bytes: Uint8Array, at: number, size: number, le: boolean): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return size === 1 ? (bytes[at] ?? 0) : size === 2 ? dv.getUint16(at, le) : dv.getUint32(at, le);
}

/** One mutation; returns a new array or `bytes` changed in place (always a private copy). */
function mutateOnce(rng: Rng, bytes: Uint8Array, ctx: MutateContext): Uint8Array {
  const n = bytes.length;
  const at = rng.int(n);
  switch (rng.int(16)) {
    case 0: // bit flip
      if (n > 0) bytes[at] = (bytes[at] as number) ^ (1 << rng.int(8));
      return bytes;
    case 1: // random byte
      if (n > 0) bytes[at] = rng.int(256);
      return bytes;
    case 2: // interesting 8-bit
      if (n > 0) bytes[at] = rng.pick(INTERESTING_8);
      return bytes;
    case 3: // interesting 16-bit, either order
      writeUint(bytes, at, 2, rng.pick(INTERESTING_16), rng.int(2) === 0);
      return bytes;
    case 4: // interesting 32-bit, either order
      writeUint(bytes, at, 4, rng.pick(INTERESTING_32), rng.int(2) === 0);
      return bytes;
    case 5: {
      // small add/subtract on 1, 2 or 4 bytes
      const size = rng.pick([1, 2, 4]);
      const le = rng.int(2) === 0;
      if (at + size <= n) {
        const delta = 1 + rng.int(35);
        const v = readUint(bytes, at, size, le) + (rng.int(2) ? delta : -delta);
        writeUint(bytes, at, size, v, le);
      }
      return bytes;
    }
    case 6: // erase a range
      if (n > 1) {
        const len = 1 + rng.int(Math.min(n - at, rng.int(4) === 0 ? 256 : 16));
        return concat([bytes.subarray(0, at), bytes.subarray(at + len)]);
      }
      return bytes;
    case 7: {
      // insert random bytes or a repeated byte
      const len = 1 + rng.int(rng.int(4) === 0 ? 128 : 8);
      const extra = rng.int(2) ? randomBytes(rng, len) : new Uint8Array(len).fill(rng.pick(INTERESTING_8));
      const where = rng.int(n + 1);
      return concat([bytes.subarray(0, where), extra, bytes.subarray(where)]);
    }
    case 8: {
      // duplicate a range of the input somewhere else in it
      if (n === 0) return bytes;
      const len = 1 + rng.int(Math.min(n - at, 256));
      const where = rng.int(n + 1);
      return concat([bytes.subarray(0, where), bytes.subarray(at, at + len), bytes.subarray(where)]);
    }
    case 9: {
      // copy a range over another part of the input
      if (n < 2) return bytes;
      const len = 1 + rng.int(Math.min(n - at, 64));
      const to = rng.int(n - len + 1);
      bytes.copyWithin(to, at, at + len);
      return bytes;
    }
    case 10: // truncate
      return bytes.subarray(0, rng.int(n + 1)).slice();
    case 11: {
      // crossover: our head, another input's tail
      const other = ctx.other();
      const from = rng.int(other.length + 1);
      return concat([bytes.subarray(0, rng.int(n + 1)), other.subarray(from)]);
    }
    case 12: {
      // insert a slice of another input
      const other = ctx.other();
      const from = rng.int(other.length + 1);
      const slice = other.subarray(from, from + 1 + rng.int(128));
      const where = rng.int(n + 1);
      return concat([bytes.subarray(0, where), slice, bytes.subarray(where)]);
    }
    case 13: {
      // a dictionary token, inserted or written over
      if (ctx.dictionary.length === 0) return bytes;
      const token = rng.pick(ctx.dictionary);
      const where = rng.int(n + 1);
      if (rng.int(2) === 0 && where + token.length <= n) {
        bytes.set(token, where);
        return bytes;
      }
      return concat([bytes.subarray(0, where), token, bytes.subarray(where)]);
    }
    default: {
      // a lie in a length field: 0, 1, small, max, signed max, the truth ± a few, or random
      const field = ctx.lengthFields.length > 0 ? rng.pick(ctx.lengthFields) : undefined;
      const size = field?.size ?? rng.pick([2, 4] as const);
      const le = field?.littleEndian ?? rng.int(2) === 0;
      const where = field?.offset ?? at;
      if (where + size > n) return bytes;
      const truth = n - where - size;
      const max = size === 2 ? 0xffff : 0xffff_ffff;
      const old = readUint(bytes, where, size, le);
      const lies = [
        0,
        1,
        2,
        3,
        4,
        8,
        max,
        max - 1,
        0x7fff_ffff,
        truth,
        truth + 1,
        truth - 1,
        old + 1,
        old - 1,
      ];
      const v = rng.int(8) === 0 ? rng.next() : rng.pick(lies);
      writeUint(bytes, where, size, Math.min(max, Math.max(0, v)), le);
      return bytes;
    }
  }
}

/** A mutated copy of `input` (never changed), at most `ctx.maxLen` bytes. */
export function mutate(rng: Rng, input: Uint8Array, ctx: MutateContext): Uint8Array {
  let out: Uint8Array = input.slice();
  const rounds = 1 + rng.int(rng.int(4) === 0 ? 8 : 3);
  for (let r = 0; r < rounds; r++) out = mutateOnce(rng, out, ctx);
  return out.length > ctx.maxLen ? out.subarray(0, ctx.maxLen) : out;
}
