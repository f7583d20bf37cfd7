/**
 * Data set codec for DIMSE payloads: a dcmjs naturalized data set ⇄ Implicit or Explicit VR Little
 * Endian bytes, with no Part 10 header (PS3.5 Section 7, PS3.7 6.3.1). Pure: bytes in, data out.
 * dcmjs supplies the dictionary and the name ⇄ tag mapping (denaturalize/naturalize); the byte
 * layout and the Specific Character Set handling (charset/) are ours, because dcmjs writes text as
 * UTF-8 or ASCII only and cannot emit ISO 2022 escape sequences.
 *
 * Decoding reads sequences of defined and undefined length. Encoding writes defined lengths.
 * Returned data sets and ArrayBuffers are copies: the input bytes may be reused by the caller.
 */
import { HnvError, type HnvErrorOptions } from '@hnvue/core';
import {
  type CharacterSet,
  CharsetError,
  DEFAULT_CHARACTER_SET,
  decodeText,
  encodeText,
  resolveCharacterSet,
} from '../charset/index.js';
import { LONG_VRS } from '../elements/vr.js';
import { addAccessors, DicomMetaDictionary, ValueRepresentation } from './dcmjs.js';

export const DATASET_ERROR_CODE = 'HNV_ERR_DATASET' as const;

/** The bytes are not a well-formed data set, or a value cannot be written in its VR. */
export class DatasetError extends HnvError {
  constructor(message: string, options: HnvErrorOptions = {}) {
    super(DATASET_ERROR_CODE, message, options);
  }
}

/**
 * An incoming data set is longer than the caller's cap (`decodeDatasetStream` `maxLength`): it
 * was not buffered further. Same code as DatasetError; `details.limit` is the cap in bytes.
 */
export class DatasetTooLargeError extends DatasetError {
  readonly limit: number;
  constructor(limit: number) {
    super(`data set exceeds ${limit} bytes`, { details: { limit } });
    this.limit = limit;
  }
}

/** Default cap of `decodeDatasetStream`, the same as for DIMSE response data sets (16 MiB). */
export const DEFAULT_MAX_DATASET_STREAM_LENGTH: number = 16 * 1024 * 1024;

/** A dcmjs naturalized data set: keywords as keys, `_vrMap` for VR overrides. */
export type NaturalDataset = Record<string, unknown>;

/** DICOM JSON-like element as dcmjs denaturalizes it (PS3.18 F.2). */
interface JsonElement {
  vr: string;
  Value?: unknown[] | null;
  InlineBinary?: string;
}
type JsonDataset = Record<string, JsonElement>;

export const IMPLICIT_VR_LE = '1.2.840.10008.1.2' as const;
export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1' as const;

/** The two uncompressed little-endian transfer syntaxes DIMSE data sets travel in here. */
export type DatasetTransferSyntax = typeof IMPLICIT_VR_LE | typeof EXPLICIT_VR_LE;

function isExplicit(transferSyntax: string): boolean {
  if (transferSyntax === IMPLICIT_VR_LE) return false;
  if (transferSyntax === EXPLICIT_VR_LE) return true;
  throw new DatasetError(`transfer syntax ${transferSyntax} is not supported by the data set codec`, {
    details: { transferSyntax },
    hint: 'propose Implicit or Explicit VR Little Endian for this SOP class',
  });
}

// PS3.5 6.1.2.3: the VRs whose values Specific Character Set applies to.
const CHARSET_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'UC', 'UT', 'PN']);
const STRING_VRS: ReadonlySet<string> = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);
// PS3.5 6.2: single-valued text VRs (a backslash is text, not a delimiter); leading spaces kept.
const TEXT_VRS: ReadonlySet<string> = new Set(['LT', 'ST', 'UT', 'UR']);
const BINARY_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const NUMBER_SIZE: Readonly<Record<string, number>> = {
  US: 2,
  SS: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  FD: 8,
  SV: 8,
  UV: 8,
  AT: 4,
};
const KNOWN_VRS: ReadonlySet<string> = new Set([
  ...STRING_VRS,
  ...BINARY_VRS,
  ...Object.keys(NUMBER_SIZE),
  'SQ',
]);

