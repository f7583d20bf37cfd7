/**
 * Just enough of the PS3.5 data set encoding for C-STORE: walk the elements of a Little Endian
 * data set held in memory (Explicit or Implicit VR, defined or undefined lengths, nested
 * sequences, encapsulated pixel data), read the few attributes the storage service needs, and
 * re-encode a data set between Explicit and Implicit VR Little Endian. Pure: bytes in, bytes out.
 *
 * Values are never copied while walking: an `Element` points into the caller's buffer, and the
 * re-encoder returns a list of views plus small new headers (for `writev`), so a 50 MB Pixel Data
 * value costs no copy when only the VR encoding of the other elements changes.
 */
import { createRequire } from 'node:module';
import { HnvError } from '@hnvue/core';
import { LONG_VRS } from './vr.js';

export const STORAGE_ERROR_CODES = {
  dataset: 'HNV_ERR_STORE_DATASET',
  transcode: 'HNV_ERR_STORE_TRANSCODE',
} as const;

/** A data set we cannot read or re-encode (truncated, big endian, deflated…). */
export class TransferSyntaxDatasetError extends HnvError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(STORAGE_ERROR_CODES.dataset, message, { details });
  }
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
const UNDEFINED = 0xffffffff;

export const TAG = {
  sopClassUid: 0x00080016,
  sopInstanceUid: 0x00080018,
  samplesPerPixel: 0x00280002,
  photometricInterpretation: 0x00280004,
  planarConfiguration: 0x00280006,
  numberOfFrames: 0x00280008,
  rows: 0x00280010,
  columns: 0x00280011,
  bitsAllocated: 0x00280100,
  bitsStored: 0x00280101,
  pixelRepresentation: 0x00280103,
  pixelData: 0x7fe00010,
} as const;

/** One element of a data set, as offsets into the buffer it was read from. */
export interface Element {
  readonly tag: number;
  /** The VR as written (Explicit VR), or undefined (Implicit VR). */
  readonly vr: string | undefined;
  /** First byte of the element header. */
  readonly start: number;
  readonly valueStart: number;
  /** One past the value (past the Sequence Delimitation Item for undefined lengths). */
  readonly end: number;
  readonly undefinedLength: boolean;
}

/** Whether a transfer syntax encodes its data set in Explicit VR Little Endian (PS3.5 A.2–A.4). */
export function isExplicitLittleEndian(transferSyntax: string): boolean {
  if (transferSyntax === IMPLICIT_VR_LITTLE_ENDIAN) return false;
  // Explicit VR Big Endian (retired) and Deflated Explicit VR LE need other readers.
  if (transferSyntax === '1.2.840.10008.1.2.2' || transferSyntax === '1.2.840.10008.1.2.1.99') {
    throw new TransferSyntaxDatasetError(`transfer syntax ${transferSyntax} cannot be re-encoded here`, {
      transferSyntax,
    });
  }
  return true;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The elements of the data set in `bytes[start, end)`. With `untilItemDelimiter`, stops after an
 * Item Delimitation Item and returns its end as `end` (undefined-length items, PS3.5 7.5.2).
 */
export function readElements(
  bytes: Uint8Array,
  explicit: boolean,
  start = 0,
  end: number = bytes.length,
  untilItemDelimiter = false,
  stopAfterTag = 0xffffffff,
): { elements: Element[]; end: number } {
  const dv = view(bytes);
  const elements: Element[] = [];
  let pos = start;
  while (pos < end) {
    if (pos + 8 > end) throw new TransferSyntaxDatasetError('truncated element header', { at: pos });
    const tag = ((dv.getUint16(pos, true) << 16) | dv.getUint16(pos + 2, true)) >>> 0;
    if (tag > stopAfterTag && !untilItemDelimiter) return { elements, end: pos };
    if (tag === ITEM_DELIMITATION) {
      if (untilItemDelimiter) return { elements, end: pos + 8 };
      throw new TransferSyntaxDatasetError('unexpected Item Delimitation Item', { at: pos });
    }
    let vr: string | undefined;
    let length: number;
    let header: number;
    // PS3.5 7.5: item and delimitation tags never carry a VR, even in Explicit VR.
    if (explicit && tag >>> 16 !== 0xfffe) {
      vr = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!);
      if (LONG_VRS.has(vr) || !/^[A-Z]{2}$/.test(vr)) {
        if (pos + 12 > end) throw new TransferSyntaxDatasetError('truncated element header', { at: pos });
        length = dv.getUint32(pos + 8, true);
        header = 12;
      } else {
        length = dv.getUint16(pos + 6, true);
        header = 8;
      }
    } else {
      length = dv.getUint32(pos + 4, true);
      header = 8;
    }
    const valueStart = pos + header;
    let elementEnd: number;
    if (length === UNDEFINED) {
      // An undefined-length UN holds Implicit VR LE items (PS3.5 6.2.2 note).
      elementEnd = skipUndefined(bytes, explicit && vr !== 'UN', valueStart, end);
    } else {
      elementEnd = valueStart + length;
      if (elementEnd > end)
        throw new TransferSyntaxDatasetError('element value runs past the end', { tag: tagString(tag) });
    }
    elements.push({
      tag,
      vr,
      start: pos,
      valueStart,
      end: elementEnd,
      undefinedLength: length === UNDEFINED,
    });
    pos = elementEnd;
  }
  if (untilItemDelimiter) throw new TransferSyntaxDatasetError('missing Item Delimitation Item');
  return { elements, end: pos };
}

