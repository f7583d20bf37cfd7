/**
 * The walker's API as C-STORE (packages/net/src/storage) has used it since before the walker
 * learned every encoding: Little Endian `readElements(bytes, explicit)`, the few attribute
 * readers the storage service needs, and the Explicit ⇄ Implicit VR LE re-encoder. Everything
 * here stands on walk.ts and reencode.ts; nothing parses bytes on its own.
 */
import { HnvError } from '@hnvue/core';
import { TAG } from '../dictionary/index.js';
import { datasetEncoding } from '../uids/transfer-syntax.js';
import { inflateDataset } from './deflate.js';
import { DatasetError } from './errors.js';
import type { VrContext } from './implicit-vr.js';
import {
  type ElementOverride,
  encodeElementHeader,
  type ReencodeDatasetOptions,
  reencodeBetween,
  reencodeElements,
} from './reencode.js';
import { EXPLICIT_LITTLE, IMPLICIT_LITTLE, type WalkedElement, walkDataset } from './walk.js';

export { hex4, tagString } from './errors.js';
export { type VrContext, vrForTag } from './implicit-vr.js';
export type { ElementOverride } from './reencode.js';

export const STORAGE_ERROR_CODES = {
  dataset: 'HNV_ERR_STORE_DATASET',
  transcode: 'HNV_ERR_STORE_TRANSCODE',
} as const;

/** A data set we cannot read or re-encode (truncated, big endian, deflated…). */
export class TransferSyntaxDatasetError extends HnvError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(STORAGE_ERROR_CODES.dataset, message, { details, cause });
  }
}

/** Tags the storage service reads (`TAG.pixelData`, …): the dictionary's TAG, which keeps these names. */
export { TAG };

/** One element of a data set, as offsets into the buffer it was read from (walk.ts). */
export type Element = WalkedElement;

/**
 * Whether a transfer syntax encodes its data set in Explicit VR Little Endian (PS3.5 A.2–A.4).
 * Explicit VR Big Endian and Deflated throw: callers of this Little Endian API must re-encode
 * those first (`reencodeDataset(bytes, fromTs, toTs)`).
 */
export function isExplicitLittleEndian(transferSyntax: string): boolean {
  const enc = datasetEncoding(transferSyntax);
  if (enc === undefined) return true;
  if (!enc.littleEndian || enc.deflated) {
    throw new TransferSyntaxDatasetError(`transfer syntax ${transferSyntax} cannot be re-encoded here`, {
      transferSyntax,
    });
  }
  return enc.explicitVr;
}

function storageError(err: unknown): unknown {
  if (err instanceof DatasetError)
    return new TransferSyntaxDatasetError(err.message, { ...err.details }, err);
  return err;
}

/**
 * The top-level elements of the Little Endian data set in `bytes[start, end)`, stopping before
 * the first element whose tag is above `stopAfterTag`. Malformed input throws
 * TransferSyntaxDatasetError (its cause is the walker's DatasetError / DatasetTruncatedError).
 */
export function readElements(
  bytes: Uint8Array,
  explicit: boolean,
  start = 0,
  end: number = bytes.length,
  stopAfterTag = 0xffffffff,
): { elements: Element[]; end: number } {
  try {
    return walkDataset(bytes, {
      ...(explicit ? EXPLICIT_LITTLE : IMPLICIT_LITTLE),
      start,
      end,
      stopBeforeTag: stopAfterTag + 1,
    });
  } catch (err) {
    throw storageError(err);
  }
}

export function findElement(elements: readonly Element[], tag: number): Element | undefined {
  for (const e of elements) {
    if (e.tag === tag) return e;
    if (e.tag > tag) return undefined;
  }
  return undefined;
}

export function elementValue(bytes: Uint8Array, element: Element): Uint8Array {
  return bytes.subarray(element.valueStart, element.end);
}

/** A string value with its padding (NUL, space) removed. */
export function stringValue(bytes: Uint8Array, element: Element | undefined): string | undefined {
  if (element === undefined) return undefined;
  return Buffer.from(elementValue(bytes, element))
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
}