const TAG_ITEM = 0xfffee000;
const TAG_ITEM_DELIMITATION = 0xfffee00d;
const TAG_SEQUENCE_DELIMITATION = 0xfffee0dd;
const UNDEFINED_LENGTH = 0xffffffff;

let vrByTag: Map<number, string> | undefined;

/** The dictionary VR of a tag, for Implicit VR (dcmjs's dictionary; ambiguous VRs resolved as DCMTK does). */
export function dictionaryVr(tag: number): string | undefined {
  if (vrByTag === undefined) {
    vrByTag = new Map();
    const ambiguous: Record<string, string> = { ox: 'OW', xs: 'US', up: 'UL', lt: 'OW' };
    for (const entry of Object.values(DicomMetaDictionary.nameMap)) {
      const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(entry.tag);
      if (!m) continue;
      const vr = ambiguous[entry.vr] ?? entry.vr;
      if (!KNOWN_VRS.has(vr)) continue;
      vrByTag.set(Number.parseInt(`${m[1]}${m[2]}`, 16), vr);
    }
  }
  const vr = vrByTag.get(tag);
  if (vr !== undefined) return vr;
  const element = tag & 0xffff;
  if (element === 0x0000) return 'UL'; // PS3.5 7.2: group length
  if ((tag >>> 16) % 2 === 1 && element >= 0x0010 && element <= 0x00ff) return 'LO'; // PS3.5 7.8.1 private creator
  return undefined;
}

const hexTags = new Map<number, string>();

/** `GGGGEEEE`, cached: the same few hundred tags recur in every match of a query. */
function hexTag(tag: number): string {
  const cached = hexTags.get(tag);
  if (cached !== undefined) return cached;
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  if (hexTags.size < 4096) hexTags.set(tag, hex);
  return hex;
}

// ---------------------------------------------------------------------------------------------
// Encoding

export interface EncodeDatasetOptions {
  /** Implicit (default) or Explicit VR Little Endian: the accepted context's transfer syntax. */
  readonly transferSyntax?: string;
  /** Used when the data set has no SpecificCharacterSet (default: the default repertoire). */
  readonly characterSet?: CharacterSet;
}