/** End of an undefined-length value: items (each possibly undefined-length) up to the delimiter. */
function skipUndefined(bytes: Uint8Array, explicit: boolean, start: number, end: number): number {
  const dv = view(bytes);
  let pos = start;
  while (pos + 8 <= end) {
    const tag = ((dv.getUint16(pos, true) << 16) | dv.getUint16(pos + 2, true)) >>> 0;
    const length = dv.getUint32(pos + 4, true);
    if (tag === SEQUENCE_DELIMITATION) return pos + 8;
    if (tag !== ITEM)
      throw new TransferSyntaxDatasetError('expected an item in an undefined-length value', { at: pos });
    if (length === UNDEFINED) {
      pos = readElements(bytes, explicit, pos + 8, end, true).end;
    } else {
      pos += 8 + length;
    }
  }
  throw new TransferSyntaxDatasetError('missing Sequence Delimitation Item');
}

/** Items of a sequence value as [start, end, undefinedLength] of each item's data set. */
function sequenceItems(bytes: Uint8Array, explicit: boolean, element: Element): [number, number][] {
  const dv = view(bytes);
  const items: [number, number][] = [];
  let pos = element.valueStart;
  const end = element.end;
  while (pos + 8 <= end) {
    const tag = ((dv.getUint16(pos, true) << 16) | dv.getUint16(pos + 2, true)) >>> 0;
    const length = dv.getUint32(pos + 4, true);
    if (tag === SEQUENCE_DELIMITATION) break;
    if (tag !== ITEM)
      throw new TransferSyntaxDatasetError('expected an item in a sequence', { tag: tagString(element.tag) });
    if (length === UNDEFINED) {
      const inner = readElements(bytes, explicit, pos + 8, end, true);
      items.push([pos + 8, inner.end - 8]);
      pos = inner.end;
    } else {
      items.push([pos + 8, pos + 8 + length]);
      pos += 8 + length;
    }
  }
  return items;
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

export function uint16Value(bytes: Uint8Array, element: Element | undefined): number | undefined {
  if (element === undefined || element.end - element.valueStart < 2) return undefined;
  return view(bytes).getUint16(element.valueStart, true);
}

/** SOP Class and Instance UIDs of a data set (for a C-STORE of an in-memory data set). */
export function readSopUids(
  dataset: Uint8Array,
  transferSyntax: string,
): { sopClassUid: string | undefined; sopInstanceUid: string | undefined } {
  const explicit = isExplicitLittleEndian(transferSyntax);
  // Only group 0008 is needed: stop walking early on a large data set.
  const { elements } = readElements(dataset, explicit, 0, dataset.length, false, TAG.sopInstanceUid);
  return {
    sopClassUid: stringValue(dataset, findElement(elements, TAG.sopClassUid)),
    sopInstanceUid: stringValue(dataset, findElement(elements, TAG.sopInstanceUid)),
  };
}

// ---------------------------------------------------------------------------------------------
// Re-encoding between Explicit and Implicit VR Little Endian

interface DictionaryEntry {
  readonly vr: string;
}

let dictionary: ((tag: number) => DictionaryEntry | undefined) | undefined;

/** The standard data dictionary (dcmjs's copy of PS3.6), loaded on first use. */
function lookup(tag: number): DictionaryEntry | undefined {
  if (dictionary === undefined) {
    const require = createRequire(import.meta.url);
    const dcmjs = require('dcmjs') as {
      data: { DicomMetaDictionary: { dictionary: Record<string, DictionaryEntry | undefined> } };
    };
    const dict = dcmjs.data.DicomMetaDictionary.dictionary;
    dictionary = (t) => dict[`(${hex4(t >>> 16)},${hex4(t & 0xffff)})`];
  }
  return dictionary(tag);
}

/** What an Implicit VR element needs to become Explicit: pixel-dependent VRs (PS3.5 A.1 c). */
export interface VrContext {
  readonly bitsAllocated: number;
  readonly pixelRepresentation: number;
}

/** The VR of an Implicit VR element (PS3.5 6.2, PS3.6), by tag. */
export function vrForTag(tag: number, length: number, context: VrContext): string {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (element === 0x0000) return 'UL';
  if (group % 2 === 1) {
    // PS3.5 7.8.1: Private Creator Data Elements are LO; other private elements are unknown to us.
    return element >= 0x0010 && element <= 0x00ff ? 'LO' : 'UN';
  }
  if (tag === TAG.pixelData) return context.bitsAllocated > 8 ? 'OW' : 'OB';
  const entry = lookup(tag);
  let vr = entry?.vr ?? 'UN';
  if (vr === 'xs') vr = context.pixelRepresentation === 1 ? 'SS' : 'US';
  else if (vr === 'ox') vr = context.bitsAllocated > 8 ? 'OW' : 'OB';
  else if (!/^[A-Z]{2}$/.test(vr)) vr = vr.slice(0, 2).toUpperCase();
  if (!/^[A-Z]{2}$/.test(vr)) vr = 'UN';
  // A short-length VR cannot carry 64 KiB or more in Explicit VR (PS3.5 6.2.2): UN can.
  if (!LONG_VRS.has(vr) && length > 0xffff) vr = 'UN';
  return vr;
}

/** Element header bytes for the target encoding. */
export function elementHeader(tag: number, vr: string | undefined, length: number): Uint8Array {
  const long = vr === undefined || LONG_VRS.has(vr);
  const out = new Uint8Array(vr === undefined ? 8 : long ? 12 : 8);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, tag >>> 16, true);
  dv.setUint16(2, tag & 0xffff, true);
  if (vr === undefined) {
    dv.setUint32(4, length, true);
  } else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) dv.setUint32(8, length, true);
    else dv.setUint16(6, length, true);
  }
  return out;
}

