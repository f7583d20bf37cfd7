/**
 * Re-encoding a whole data set between the native encodings (PS3.5 Annex A): Implicit VR LE,
 * Explicit VR LE, Explicit VR BE and Deflated Explicit VR LE, in any direction. Headers are
 * rewritten; a value whose bytes do not change is passed on as a view of the input (a 50 MB
 * Pixel Data value costs no copy between Explicit and Implicit LE), and when the byte order
 * changes every multi-byte binary value is swapped per its VR (PS3.5 7.3; vr.ts SWAP_SIZE: AT as
 * two 16-bit halves, OW by 2, OF/OL by 4, OD/OV by 8, OB/UN and text not at all).
 *
 * Sequences and items are written with undefined length (PS3.5 7.5.2), so nothing is computed
 * bottom-up; group lengths (gggg,0000), which would no longer be right, are dropped (PS3.5 7.2
 * makes them optional). The returned list is for `writev`: views alias the input bytes and are
 * valid as long as those bytes are left unchanged.
 */
import { datasetEncoding } from '../uids/transfer-syntax.js';
import { deflateDataset, inflateDataset } from './deflate.js';
import { DatasetError, tagString } from './errors.js';
import { dictionaryVr, PIXEL_DATA_TAG, type VrContext, vrForTag } from './implicit-vr.js';
import { LONG_VRS, SWAP_SIZE, swapBytes } from './vr.js';
import {
  IMPLICIT_LITTLE,
  ITEM_DELIMITATION_TAG,
  ITEM_TAG,
  SEQUENCE_DELIMITATION_TAG,
  UNDEFINED_LENGTH,
  type WalkEncoding,
  type WalkedElement,
  walkDataset,
} from './walk.js';

/** A replacement value for one element during re-encoding; `undefined` drops the element. */
export type ElementOverride = { readonly vr: string; readonly value: Uint8Array } | undefined;

export interface ReencodeElementsOptions {
  /** Pixel-dependent VRs for Implicit VR input; default: the data set's own (0028,0100)/(0028,0103). */
  readonly context?: VrContext;
  /** Top-level elements to replace (values in little-endian order) or drop (`undefined`), by tag. */
  readonly overrides?: ReadonlyMap<number, ElementOverride>;
  /** Re-encode only the top-level elements in [start, end) (element boundaries). */
  readonly start?: number;
  readonly end?: number;
}

/** Element header bytes in the target encoding (`vr` undefined: Implicit VR). */
export function encodeElementHeader(
  tag: number,
  vr: string | undefined,
  length: number,
  littleEndian = true,
): Uint8Array {
  const long = vr !== undefined && LONG_VRS.has(vr);
  const out = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, tag >>> 16, littleEndian);
  dv.setUint16(2, tag & 0xffff, littleEndian);
  if (vr === undefined) {
    dv.setUint32(4, length, littleEndian);
  } else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) dv.setUint32(8, length, littleEndian);
    else dv.setUint16(6, length, littleEndian);
  }
  return out;
}

function itemHeader(tag: number, length: number, le: boolean): Uint8Array {
  return encodeElementHeader(tag, undefined, length, le);
}

/** The pixel-dependent VR context of a walked data set (defaults: 16 bits, unsigned). */
export function vrContextOf(bytes: Uint8Array, elements: readonly WalkedElement[], le: boolean): VrContext {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (tag: number): number | undefined => {
    const e = elements.find((x) => x.tag === tag);
    return e && e.length >= 2 && !e.undefinedLength ? dv.getUint16(e.valueStart, le) : undefined;
  };
  return { bitsAllocated: u16(0x00280100) ?? 16, pixelRepresentation: u16(0x00280103) ?? 0 };
}

/** Re-encodes the elements of `bytes` (in `from`) to `to`, as chunks. */
export function reencodeElements(
  bytes: Uint8Array,
  from: WalkEncoding,
  to: WalkEncoding,
  options: ReencodeElementsOptions = {},
): Uint8Array[] {
  const { elements } = walkDataset(bytes, {
    ...from,
    start: options.start ?? 0,
    end: options.end ?? bytes.length,
  });
  const context =
    options.context ??
    vrContextOf(
      bytes,
      walkDataset(bytes, { ...from, stopBeforeTag: 0x00290000 }).elements,
      from.littleEndian,
    );
  const out: Uint8Array[] = [];
  emit(bytes, elements, from, to, context, options.overrides, out);
  return out;
}