class ByteWriter {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  join(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

/**
 * Encodes a naturalized data set (keywords, as dcmjs produces) to bytes in the given transfer
 * syntax. A `null`/`''` value is a zero-length element (a C-FIND return key). Text VRs are coded
 * with the data set's Specific Character Set; a character it cannot hold throws CharsetError.
 */
export function encodeDataset(dataset: NaturalDataset, options: EncodeDatasetOptions = {}): Uint8Array {
  const explicit = isExplicit(options.transferSyntax ?? IMPLICIT_VR_LE);
  const json = DicomMetaDictionary.denaturalizeDataset(dataset) as unknown as JsonDataset;
  const out = new ByteWriter();
  writeDataset(out, json, explicit, options.characterSet ?? DEFAULT_CHARACTER_SET);
  return out.join();
}

function writeDataset(out: ByteWriter, json: JsonDataset, explicit: boolean, inherited: CharacterSet): void {
  const charsetElement = json['00080005'];
  const cs = charsetElement
    ? resolveCharacterSet(charsetElement.Value as string[] | undefined, inherited)
    : inherited;
  const tags = Object.keys(json)
    .filter((k) => /^[0-9A-Fa-f]{8}$/.test(k))
    .map((k) => Number.parseInt(k, 16))
    .sort((a, b) => a - b);
  for (const tag of tags) {
    const element = json[hexTag(tag)] ?? json[hexTag(tag).toLowerCase()];
    if (element === undefined) continue;
    writeElement(out, tag, element, explicit, cs);
  }
}

function writeHeader(out: ByteWriter, tag: number, vr: string, length: number, explicit: boolean): void {
  const long = !explicit || LONG_VRS.has(vr);
  const header = new Uint8Array(explicit && long ? 12 : 8);
  const view = new DataView(header.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  if (!explicit) {
    view.setUint32(4, length, true);
  } else {
    header[4] = vr.charCodeAt(0);
    header[5] = vr.charCodeAt(1);
    if (long) view.setUint32(8, length, true);
    else {
      if (length > 0xffff) {
        throw new DatasetError(`value of ${hexTag(tag)} (${vr}) is longer than 65534 bytes`, {
          details: { tag: hexTag(tag), vr, length },
        });
      }
      view.setUint16(6, length, true);
    }
  }
  out.push(header);
}

function writeElement(
  out: ByteWriter,
  tag: number,
  element: JsonElement,
  explicit: boolean,
  cs: CharacterSet,
): void {
  const vr = element.vr === 'ox' || element.vr === 'lt' ? 'OW' : element.vr === 'xs' ? 'US' : element.vr;
  const values = element.Value ?? [];
  if (vr === 'SQ') {
    const body = new ByteWriter();
    for (const item of values) {
      const itemBytes = new ByteWriter();
      if (item !== null && typeof item === 'object')
        writeDataset(itemBytes, item as JsonDataset, explicit, cs);
      const h = new Uint8Array(8);
      const v = new DataView(h.buffer);
      v.setUint16(0, 0xfffe, true);
      v.setUint16(2, 0xe000, true);
      v.setUint32(4, itemBytes.length, true);
      body.push(h);
      for (const c of itemBytes.chunks) body.push(c);
    }
    writeHeader(out, tag, 'SQ', body.length, explicit);
    for (const c of body.chunks) out.push(c);
    return;
  }
  let value: Uint8Array;
  try {
    value = encodeValue(vr, values, cs);
  } catch (err) {
    if (err instanceof CharsetError) {
      throw new CharsetError(err.reason, `${err.message} (element ${hexTag(tag)})`, {
        cause: err,
        details: { ...err.details, tag: hexTag(tag) },
      });
    }
    throw err;
  }
  writeHeader(out, tag, vr, value.length, explicit);
  out.push(value);
}

function pnToString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && !(v instanceof String)) {
    const pn = v as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
    const groups = [pn.Alphabetic ?? '', pn.Ideographic ?? '', pn.Phonetic ?? ''];
    while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
    return groups.join('=');
  }
  return String(v);
}

function encodeValue(vr: string, values: readonly unknown[], cs: CharacterSet): Uint8Array {
  if (STRING_VRS.has(vr)) {
    const text = values
      .map((v) => (vr === 'PN' ? pnToString(v) : v === null || v === undefined ? '' : String(v)))
      .join('\\');
    const bytes = CHARSET_VRS.has(vr)
      ? encodeText(text, cs, { personName: vr === 'PN' })
      : asciiBytes(text, vr);
    if (bytes.length % 2 === 0) return bytes;
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    padded[bytes.length] = vr === 'UI' ? 0x00 : 0x20; // PS3.5 6.2: UI pads with NUL, others with space
    return padded;
  }
  const size = NUMBER_SIZE[vr];
  if (size !== undefined) {
    const out = new Uint8Array(size * values.length);
    const view = new DataView(out.buffer);
    values.forEach((raw, i) => {
      const o = i * size;
      if (vr === 'AT') {
        const tag = typeof raw === 'number' ? raw : Number.parseInt(String(raw), 16);
        view.setUint16(o, tag >>> 16, true);
        view.setUint16(o + 2, tag & 0xffff, true);
        return;
      }
      const n = Number(raw);
      switch (vr) {
        case 'US':
          view.setUint16(o, n, true);
          break;
        case 'SS':
          view.setInt16(o, n, true);
          break;
        case 'UL':
          view.setUint32(o, n, true);
          break;
        case 'SL':
          view.setInt32(o, n, true);
          break;
        case 'FL':
          view.setFloat32(o, n, true);
          break;
        case 'FD':
          view.setFloat64(o, n, true);
          break;
        case 'SV':
          view.setBigInt64(o, BigInt(raw as number | bigint | string), true);
          break;
        case 'UV':
          view.setBigUint64(o, BigInt(raw as number | bigint | string), true);
          break;
      }
    });
    return out;
  }
  if (BINARY_VRS.has(vr)) {
    const parts = values.map((v) =>
      v instanceof ArrayBuffer
        ? new Uint8Array(v)
        : ArrayBuffer.isView(v)
          ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
          : new Uint8Array(0),
    );
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total + (total % 2));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
  throw new DatasetError(`cannot encode VR '${vr}'`, { details: { vr } });
}

function asciiBytes(text: string, vr: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // PS3.5 6.2: these VRs use the default repertoire only, whatever (0008,0005) says.
    if (c > 0x7f)
      throw new CharsetError('unencodable', `non-ASCII character in a ${vr} value`, {
        details: { vr, index: i },
      });
    out[i] = c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** A text element whose bytes did not fit the declared character set; its value is kept as Latin-1. */
export interface DatasetProblem {
  /** `GGGGEEEE`, with the sequence path for nested elements (`00400100/0/00100010`). */
  readonly path: string;
  readonly error: CharsetError;
}

export interface DecodeDatasetOptions {
  readonly transferSyntax?: string;
  /** Applied when the data set has no Specific Character Set (worklist SCPs often omit it). */
  readonly fallbackCharacterSet?: CharacterSet;
  /**
   * 'throw' (default): a text value the character set cannot decode throws CharsetError.
   * 'flag': the value is decoded byte-per-character (Latin-1, lossless) and reported in `problems`.
   */
  readonly charsetErrors?: 'throw' | 'flag';
}

export interface DecodedDataset {
  readonly dataset: NaturalDataset;
  /** The character set applied at the top level (declared or fallback). */
  readonly characterSet: CharacterSet;
  readonly problems: readonly DatasetProblem[];
}

interface DecodeState {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly explicit: boolean;
  readonly flag: boolean;
  readonly problems: DatasetProblem[];
}

/**
 * Decodes a data set (no Part 10 header) to a dcmjs naturalized data set.
 *
 * The naturalized form is built directly, element by element, with the same result as dcmjs's
 * `naturalizeDataset` over the DICOM JSON model (keywords as keys, `_vrMap`, single values
 * unwrapped, dcmjs's accessor proxies on data sets and one-item arrays, PN value accessors), which
 * took half the CPU of a worklist query when it ran as a second pass (measured, 1000 items).
 */
export function decodeDataset(bytes: Uint8Array, options: DecodeDatasetOptions = {}): DecodedDataset {
  const explicit = isExplicit(options.transferSyntax ?? IMPLICIT_VR_LE);
  const state: DecodeState = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    explicit,
    flag: options.charsetErrors === 'flag',
    problems: [],
  };
  const fallback = options.fallbackCharacterSet ?? DEFAULT_CHARACTER_SET;
  const { dataset, characterSet } = readDataset(state, 0, bytes.length, fallback, '', false);
  return { dataset, characterSet, problems: state.problems };
}

/**
 * Joins the chunks of an incoming data set (DIMSE request streams) and decodes them. A peer
 * decides how long its data set is: beyond `maxLength` (default 16 MiB; 0 or Infinity lifts the
 * cap) this throws DatasetTooLargeError as soon as the cap is crossed, without buffering the rest.
 */
export async function decodeDatasetStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: DecodeDatasetOptions & { readonly maxLength?: number } = {},
): Promise<DecodedDataset> {
  const limit = options.maxLength ?? DEFAULT_MAX_DATASET_STREAM_LENGTH;
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const c of chunks) {
    length += c.length;
    if (limit > 0 && length > limit) throw new DatasetTooLargeError(limit);
    // Chunks are views the association may reuse after we return: copy (STYLE.md).
    parts.push(c.slice());
  }
  const all = parts.length === 1 ? (parts[0] as Uint8Array) : new Uint8Array(length);
  if (parts.length !== 1) {
    let offset = 0;
    for (const p of parts) {
      all.set(p, offset);
      offset += p.length;
    }
  }
  return decodeDataset(all, options);
}

