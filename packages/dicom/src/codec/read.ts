/**
 * Data set reader: bytes in any of the four native encodings (Implicit VR LE, Explicit VR LE,
 * Explicit VR BE, Deflated Explicit VR LE; and the Explicit VR LE data set of an encapsulated
 * syntax) → a dcmjs naturalized data set. The structure comes from the one element walker
 * (elements/walk.ts); this module only turns walked elements into values.
 *
 * Text and numbers are new values. Binary values (Pixel Data and every other OB, OD, OF, OL, OV,
 * OW and UN value, and the fragments of encapsulated Pixel Data) are by default `Uint8Array`
 * views of the input bytes, never copies: they alias the caller's buffer (see
 * `DecodeDatasetOptions.copyBulk` for when that matters and how to opt out).
 */
import type { CharsetError } from '../charset/index.js';
import {
  type CharacterSet,
  CharsetError as CharsetErrorClass,
  DEFAULT_CHARACTER_SET,
  resolveCharacterSet,
} from '../charset/index.js';
import { inflateDataset } from '../elements/deflate.js';
import { dictionaryVr } from '../elements/implicit-vr.js';
import type { WalkedElement } from '../elements/walk.js';
import { walkDataset } from '../elements/walk.js';
import { addAccessors, DicomMetaDictionary, ValueRepresentation } from './dcmjs.js';
import { asciiText, binaryValue, decodeValues, elementPath, type ValueState } from './decode-values.js';
import {
  codecEncoding,
  DatasetTooLargeError,
  DEFAULT_MAX_DATASET_STREAM_LENGTH,
  IMPLICIT_VR_LE,
  type NaturalDataset,
} from './types.js';
import { hexTag } from './values.js';

/** A text element whose bytes did not fit the declared character set; its value is kept as Latin-1. */
export interface DatasetProblem {
  /** `GGGGEEEE`, with the sequence path for nested elements (`00400100/0/00100010`). */
  readonly path: string;
  readonly error: CharsetError;
}

export interface DecodeDatasetOptions {
  /** Any transfer syntax of PS3.6 (default Implicit VR LE); the data set is inflated when deflated. */
  readonly transferSyntax?: string;
  /** Cap on the inflated size of a deflated data set (elements/deflate.ts default: 1 GiB). */
  readonly maxInflatedLength?: number;
  /** Applied when the data set has no Specific Character Set (worklist SCPs often omit it). */
  readonly fallbackCharacterSet?: CharacterSet;
  /**
   * 'throw' (default): a text value the character set cannot decode throws CharsetError.
   * 'flag': the value is decoded byte-per-character (Latin-1, lossless) and reported in `problems`.
   */
  readonly charsetErrors?: 'throw' | 'flag';
  /**
   * How binary values come out: the values of OB, OD, OF, OL, OV, OW and UN elements (Pixel Data
   * among them) and the fragments of encapsulated Pixel Data (PS3.5 A.4), each the sole item of
   * its element's value array, in little-endian byte order whatever the transfer syntax.
   *
   * - `false` (default): a `Uint8Array` **view of `bytes`** (`value.buffer === bytes.buffer`), no
   *   copy. It aliases the input: it shows any later change to those bytes, stays valid only as
   *   long as the caller leaves them unchanged (do not decode from a buffer you will reuse, such
   *   as a pooled read buffer, and keep the values), and keeps the whole input buffer alive as
   *   long as it is referenced. Exceptions that are fresh memory: an Explicit VR Big Endian data
   *   set's values of VRs with multi-byte units are swapped copies (PS3.5 7.3), and a deflated
   *   data set's values are views of the inflated bytes, which belong to the result alone.
   * - `true`: every binary value is an `ArrayBuffer` of its own (a copy): dcmjs's naturalized form
   *   exactly, for a caller that keeps values past the life of `bytes` or hands them to dcmjs.
   */
  readonly copyBulk?: boolean;
}