export function uint16Value(
  bytes: Uint8Array,
  element: Element | undefined,
  littleEndian = true,
): number | undefined {
  if (element === undefined || element.end - element.valueStart < 2) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(
    element.valueStart,
    littleEndian,
  );
}

/** SOP Class and Instance UIDs of a data set in any native transfer syntax (big endian, deflated too). */
export function readSopUids(
  dataset: Uint8Array,
  transferSyntax: string,
): { sopClassUid: string | undefined; sopInstanceUid: string | undefined } {
  const enc = datasetEncoding(transferSyntax) ?? { explicitVr: true, littleEndian: true, deflated: false };
  const bytes = enc.deflated ? inflateDataset(dataset) : dataset;
  let elements: Element[];
  try {
    // Only group 0008 is needed: stop walking early on a large data set.
    elements = walkDataset(bytes, { ...enc, stopBeforeTag: TAG.sopInstanceUid + 1 }).elements;
  } catch (err) {
    throw storageError(err);
  }
  return {
    sopClassUid: stringValue(bytes, findElement(elements, TAG.sopClassUid)),
    sopInstanceUid: stringValue(bytes, findElement(elements, TAG.sopInstanceUid)),
  };
}

/** Element header bytes, Little Endian (`vr` undefined: Implicit VR). */
export function elementHeader(tag: number, vr: string | undefined, length: number): Uint8Array {
  return encodeElementHeader(tag, vr, length, true);
}

export interface ReencodeOptions {
  readonly fromExplicit: boolean;
  readonly toExplicit: boolean;
  readonly context: VrContext;
  /** Top-level elements to replace (or drop, with `undefined`), by tag. */
  readonly overrides?: ReadonlyMap<number, ElementOverride>;
  /** Re-encode only the top-level elements in [start, end) (element boundaries). */
  readonly start?: number;
  readonly end?: number;
}

/**
 * The data set re-encoded, as a list of buffers (new headers and views of the original values).
 * Two forms: `(bytes, fromTs, toTs, options?)` between any two native transfer syntaxes
 * (reencode.ts `reencodeBetween`), and the Little Endian `(bytes, { fromExplicit, toExplicit,
 * context, overrides, start, end })` that C-STORE transcoding uses. Errors are
 * TransferSyntaxDatasetError in the second form, DatasetError in the first.
 */
export function reencodeDataset(
  bytes: Uint8Array,
  fromTs: string,
  toTs: string,
  options?: ReencodeDatasetOptions,
): Uint8Array[];
export function reencodeDataset(bytes: Uint8Array, options: ReencodeOptions): Uint8Array[];
export function reencodeDataset(
  bytes: Uint8Array,
  a: string | ReencodeOptions,
  toTs?: string,
  options?: ReencodeDatasetOptions,
): Uint8Array[] {
  if (typeof a === 'string') return reencodeBetween(bytes, a, toTs ?? a, options);
  try {
    return reencodeElements(
      bytes,
      a.fromExplicit ? EXPLICIT_LITTLE : IMPLICIT_LITTLE,
      a.toExplicit ? EXPLICIT_LITTLE : IMPLICIT_LITTLE,
      {
        context: a.context,
        ...(a.overrides === undefined ? {} : { overrides: a.overrides }),
        ...(a.start === undefined ? {} : { start: a.start }),
        ...(a.end === undefined ? {} : { end: a.end }),
      },
    );
  } catch (err) {
    throw storageError(err);
  }
}

/** An even-length text value padded as PS3.5 6.2 says (space; NUL for UI). */
export function textValue(value: string, vr: string): Uint8Array {
  const raw = Buffer.from(value, 'latin1');
  const out = new Uint8Array(raw.length + (raw.length & 1));
  out.set(raw);
  if (raw.length & 1) out[raw.length] = vr === 'UI' ? 0 : 0x20;
  return out;
}

export function uint16Bytes(value: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value, true);
  return out;
}

/** Joins buffers into one (for callers that need a single contiguous data set). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