function fail(message: string, offset: number): DatasetError {
  return new DatasetError(`${message} at byte ${offset}`, { details: { offset } });
}

/** What the decoder needs to know about a tag, looked up once per tag (dictionary keyed by string). */
interface TagInfo {
  /** `GGGGEEEE`: the DICOM JSON key, and problem paths. */
  readonly key: string;
  /** The naturalized key: the dictionary keyword, else `key` (as dcmjs names it). */
  readonly name: string;
  /** VR in dcmjs's dictionary (undefined for tags it does not know): decides `_vrMap`. */
  readonly dictionaryVr: string | undefined;
  /** The VR used for Implicit VR Little Endian. */
  readonly implicitVr: string;
  /** dcmjs adds PN value accessors to what is assigned to a keyword whose dictionary VR is PN. */
  readonly personNameAccessors: boolean;
  /**
   * The JSON key is a canonical array index (all decimal digits, no leading zero): dcmjs meets such
   * keys first when it walks its JSON, so their keywords come first in the naturalized object.
   */
  readonly indexKey: boolean;
}

const tagInfos = new Map<number, TagInfo>();

function tagInfo(tag: number): TagInfo {
  const cached = tagInfos.get(tag);
  if (cached !== undefined) return cached;
  const key = hexTag(tag);
  const entry = DicomMetaDictionary.dictionary[`(${key.slice(0, 4)},${key.slice(4)})`];
  const name = entry?.name ?? key;
  const nameEntry = Object.hasOwn(DicomMetaDictionary.nameMap, name)
    ? DicomMetaDictionary.nameMap[name]
    : undefined;
  const info: TagInfo = {
    key,
    name,
    dictionaryVr: entry?.vr,
    implicitVr: dictionaryVr(tag) ?? 'UN',
    personNameAccessors: nameEntry?.vr === 'PN',
    indexKey: /^[1-9][0-9]{7}$/.test(key),
  };
  // Private and unknown tags vary; the dictionary's few thousand do not.
  if (tagInfos.size < 8192) tagInfos.set(tag, info);
  return info;
}