export interface DecodedDataset {
  /** Binary values in it alias the decoded bytes unless decoded with `copyBulk` (DecodeDatasetOptions). */
  readonly dataset: NaturalDataset;
  /** The character set applied at the top level (declared or fallback). */
  readonly characterSet: CharacterSet;
  readonly problems: readonly DatasetProblem[];
}

/**
 * Decodes a data set (no Part 10 header) to a dcmjs naturalized data set. Binary values (Pixel
 * Data, …) are views of `bytes` unless `options.copyBulk` (see DecodeDatasetOptions.copyBulk): the
 * result must not outlive changes to `bytes`.
 *
 * The naturalized form is built directly, element by element, with the same result as dcmjs's
 * `naturalizeDataset` over the DICOM JSON model (keywords as keys, `_vrMap`, single values
 * unwrapped, dcmjs's accessor proxies on data sets and one-item arrays, PN value accessors), which
 * took half the CPU of a worklist query when it ran as a second pass (measured, 1000 items).
 * Malformed bytes throw DatasetError; a data set that ends inside an element or whose lengths
 * overrun it throws DatasetTruncatedError with the offset and tag.
 */
export function decodeDataset(bytes: Uint8Array, options: DecodeDatasetOptions = {}): DecodedDataset {
  const enc = codecEncoding(options.transferSyntax ?? IMPLICIT_VR_LE, 'read');
  const data = enc.deflated ? inflateDataset(bytes, options.maxInflatedLength) : bytes;
  const { elements } = walkDataset(data, { explicitVr: enc.explicitVr, littleEndian: enc.littleEndian });
  const state: ValueState = {
    bytes: data,
    view: new DataView(data.buffer, data.byteOffset, data.byteLength),
    flag: options.charsetErrors === 'flag',
    copyBulk: options.copyBulk === true,
    problems: [],
  };
  const fallback = options.fallbackCharacterSet ?? DEFAULT_CHARACTER_SET;
  const { dataset, characterSet } = readDataset(state, elements, enc.littleEndian, fallback, '');
  return { dataset, characterSet, problems: state.problems };
}

/**
 * Joins the chunks of an incoming data set (DIMSE request streams) and decodes them. The chunks
 * are copied as they arrive, so binary values are views of that private copy and stay valid
 * whatever the association does with its buffers. A peer
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

const characterSets = new Map<string, CharacterSet>();

/**
 * resolveCharacterSet for a (0008,0005) value, cached by its bytes: every match of a query
 * carries the same one, and parsing it was 8% of decoding a worklist item (measured). A value
 * with no term is the inherited set (not cached); one that does not parse throws each time.
 */
function characterSetOf(raw: string, terms: readonly string[], inherited: CharacterSet): CharacterSet {
  const cached = characterSets.get(raw);
  if (cached !== undefined) return cached;
  const resolved = resolveCharacterSet(terms, inherited);
  if (terms.some((t) => t.trim() !== '') && characterSets.size < 256) characterSets.set(raw, resolved);
  return resolved;
}

let personNameVr: { addValueAccessors(value: unknown): unknown } | undefined;

/**
 * Stores one element in a naturalized data set being built, exactly as dcmjs's naturalizeDataset
 * and its tag proxy would (dcmjs 0.52.2, DicomMetaDictionary.naturalizeDataset): `values`
 * undefined becomes null; one value is unwrapped, unless it is an object (a PN, an item, a
 * binary value), which becomes a one-item array proxy; keywords of dictionary VR PN get dcmjs's
 * PN accessors (toJSON, toString). `mapped`: whether `vrMap` has an entry yet (most data sets
 * have none: the lookup of a repeated tag's entry is then skipped); returns the same for after.
 */