function itemHeader(tag: number, length: number): Uint8Array {
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xfffe, true);
  dv.setUint16(2, tag & 0xffff, true);
  dv.setUint32(4, length, true);
  return out;
}

/** A replacement value for one element during re-encoding; `undefined` drops the element. */
export type ElementOverride = { readonly vr: string; readonly value: Uint8Array } | undefined;

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
 * Sequences and items are written with undefined length (PS3.5 7.5.2), so lengths never have to
 * be computed bottom-up. Values are copied by reference.
 */
export function reencodeDataset(bytes: Uint8Array, options: ReencodeOptions): Uint8Array[] {
  const out: Uint8Array[] = [];
  const { elements } = readElements(
    bytes,
    options.fromExplicit,
    options.start ?? 0,
    options.end ?? bytes.length,
  );
  emitElements(bytes, elements, options, out, true);
  return out;
}

function emitElements(
  bytes: Uint8Array,
  elements: readonly Element[],
  options: ReencodeOptions,
  out: Uint8Array[],
  topLevel: boolean,
): void {
  const { fromExplicit, toExplicit, context } = options;
  for (const e of elements) {
    if (topLevel && options.overrides?.has(e.tag)) {
      const o = options.overrides.get(e.tag);
      if (o === undefined) continue;
      out.push(elementHeader(e.tag, toExplicit ? o.vr : undefined, o.value.length), o.value);
      continue;
    }
    const length = e.end - e.valueStart;
    const isSequence =
      e.vr === 'SQ' ||
      (e.vr === undefined &&
        (e.undefinedLength || vrForTag(e.tag, length, context) === 'SQ') &&
        e.tag !== TAG.pixelData);
    if (isSequence) {
      out.push(
        toExplicit ? elementHeader(e.tag, 'SQ', UNDEFINED) : elementHeader(e.tag, undefined, UNDEFINED),
      );
      for (const [s, end] of sequenceItems(bytes, fromExplicit, e)) {
        out.push(itemHeader(ITEM, UNDEFINED));
        emitElements(bytes, readElements(bytes, fromExplicit, s, end).elements, options, out, false);
        out.push(itemHeader(ITEM_DELIMITATION, 0));
      }
      out.push(itemHeader(SEQUENCE_DELIMITATION, 0));
      continue;
    }
    if (e.undefinedLength) {
      // Encapsulated Pixel Data (PS3.5 A.4) or an undefined-length UN: only Explicit VR can carry it.
      if (!toExplicit) {
        throw new TransferSyntaxDatasetError(
          'an encapsulated or undefined-length value cannot be written in Implicit VR',
          {
            tag: tagString(e.tag),
          },
        );
      }
      out.push(bytes.subarray(e.start, e.end));
      continue;
    }
    if (fromExplicit === toExplicit) {
      out.push(bytes.subarray(e.start, e.end));
      continue;
    }
    const vr = toExplicit ? vrForTag(e.tag, length, context) : undefined;
    out.push(elementHeader(e.tag, vr, length), bytes.subarray(e.valueStart, e.end));
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

export function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

export function tagString(tag: number): string {
  return `(${hex4(tag >>> 16)},${hex4(tag & 0xffff)})`;
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