let personNameVr: { addValueAccessors(value: unknown): unknown } | undefined;

/**
 * Stores one element in a naturalized data set being built, exactly as dcmjs's naturalizeDataset
 * and its tag proxy would (dcmjs 0.52.2, DicomMetaDictionary.naturalizeDataset): `values`
 * undefined becomes null; one value is unwrapped, unless it is an object (a PN, an item, a
 * binary value), which becomes a one-item array proxy; keywords of dictionary VR PN get dcmjs's
 * PN accessors (toJSON, toString).
 */
function assign(
  target: Record<string, unknown>,
  vrMap: Record<string, string>,
  info: TagInfo,
  vr: string,
  values: unknown[] | undefined,
): void {
  const name = info.name;
  if (info.dictionaryVr !== undefined && (info.dictionaryVr === 'ox' || vr !== info.dictionaryVr)) {
    vrMap[name] = vr;
  } else if (vrMap[name] !== undefined) {
    // A repeated tag: dcmjs sees only the last occurrence.
    delete vrMap[name];
  }
  let value: unknown = null;
  if (values !== undefined) {
    personNameVr ??= ValueRepresentation.createByTypeString('PN');
    value = info.personNameAccessors ? personNameVr.addValueAccessors(values) : values;
    if (values.length === 1) {
      const zero = values[0];
      value =
        zero && typeof zero === 'object' && !(zero as { length?: unknown }).length
          ? addAccessors(values, zero)
          : zero;
      if (info.personNameAccessors) value = personNameVr.addValueAccessors(value);
    }
  }
  target[name] = value;
}