function emit(
  bytes: Uint8Array,
  elements: readonly WalkedElement[],
  from: WalkEncoding,
  to: WalkEncoding,
  context: VrContext,
  overrides: ReadonlyMap<number, ElementOverride> | undefined,
  out: Uint8Array[],
): void {
  const le = to.littleEndian;
  const swap = from.littleEndian !== to.littleEndian;
  const same = !swap && from.explicitVr === to.explicitVr;
  for (const e of elements) {
    if (overrides?.has(e.tag)) {
      const o = overrides.get(e.tag);
      if (o === undefined) continue;
      const size = SWAP_SIZE[o.vr];
      const value = !le && size !== undefined ? swapBytes(o.value, size) : o.value;
      out.push(encodeElementHeader(e.tag, to.explicitVr ? o.vr : undefined, value.length, le), value);
      continue;
    }
    if (same) {
      out.push(bytes.subarray(e.start, e.end));
      continue;
    }
    if ((e.tag & 0xffff) === 0x0000) continue; // group length: no longer right, optional (PS3.5 7.2)
    if (e.items !== undefined) {
      if (e.vr === 'UN') {
        // PS3.5 6.2.2: the value of an undefined-length UN stays Implicit VR LE in every syntax.
        out.push(encodeElementHeader(e.tag, to.explicitVr ? 'UN' : undefined, UNDEFINED_LENGTH, le));
        out.push(bytes.subarray(e.valueStart, e.end));
        continue;
      }
      if (!to.explicitVr && e.tag === PIXEL_DATA_TAG) {
        // An Implicit VR reader takes an undefined-length (7FE0,0010) for encapsulated fragments.
        throw new DatasetError(
          `${tagString(e.tag)} at byte ${e.start} is a sequence; it cannot be written in Implicit VR`,
          { details: { offset: e.start, tag: tagString(e.tag) } },
        );
      }
      out.push(encodeElementHeader(e.tag, to.explicitVr ? 'SQ' : undefined, UNDEFINED_LENGTH, le));
      for (const item of e.items) {
        out.push(itemHeader(ITEM_TAG, UNDEFINED_LENGTH, le));
        emit(bytes, item.elements, from, to, context, undefined, out);
        out.push(itemHeader(ITEM_DELIMITATION_TAG, 0, le));
      }
      out.push(itemHeader(SEQUENCE_DELIMITATION_TAG, 0, le));
      continue;
    }
    if (e.fragments !== undefined) {
      // Encapsulated Pixel Data (PS3.5 A.4) exists only in Explicit VR Little Endian.
      if (!to.explicitVr || !le || !from.littleEndian) {
        throw new DatasetError(
          `encapsulated ${tagString(e.tag)} can only be written in Explicit VR Little Endian`,
          {
            details: { tag: tagString(e.tag) },
          },
        );
      }
      out.push(
        encodeElementHeader(e.tag, e.vr ?? 'OB', UNDEFINED_LENGTH, le),
        bytes.subarray(e.valueStart, e.end),
      );
      continue;
    }
    const vr = e.vr ?? vrForTag(e.tag, e.length, context);
    const raw = bytes.subarray(e.valueStart, e.end);
    if (!to.explicitVr && e.length > 0 && dictionaryVr(e.tag) === 'SQ') checkImplicitSequence(e, vr, raw);
    const size = swap ? SWAP_SIZE[vr] : undefined;
    const value = size === undefined ? raw : swapBytes(raw, size);
    let outVr: string | undefined;
    if (to.explicitVr) {
      // A short-length VR cannot carry 64 KiB or more in Explicit VR (PS3.5 6.2.2): UN can.
      outVr = !LONG_VRS.has(vr) && e.length > 0xffff ? 'UN' : vr;
    }
    out.push(encodeElementHeader(e.tag, outVr, e.length, le), value);
  }
}

/**
 * An Implicit VR reader takes the dictionary's word that this tag is a sequence and reads its
 * value as items. An Explicit VR source that gave it another VR can be written in Implicit VR
 * only when the value is those items: a UN holding Implicit VR LE items (PS3.5 6.2.2). Anything
 * else would be a data set no reader can walk, so it is refused here rather than sent.
 */
function checkImplicitSequence(e: WalkedElement, vr: string, value: Uint8Array): void {
  if (vr === 'UN') {
    const probe = new Uint8Array(8 + value.length);
    const dv = new DataView(probe.buffer);
    dv.setUint16(0, e.tag >>> 16, true);
    dv.setUint16(2, e.tag & 0xffff, true);
    dv.setUint32(4, value.length, true);
    probe.set(value, 8);
    try {
      walkDataset(probe, IMPLICIT_LITTLE);
      return;
    } catch {
      // not Implicit VR LE items: refused below
    }
  }
  throw new DatasetError(
    `${tagString(e.tag)} is a sequence in Implicit VR but its ${vr} value at byte ${e.start} is not Implicit VR LE items; it cannot be written in Implicit VR`,
    { details: { offset: e.start, tag: tagString(e.tag), vr } },
  );
}

export interface ReencodeDatasetOptions extends ReencodeElementsOptions {
  /** Cap on an inflated (Deflated Explicit VR LE) input, in bytes. */
  readonly maxInflatedLength?: number;
}

function encodingOf(uid: string): { explicitVr: boolean; littleEndian: boolean; deflated: boolean } {
  const enc = datasetEncoding(uid);
  if (enc === undefined) {
    throw new DatasetError(`unknown transfer syntax ${uid}: cannot re-encode its data set`, {
      details: { transferSyntax: uid },
    });
  }
  return enc;
}

/**
 * A whole data set (no meta header) in transfer syntax `fromTs`, re-encoded to `toTs`, as chunks.
 * Same encoding: the input itself, one view. Deflated input is inflated first; deflated output is
 * one compressed chunk (`deflateStream` streams it for large data sets).
 */
export function reencodeBetween(
  bytes: Uint8Array,
  fromTs: string,
  toTs: string,
  options: ReencodeDatasetOptions = {},
): Uint8Array[] {
  const from = encodingOf(fromTs);
  const to = encodingOf(toTs);
  const plain = from.deflated ? inflateDataset(bytes, options.maxInflatedLength) : bytes;
  const same =
    from.explicitVr === to.explicitVr &&
    from.littleEndian === to.littleEndian &&
    options.overrides === undefined &&
    options.start === undefined &&
    options.end === undefined;
  let chunks: Uint8Array[];
  if (same) {
    walkDataset(plain, from); // the structure is checked even when nothing changes
    chunks = [plain];
  } else {
    chunks = reencodeElements(plain, from, to, options);
  }
  if (to.deflated) return from.deflated && same ? [bytes] : [deflateDataset(chunks)];
  return chunks;
}