function assign(
  target: Record<string, unknown>,
  vrMap: Record<string, string>,
  mapped: boolean,
  info: TagInfo,
  vr: string,
  values: unknown[] | undefined,
): boolean {
  const name = info.name;
  if (info.dictionaryVr !== undefined && (info.dictionaryVr === 'ox' || vr !== info.dictionaryVr)) {
    vrMap[name] = vr;
    mapped = true;
  } else if (mapped && vrMap[name] !== undefined) {
    // A repeated tag: dcmjs sees only the last occurrence.
    delete vrMap[name];
  }
  let value: unknown = null;
  if (values !== undefined) {
    personNameVr ??= ValueRepresentation.createByTypeString('PN');
    value = info.personNameAccessors ? personNameVr.addValueAccessors(values) : values;
    if (values.length === 1) {
      const zero = values[0];
      // A binary value stays a one-item array, an ArrayBuffer (no length) as a Uint8Array view.
      value =
        zero &&
        typeof zero === 'object' &&
        (!(zero as { length?: unknown }).length || ArrayBuffer.isView(zero))
          ? addAccessors(values, zero)
          : zero;
      // dcmjs's PN accessors take strings and objects; a PN keyword written with a numeric VR
      // (a malformed file) gives a number, which they would reject with a plain Error.
      if (info.personNameAccessors && (typeof value === 'string' || typeof value === 'object')) {
        value = personNameVr.addValueAccessors(value);
      }
    }
  }
  target[name] = value;
  return mapped;
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

function readDataset(
  s: ValueState,
  elements: readonly WalkedElement[],
  le: boolean,
  inherited: CharacterSet,
  path: string,
): { dataset: NaturalDataset; characterSet: CharacterSet } {
  const vrMap: Record<string, string> = {};
  const target: Record<string, unknown> = { _vrMap: vrMap };
  // Wrapped first, as dcmjs does (its marker property comes right after _vrMap); elements are then
  // stored on the target itself, with what the proxy's set trap would add applied by `assign`.
  const dataset = ValueRepresentation.addTagAccessors(target);
  let indexed: { tag: number; name: string }[] | undefined;
  let cs = inherited;
  let csBroken = false;
  let mapped = false;
  for (const e of elements) {
    const info = tagInfo(e.tag);
    if (info.indexKey && info.name !== info.key) {
      indexed ??= [];
      indexed.push({ tag: e.tag, name: info.name });
    }
    if (e.items !== undefined) {
      const itemsPath = elementPath(path, info.key);
      const items = e.items.map(
        (item, i) =>
          readDataset(s, item.elements, item.encoding.littleEndian, cs, `${itemsPath}/${i}`).dataset,
      );
      mapped = assign(target, vrMap, mapped, info, 'SQ', items);
      continue;
    }
    const vr = e.vr ?? info.implicitVr;
    if (e.fragments !== undefined) {
      // Encapsulated Pixel Data: the fragments (PS3.5 A.4), as dcmjs gives them (views unless copyBulk).
      const frags = e.fragments.fragments.map((f) => binaryValue(s, true, 'OB', f.start, f.start + f.length));
      mapped = assign(target, vrMap, mapped, info, vr, frags);
      continue;
    }
    if (e.tag === 0x00080005) {
      const raw = asciiText(s.bytes, e.valueStart, e.end);
      const terms = raw.split('\\');
      try {
        cs = characterSetOf(raw, terms, inherited);
      } catch (err) {
        if (!s.flag || !(err instanceof CharsetErrorClass)) throw err;
        s.problems.push({ path: elementPath(path, info.key), error: err });
        csBroken = true;
      }
      mapped = assign(
        target,
        vrMap,
        mapped,
        info,
        'CS',
        terms.map((t) => t.trim()),
      );
    } else {
      mapped = assign(
        target,
        vrMap,
        mapped,
        info,
        vr,
        decodeValues(s, le, vr, e.valueStart, e.end, cs, csBroken, path, info.key),
      );
    }
  }
  return {
    dataset: indexed === undefined ? dataset : reorder(target, indexed),
    characterSet: cs,
  };
}
