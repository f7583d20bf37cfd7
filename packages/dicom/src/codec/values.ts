/**
 * Values of the data set codec: the VR tables (PS3.5 6.2) and one element's value to and from
 * bytes, in either byte order. Binary values (OB/OW/OF/…) appear in the naturalized form as
 * ArrayBuffers in little-endian order whatever the transfer syntax: reading big endian swaps
 * them per VR, writing big endian swaps them back (PS3.5 7.3).
 */
import { type CharacterSet, CharsetError, encodeText } from '../charset/index.js';
import { DatasetError } from '../elements/errors.js';
import { SWAP_SIZE, swapBytes } from '../elements/vr.js';

// PS3.5 6.1.2.3: the VRs whose values Specific Character Set applies to.
export const CHARSET_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'UC', 'UT', 'PN']);
export const STRING_VRS: ReadonlySet<string> = new Set([
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
export const TEXT_VRS: ReadonlySet<string> = new Set(['LT', 'ST', 'UT', 'UR']);
export const BINARY_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
export const NUMBER_SIZE: Readonly<Record<string, number>> = {
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

const hexTags = new Map<number, string>();

/** `GGGGEEEE`, cached: the same few hundred tags recur in every match of a query. */
export function hexTag(tag: number): string {
  const cached = hexTags.get(tag);
  if (cached !== undefined) return cached;
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  if (hexTags.size < 4096) hexTags.set(tag, hex);
  return hex;
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

export function encodeValue(
  vr: string,
  values: readonly unknown[],
  cs: CharacterSet,
  littleEndian = true,
): Uint8Array {
  if (STRING_VRS.has(vr)) {
    const text = values
      .map((v) => (vr === 'PN' ? pnToString(v) : v === null || v === undefined ? '' : String(v)))
      .join('\\');
    const bytes = CHARSET_VRS.has(vr)
      ? encodeText(text, cs, { personName: vr === 'PN', vr })
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
        view.setUint16(o, tag >>> 16, littleEndian);
        view.setUint16(o + 2, tag & 0xffff, littleEndian);
        return;
      }
      const n = Number(raw);
      switch (vr) {
        case 'US':
          view.setUint16(o, n, littleEndian);
          break;
        case 'SS':
          view.setInt16(o, n, littleEndian);
          break;
        case 'UL':
          view.setUint32(o, n, littleEndian);
          break;
        case 'SL':
          view.setInt32(o, n, littleEndian);
          break;
        case 'FL':
          view.setFloat32(o, n, littleEndian);
          break;
        case 'FD':
          view.setFloat64(o, n, littleEndian);
          break;
        case 'SV':
          view.setBigInt64(o, BigInt(raw as number | bigint | string), littleEndian);
          break;
        case 'UV':
          view.setBigUint64(o, BigInt(raw as number | bigint | string), littleEndian);
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
    const size = littleEndian ? undefined : SWAP_SIZE[vr];
    // One even-length value: a view, no copy (a 50 MB Pixel Data in little endian).
    if (parts.length === 1 && total % 2 === 0) {
      const only = parts[0] as Uint8Array;
      return size === undefined ? only : swapBytes(only, size);
    }
    const joined = new Uint8Array(total + (total % 2));
    let offset = 0;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.length;
    }
    return size === undefined ? joined : swapBytes(joined, size);
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