/** dcmjs's key order: keywords of array-index JSON keys first (by tag), then the others as met. */
function reorder(
  target: Record<string, unknown>,
  indexed: readonly { tag: number; name: string }[],
): NaturalDataset {
  const out: Record<string, unknown> = { _vrMap: target._vrMap };
  const proxy = ValueRepresentation.addTagAccessors(out);
  for (const { name } of [...indexed].sort((a, b) => a.tag - b.tag)) {
    if (!Object.hasOwn(out, name)) out[name] = target[name];
  }
  for (const key of Object.keys(target)) if (!Object.hasOwn(out, key)) out[key] = target[key];
  return proxy;
}

/** Explicit VR codes (two ASCII bytes, first in the high byte) of the VRs we know. */
const VR_BY_CODE: ReadonlyMap<number, string> = new Map(
  [...KNOWN_VRS].map((vr) => [(vr.charCodeAt(0) << 8) | vr.charCodeAt(1), vr]),
);

function readDataset(
  s: DecodeState,
  start: number,
  end: number,
  inherited: CharacterSet,
  path: string,
  inItem: boolean,
): { dataset: NaturalDataset; characterSet: CharacterSet; next: number } {
  const vrMap: Record<string, string> = {};
  const target: Record<string, unknown> = { _vrMap: vrMap };
  // Wrapped first, as dcmjs does (its marker property comes right after _vrMap); elements are then
  // stored on the target itself, with what the proxy's set trap would add applied by `assign`.
  const dataset = ValueRepresentation.addTagAccessors(target);
  let indexed: { tag: number; name: string }[] | undefined;
  let cs = inherited;
  let csBroken = false;
  let offset = start;
  const { bytes, view } = s;
  while (offset < end) {
    if (offset + 8 > end) throw fail('truncated element header', offset);
    const tag = ((view.getUint16(offset, true) << 16) | view.getUint16(offset + 2, true)) >>> 0;
    if (tag === TAG_ITEM_DELIMITATION) {
      if (!inItem) throw fail('item delimiter outside an item', offset);
      offset += 8;
      break;
    }
    const info = tagInfo(tag);
    let vr: string;
    let length: number;
    let headerLength: number;
    if (s.explicit && tag >>> 16 !== 0xfffe) {
      const known = VR_BY_CODE.get(((bytes[offset + 4] as number) << 8) | (bytes[offset + 5] as number));
      if (known === undefined) {
        const raw = String.fromCharCode(bytes[offset + 4] as number, bytes[offset + 5] as number);
        throw fail(`unknown VR '${raw.replace(/[^ -~]/g, '?')}' for ${info.key}`, offset);
      }
      vr = known;
      if (LONG_VRS.has(vr)) {
        if (offset + 12 > end) throw fail('truncated element header', offset);
        length = view.getUint32(offset + 8, true);
        headerLength = 12;
      } else {
        length = view.getUint16(offset + 6, true);
        headerLength = 8;
      }
    } else {
      vr = info.implicitVr;
      length = view.getUint32(offset + 4, true);
      headerLength = 8;
    }
    const valueStart = offset + headerLength;
    if (info.indexKey && info.name !== info.key) {
      indexed ??= [];
      indexed.push({ tag, name: info.name });
    }
    if (vr === 'SQ' || (vr === 'UN' && length === UNDEFINED_LENGTH)) {
      const { items, next } = readSequence(s, valueStart, length, end, cs, elementPath(path, info.key));
      assign(target, vrMap, info, 'SQ', items);
      offset = next;
      continue;
    }
    if (length === UNDEFINED_LENGTH) throw fail(`undefined length for ${info.key} (${vr})`, offset);
    const valueEnd = valueStart + length;
    if (valueEnd > end) throw fail(`value of ${info.key} runs past the end`, offset);
    if (tag === 0x00080005) {
      const terms = asciiText(bytes, valueStart, valueEnd).split('\\');
      try {
        cs = resolveCharacterSet(terms, inherited);
      } catch (err) {
        if (!s.flag || !(err instanceof CharsetError)) throw err;
        s.problems.push({ path: elementPath(path, info.key), error: err });
        csBroken = true;
      }
      assign(
        target,
        vrMap,
        info,
        'CS',
        terms.map((t) => t.trim()),
      );
    } else {
      assign(
        target,
        vrMap,
        info,
        vr,
        decodeValues(s, vr, valueStart, valueEnd, cs, csBroken, path, info.key),
      );
    }
    offset = valueEnd;
  }
  return {
    dataset: indexed === undefined ? dataset : reorder(target, indexed),
    characterSet: cs,
    next: offset,
  };
}

