import { open } from 'node:fs/promises';
import { HnvError } from '@hnvue/core';
import { DatasetTruncatedError } from '../elements/errors.js';
import { LONG_VRS } from '../elements/vr.js';
import { EXPLICIT_LITTLE, walkDataset } from '../elements/walk.js';

/**
 * DICOM Part 10 file meta information (PS3.10 7.1): read it from a file without reading the
 * dataset, and write it in front of a received dataset. Group 0002 is always Explicit VR Little
 * Endian. Pure codec functions plus one function that reads a bounded prefix of a file.
 */

export const PART10_ERROR_CODE = 'HNV_ERR_PART10' as const;

export const PART10_TRUNCATED_ERROR_CODE = 'HNV_ERR_PART10_TRUNCATED' as const;

export class Part10Error extends HnvError {
  constructor(
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
    code: typeof PART10_ERROR_CODE | typeof PART10_TRUNCATED_ERROR_CODE = PART10_ERROR_CODE,
  ) {
    super(code, message, options);
  }
}

/**
 * A file whose data set (or meta group) ends inside an element, or whose declared lengths
 * overrun the file. `offset` is the file offset of the element or item that does not fit, `tag`
 * names it when its header was readable; no value is ever quoted (PHI).
 */
export class Part10TruncatedError extends Part10Error {
  readonly offset: number;
  readonly tag: string | undefined;
  constructor(message: string, offset: number, tag: string | undefined, cause?: unknown) {
    super(
      `${message}${tag === undefined ? '' : ` in ${tag}`} at byte ${offset}`,
      { cause, details: { offset, ...(tag === undefined ? {} : { tag }) } },
      PART10_TRUNCATED_ERROR_CODE,
    );
    this.offset = offset;
    this.tag = tag;
  }
}

export interface FileMetaInformation {
  readonly mediaStorageSopClassUid: string;
  readonly mediaStorageSopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string | undefined;
  readonly sourceApplicationEntityTitle?: string | undefined;
}

export interface Part10Header {
  readonly meta: FileMetaInformation;
  /** Byte offset of the first dataset element (after the meta group). */
  readonly datasetOffset: number;
}

const PREAMBLE = 128;
/** Meta groups are small; 64 KiB bounds what we read before giving up. */
const MAX_META_BYTES = 64 * 1024;

/**
 * Parses the preamble, the `DICM` prefix and group 0002 from the first bytes of a file, with the
 * one element walker (Explicit VR Little Endian, PS3.10 7.1). `bytes` may be a prefix of the
 * file: the walk stops before the first element of another group.
 */
export function parsePart10Header(bytes: Uint8Array): Part10Header {
  if (bytes.length < PREAMBLE + 4 && isDicmPrefix(bytes)) {
    // Preamble, or part of "DICM", then nothing: a Part 10 file cut before its meta group.
    throw new Part10TruncatedError(
      'file ends before the DICM prefix and the meta group',
      bytes.length,
      undefined,
    );
  }
  if (bytes.length < PREAMBLE + 4 || ascii(bytes, PREAMBLE, 4) !== 'DICM') {
    throw new Part10Error('not a DICOM Part 10 file (no DICM prefix after the 128-byte preamble)');
  }
  let walked: ReturnType<typeof walkDataset>;
  try {
    walked = walkMetaGroup(bytes);
  } catch (err) {
    if (err instanceof DatasetTruncatedError) {
      throw new Part10TruncatedError('file meta information is truncated', err.offset, err.tag, err);
    }
    throw new Part10Error('malformed file meta information', { cause: err });
  }
  // (0002,0000) says where the group ends (PS3.10 7.1): a file that stops before it was cut,
  // even at an element boundary. (A group length the elements disagree with is tolerated, as
  // DCMTK does, when the file goes on.)
  const groupLength = walked.elements[0];
  if (groupLength?.tag === 0x00020000 && groupLength.length === 4) {
    const declaredEnd = groupLength.end + readUint32(bytes, groupLength.valueStart);
    if (walked.end < declaredEnd && declaredEnd > bytes.length) {
      throw new Part10TruncatedError(
        `file meta information ends before the ${declaredEnd - groupLength.end} bytes (0002,0000) declares`,
        walked.end,
        undefined,
      );
    }
  }
  const values = new Map<number, string>();
  for (const e of walked.elements) {
    if (e.tag >>> 16 !== 0x0002 || e.undefinedLength) {
      throw new Part10Error(
        `unexpected element (${hex4(e.tag >>> 16)},${hex4(e.tag & 0xffff)}) in the file meta information`,
      );
    }
    if (e.vr === 'UI' || e.vr === 'SH' || e.vr === 'AE') {
      values.set(e.tag & 0xffff, trimValue(ascii(bytes, e.valueStart, e.length)));
    }
  }
  const required = (element: number, name: string): string => {
    const value = values.get(element);
    if (value) return value;
    if (walked.end >= bytes.length) {
      // The group stopped where the file does, before a required element: the file was cut.
      throw new Part10TruncatedError(
        `file ends inside the file meta information, before ${name} (0002,${hex4(element)})`,
        walked.end,
        undefined,
      );
    }
    throw new Part10Error(`file meta information lacks ${name} (0002,${hex4(element)})`);
  };
  return {
    meta: {
      mediaStorageSopClassUid: required(0x0002, 'MediaStorageSOPClassUID'),
      mediaStorageSopInstanceUid: required(0x0003, 'MediaStorageSOPInstanceUID'),
      transferSyntaxUid: required(0x0010, 'TransferSyntaxUID'),
      implementationClassUid: values.get(0x0012) ?? '',
      implementationVersionName: values.get(0x0013),
      sourceApplicationEntityTitle: values.get(0x0016),
    },
    datasetOffset: walked.end,
  };
}

