/**
 * Decoding one element's value for the naturalized form (text with Specific Character Set,
 * numbers in either byte order, binary values in little-endian order: views of the input, or
 * ArrayBuffer copies with `copyBulk`; see DecodeDatasetOptions in read.ts).
 */
import { type CharacterSet, CharsetError, decodeText, type TextOptions } from '../charset/index.js';
import { SWAP_SIZE, swapBytes } from '../elements/vr.js';
import { CHARSET_VRS, hexTag, NUMBER_SIZE, STRING_VRS, TEXT_VRS } from './values.js';

/**
 * Node's native Latin-1 slice (what `buffer.toString('latin1', start, end)` calls; it accepts any
 * Uint8Array as `this`): 2-3x faster than String.fromCharCode.apply on 10-60 byte values (measured).
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string })
  .latin1Slice;

/** One byte per character (Latin-1), lossless. */
export function asciiText(bytes: Uint8Array, start: number, end: number): string {
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

const PLAIN_TEXT = { personName: false } as const;
/** Per-VR text rules (PS3.5 6.1.2.5.3): PN also resets at `^` and `=`; in LT/ST/UT a backslash is text. */
const TEXT_OPTIONS: Readonly<Record<string, TextOptions>> = {
  PN: { personName: true, vr: 'PN' },
  LT: { vr: 'LT' },
  ST: { vr: 'ST' },
  UT: { vr: 'UT' },
};

/** What decodeValues reads from: the data set bytes and where charset problems are collected. */
export interface ValueState {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly flag: boolean;
  /** Binary values as ArrayBuffer copies (dcmjs's form) instead of Uint8Array views of `bytes`. */
  readonly copyBulk: boolean;
  readonly problems: { path: string; error: CharsetError }[];
}

export function elementPath(path: string, key: string): string {
  return path ? `${path}/${key}` : key;
}

function personName(value: string): Record<string, string> {
  const pn: Record<string, string> = {};
  if (value.indexOf('=') < 0) {
    if (value) pn.Alphabetic = value;
    return pn;
  }
  const [alphabetic, ideographic, phonetic] = value.split('=');
  if (alphabetic) pn.Alphabetic = alphabetic;
  if (ideographic) pn.Ideographic = ideographic;
  if (phonetic) pn.Phonetic = phonetic;
  return pn;
}

function number(value: string): number | string {
  const n = Number(value);
  return value !== '' && Number.isFinite(n) ? n : value;
}

/**
 * The values of a string VR. Most values are one value in one byte per character (a UI, a CS, an
 * ASCII name): those are trimmed on the bytes and read with one native Latin-1 slice, with no
 * split and no second string; the rest decode as text, split at `\` and trim each part
 * (`String.prototype.split` was half of this function's time on a 1000-element SR, measured).
 */
function decodeStrings(
  s: ValueState,
  vr: string,
  kind: number,
  start: number,
  end: number,
  cs: CharacterSet,
  csBroken: boolean,
  path: string,
  key: string,
): unknown[] {
  const bytes = s.bytes;
  // One byte per character: outside PS3.5 6.1.2.3's VRs, after a broken (0008,0005) ('flag'), or
  // an ASCII/Latin-1 set with no escape (nor, for ASCII, a byte above 7FH) — what decodeText
  // would return for these bytes. Otherwise decodeText decides, and throws where it must.
  let oneByte = true;
  let backslash = false;
  if (kind & CHARSET && !csBroken) {
    if (cs.kind !== 'ascii' && cs.kind !== 'latin1') oneByte = false;
    else {
      const max = cs.kind === 'ascii' ? 0x7f : 0xff;
      for (let i = start; i < end; i++) {
        const b = bytes[i] as number;
        if (b === 0x1b || b > max) {
          oneByte = false;
          break;
        }
        if (b === 0x5c) backslash = true;
      }
    }
  } else if (!(kind & TEXT)) {
    for (let i = start; i < end; i++) {
      if (bytes[i] === 0x5c) {
        backslash = true;
        break;
      }
    }
  }
  if (oneByte && (kind & TEXT || !backslash)) {
    // PS3.5 6.2: trailing spaces (and a UI's trailing NUL) are padding; leading spaces too,
    // except in the text VRs. The same as trimValue, on the bytes.
    let last = end;
    while (last > start && (bytes[last - 1] === 0x20 || bytes[last - 1] === 0x00)) last--;
    let first = start;
    if (!(kind & TEXT)) while (first < last && bytes[first] === 0x20) first++;
    const value = asciiText(bytes, first, last);
    if (kind & TEXT) return [value];
    if (vr === 'PN') return [personName(value)];
    if (vr === 'DS' || vr === 'IS') return [number(value)];
    return [value];
  }
  let text: string;
  if (oneByte) {
    text = asciiText(bytes, start, end);
  } else {
    try {
      text = decodeText(bytes.subarray(start, end), cs, TEXT_OPTIONS[vr] ?? PLAIN_TEXT);
    } catch (err) {
      if (!s.flag || !(err instanceof CharsetError)) throw err;
      s.problems.push({ path: elementPath(path, key), error: err });
      text = asciiText(bytes, start, end);
    }
  }
  if (kind & TEXT) return [trimValue(text, true)];
  const parts = text.indexOf('\\') < 0 ? [text] : text.split('\\');
  if (vr === 'PN') return parts.map((part) => personName(trimValue(part, false)));
  if (vr === 'DS' || vr === 'IS') return parts.map((part) => number(trimValue(part, false)));
  for (let i = 0; i < parts.length; i++) parts[i] = trimValue(parts[i] as string, false);
  return parts;
}

export function decodeValues(
  s: ValueState,
  littleEndian: boolean,
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
    return decodeStrings(s, vr, kind, start, end, cs, csBroken, path, key);
  }
  const size = NUMBER_SIZE[vr];
  if (size !== undefined) {
    const count = Math.floor((end - start) / size);
    if (count === 0) return undefined;
    const view = s.view;
    const le = littleEndian;
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const o = start + i * size;
      switch (vr) {
        case 'US':
          out.push(view.getUint16(o, le));
          break;
        case 'SS':
          out.push(view.getInt16(o, le));
          break;
        case 'UL':
          out.push(view.getUint32(o, le));
          break;
        case 'SL':
          out.push(view.getInt32(o, le));
          break;
        case 'FL':
          out.push(view.getFloat32(o, le));
          break;
        case 'FD':
          out.push(view.getFloat64(o, le));
          break;
        case 'SV':
          out.push(view.getBigInt64(o, le));
          break;
        case 'UV':
          out.push(view.getBigUint64(o, le));
          break;
        case 'AT':
          out.push(hexTag(((view.getUint16(o, le) << 16) | view.getUint16(o + 2, le)) >>> 0));
          break;
      }
    }
    return out;
  }
  return [binaryValue(s, littleEndian, vr, start, end)];
}

/**
 * A binary value (OB, OD, OF, OL, OV, OW, UN; values.ts) in little-endian order: a view of the
 * input bytes — no copy, a 50 MB Pixel Data costs nothing — unless the data set is big endian
 * (then a swapped copy, PS3.5 7.3) or `copyBulk` asks for an ArrayBuffer of its own.
 */
export function binaryValue(
  s: ValueState,
  littleEndian: boolean,
  vr: string,
  start: number,
  end: number,
): Uint8Array | ArrayBuffer {
  const swap = littleEndian ? undefined : SWAP_SIZE[vr];
  const raw = s.bytes.subarray(start, end);
  if (swap !== undefined) {
    const swapped = swapBytes(raw, swap);
    // swapBytes allocates a fresh Uint8Array of exactly the value's length: its buffer is ours.
    return s.copyBulk ? (swapped.buffer as ArrayBuffer) : swapped;
  }
  // `new Uint8Array(raw)` copies: a Node Buffer's slice() is a view of its pooled ArrayBuffer.
  return s.copyBulk ? (new Uint8Array(raw).buffer as ArrayBuffer) : raw;
}