function elementPath(path: string, key: string): string {
  return path ? `${path}/${key}` : key;
}

function readSequence(
  s: DecodeState,
  start: number,
  length: number,
  outerEnd: number,
  cs: CharacterSet,
  path: string,
): { items: NaturalDataset[]; next: number } {
  const items: NaturalDataset[] = [];
  const undefinedLength = length === UNDEFINED_LENGTH;
  const end = undefinedLength ? outerEnd : start + length;
  if (end > outerEnd) throw fail('sequence runs past the end', start);
  let offset = start;
  while (offset < end) {
    if (offset + 8 > end) throw fail('truncated item header', offset);
    const tag = ((s.view.getUint16(offset, true) << 16) | s.view.getUint16(offset + 2, true)) >>> 0;
    const itemLength = s.view.getUint32(offset + 4, true);
    if (tag === TAG_SEQUENCE_DELIMITATION) {
      if (!undefinedLength) throw fail('sequence delimiter in a defined-length sequence', offset);
      return { items, next: offset + 8 };
    }
    if (tag !== TAG_ITEM) throw fail(`expected an item, found ${hexTag(tag)}`, offset);
    const itemPath = `${path}/${items.length}`;
    if (itemLength === UNDEFINED_LENGTH) {
      const { dataset, next } = readDataset(s, offset + 8, end, cs, itemPath, true);
      items.push(dataset);
      offset = next;
    } else {
      const itemEnd = offset + 8 + itemLength;
      if (itemEnd > end) throw fail('item runs past the sequence', offset);
      const { dataset } = readDataset(s, offset + 8, itemEnd, cs, itemPath, false);
      items.push(dataset);
      offset = itemEnd;
    }
  }
  if (undefinedLength) throw fail('sequence without a delimiter', offset);
  return { items, next: end };
}

/**
 * Node's native Latin-1 slice (what `buffer.toString('latin1', start, end)` calls; it accepts any
 * Uint8Array as `this`): 2-3x faster than String.fromCharCode.apply on 10-60 byte values (measured).
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string })
  .latin1Slice;

/** One byte per character (Latin-1), lossless. */
function asciiText(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= 4) {
    // Shorter than a native call's overhead (CS values such as 'F', 'DX').
    let out = '';
    for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i] as number);
    return out;
  }
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, start, end);
  let out = '';
  for (let i = start; i < end; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 8192)) as unknown as number[]);
  }
  return out;
}

/**
 * PS3.5 6.2: trailing spaces (and a UI's trailing NUL) are padding; leading spaces are significant
 * only in the text VRs. Same as `/[\0 ]+$/` then, outside text VRs, `/^ +/`, without the regexes.
 */
function trimValue(value: string, text: boolean): string {
  let last = value.length;
  while (last > 0) {
    const c = value.charCodeAt(last - 1);
    if (c !== 0x20 && c !== 0x00) break;
    last--;
  }
  let first = 0;
  if (!text) while (first < last && value.charCodeAt(first) === 0x20) first++;
  return first === 0 && last === value.length ? value : value.slice(first, last);
}

const NUMBER = 0;
const STRING = 1;
const CHARSET = 2;
const TEXT = 4;
/** Per VR: NUMBER, or STRING with the CHARSET (PS3.5 6.1.2.3) and TEXT (single-valued) bits. */
const VR_KIND: Readonly<Record<string, number>> = Object.fromEntries([
  ...Object.keys(NUMBER_SIZE).map((vr) => [vr, NUMBER]),
  ...[...STRING_VRS].map((vr) => [
    vr,
    STRING | (CHARSET_VRS.has(vr) ? CHARSET : 0) | (TEXT_VRS.has(vr) ? TEXT : 0),
  ]),
]);