/**
 * Group 0002 from byte 132. Where (0002,0000) declares the group's end and the file reaches it,
 * the walk stops there: the bytes after it are never read as meta elements (a deflated data set
 * whose compressed stream happens to begin with 02 00 is not group 0002). A group length the
 * elements disagree with falls back to walking while the group number is 0002, as DCMTK does.
 */
function walkMetaGroup(bytes: Uint8Array): ReturnType<typeof walkDataset> {
  const start = PREAMBLE + 4;
  const byGroup = (): ReturnType<typeof walkDataset> =>
    walkDataset(bytes, { ...EXPLICIT_LITTLE, start, onlyGroup: 0x0002 });
  const first = walkDataset(bytes, {
    ...EXPLICIT_LITTLE,
    start,
    onlyGroup: 0x0002,
    stopBeforeTag: 0x00020001,
  });
  const groupLength = first.elements[0];
  if (groupLength?.tag !== 0x00020000 || groupLength.length !== 4) return byGroup();
  const declaredEnd = groupLength.end + readUint32(bytes, groupLength.valueStart);
  if (declaredEnd > bytes.length) return byGroup();
  try {
    const walked = walkDataset(bytes, { ...EXPLICIT_LITTLE, start, end: declaredEnd, onlyGroup: 0x0002 });
    if (walked.end === declaredEnd) return walked;
  } catch {
    // The declared length cuts an element: not to be trusted.
  }
  return byGroup();
}

/** Reads only the meta header of a Part 10 file: the dataset stays on disk. */
export async function readPart10Header(path: string): Promise<Part10Header & { readonly fileSize: number }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, MAX_META_BYTES);
    const buffer = new Uint8Array(length);
    await handle.read(buffer, 0, length, 0);
    return { ...parsePart10Header(buffer), fileSize: size };
  } finally {
    await handle.close();
  }
}

/** Preamble, `DICM` and group 0002 for a dataset about to be written (PS3.10 Table 7.1-1). */
export function encodePart10Header(meta: FileMetaInformation): Uint8Array {
  const elements: Uint8Array[] = [
    element(0x0001, 'OB', Uint8Array.of(0x00, 0x01)),
    element(0x0002, 'UI', text(meta.mediaStorageSopClassUid, 0)),
    element(0x0003, 'UI', text(meta.mediaStorageSopInstanceUid, 0)),
    element(0x0010, 'UI', text(meta.transferSyntaxUid, 0)),
    element(0x0012, 'UI', text(meta.implementationClassUid, 0)),
  ];
  if (meta.implementationVersionName)
    elements.push(element(0x0013, 'SH', text(meta.implementationVersionName, 0x20)));
  if (meta.sourceApplicationEntityTitle) {
    elements.push(element(0x0016, 'AE', text(meta.sourceApplicationEntityTitle, 0x20)));
  }
  const groupLength = elements.reduce((n, e) => n + e.length, 0);
  const out = new Uint8Array(PREAMBLE + 4 + 12 + groupLength);
  out.set([0x44, 0x49, 0x43, 0x4d], PREAMBLE);
  const lengthElement = element(0x0000, 'UL', u32(groupLength));
  out.set(lengthElement, PREAMBLE + 4);
  let pos = PREAMBLE + 4 + lengthElement.length;
  for (const e of elements) {
    out.set(e, pos);
    pos += e.length;
  }
  return out;
}

function element(elementNumber: number, vr: string, value: Uint8Array): Uint8Array {
  const long = LONG_VRS.has(vr);
  const header = long ? 12 : 8;
  const out = new Uint8Array(header + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x0002, true);
  view.setUint16(2, elementNumber, true);
  out[4] = vr.charCodeAt(0);
  out[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, value.length, true);
  else view.setUint16(6, value.length, true);
  out.set(value, header);
  return out;
}

/** ASCII value padded to even length (PS3.5 6.2: UI with NUL, text VRs with space). */
function text(value: string, pad: number): Uint8Array {
  const bytes = Buffer.from(value, 'latin1');
  const out = new Uint8Array(bytes.length + (bytes.length % 2));
  out.set(bytes);
  if (bytes.length % 2) out[bytes.length] = pad;
  return out;
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

/** The bytes are a prefix of a 128-byte preamble followed by "DICM". */
function isDicmPrefix(bytes: Uint8Array): boolean {
  for (let i = PREAMBLE; i < bytes.length; i++) if (bytes[i] !== DICM[i - PREAMBLE]) return false;
  return true;
}

const DICM = [0x44, 0x49, 0x43, 0x4d];

function readUint32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1');
}

function trimValue(value: string): string {
  return value.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0').toUpperCase();
}