/**
 * True when decodeText would read bytes start..end as one byte per character: an ASCII or Latin-1
 * character set and no escape (nor, for ASCII, a byte above 7FH). Otherwise decodeText decides,
 * and throws where it must.
 */
function singleByteClean(bytes: Uint8Array, start: number, end: number, cs: CharacterSet): boolean {
  if (cs.kind !== 'ascii' && cs.kind !== 'latin1') return false;
  const max = cs.kind === 'ascii' ? 0x7f : 0xff;
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if (b === 0x1b || b > max) return false;
  }
  return true;
}

const PERSON_NAME_TEXT = { personName: true } as const;
const PLAIN_TEXT = { personName: false } as const;

/** The DICOM JSON `Value` of one element (undefined when it has none), as decodeElement gave it. */
function decodeValues(
  s: DecodeState,
  vr: string,
  start: number,
  end: number,
  cs: CharacterSet,
  csBroken: boolean,
  path: string,
  key: string,
): unknown[] | undefined {
  const kind = VR_KIND[vr];
  if (kind !== undefined && kind !== NUMBER) {
    if (end === start) return undefined;
    let text: string;
    if (kind & CHARSET && !csBroken) {
      if (singleByteClean(s.bytes, start, end, cs)) {
        // What decodeText would return for these bytes, without a subarray per value.
        text = asciiText(s.bytes, start, end);
      } else {
        try {
          text = decodeText(s.bytes.subarray(start, end), cs, vr === 'PN' ? PERSON_NAME_TEXT : PLAIN_TEXT);
        } catch (err) {
          if (!s.flag || !(err instanceof CharsetError)) throw err;
          s.problems.push({ path: elementPath(path, key), error: err });
          text = asciiText(s.bytes, start, end);
        }
      }
    } else {
      text = asciiText(s.bytes, start, end);
    }
    if (kind & TEXT) return [trimValue(text, true)];
    const parts = text.split('\\');
    if (vr === 'PN') {
      return parts.map((part) => {
        const [alphabetic, ideographic, phonetic] = trimValue(part, false).split('=');
        const pn: Record<string, string> = {};
        if (alphabetic) pn.Alphabetic = alphabetic;
        if (ideographic) pn.Ideographic = ideographic;
        if (phonetic) pn.Phonetic = phonetic;
        return pn;
      });
    }
    if (vr === 'DS' || vr === 'IS') {
      return parts.map((part) => {
        const v = trimValue(part, false);
        const n = Number(v);
        return v !== '' && Number.isFinite(n) ? n : v;
      });
    }
    for (let i = 0; i < parts.length; i++) parts[i] = trimValue(parts[i] as string, false);
    return parts;
  }
  const size = NUMBER_SIZE[vr];
  if (size !== undefined) {
    const count = Math.floor((end - start) / size);
    if (count === 0) return undefined;
    const view = s.view;
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const o = start + i * size;
      switch (vr) {
        case 'US':
          out.push(view.getUint16(o, true));
          break;
        case 'SS':
          out.push(view.getInt16(o, true));
          break;
        case 'UL':
          out.push(view.getUint32(o, true));
          break;
        case 'SL':
          out.push(view.getInt32(o, true));
          break;
        case 'FL':
          out.push(view.getFloat32(o, true));
          break;
        case 'FD':
          out.push(view.getFloat64(o, true));
          break;
        case 'SV':
          out.push(view.getBigInt64(o, true));
          break;
        case 'UV':
          out.push(view.getBigUint64(o, true));
          break;
        case 'AT':
          out.push(hexTag(((view.getUint16(o, true) << 16) | view.getUint16(o + 2, true)) >>> 0));
          break;
      }
    }
    return out;
  }
  // Binary VRs: a copy, so the caller may reuse the received buffer.
  return [s.bytes.slice(start, end).buffer];
}
