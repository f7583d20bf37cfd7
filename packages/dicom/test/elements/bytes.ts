/** Hand-built data set bytes for walker tests: every header written out, in either byte order. */
import { KNOWN_VRS, LONG_VRS } from '../../src/elements/vr.js';

export interface Enc {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
}
export const ILE: Enc = { explicitVr: false, littleEndian: true };
export const ELE: Enc = { explicitVr: true, littleEndian: true };
export const EBE: Enc = { explicitVr: true, littleEndian: false };

export const UNDEF = 0xffffffff;

export function cat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** An element header (and value): `length` overrides the value's length (lies, undefined). */
export function el(
  tag: number,
  vr: string,
  value: Uint8Array,
  enc: Enc,
  length: number = value.length,
): Uint8Array {
  const le = enc.littleEndian;
  // DCMTK reads an unknown VR with a 4-byte length ("assuming 4 byte length field"), as we do.
  const long = LONG_VRS.has(vr) || !KNOWN_VRS.has(vr);
  const head = new Uint8Array(!enc.explicitVr ? 8 : long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, tag >>> 16, le);
  dv.setUint16(2, tag & 0xffff, le);
  if (!enc.explicitVr) dv.setUint32(4, length, le);
  else {
    head[4] = vr.charCodeAt(0);
    head[5] = vr.charCodeAt(1);
    if (long) dv.setUint32(8, length, le);
    else dv.setUint16(6, length, le);
  }
  return cat(head, value);
}

export function item(tag: number, length: number, le = true): Uint8Array {
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, tag >>> 16, le);
  dv.setUint16(2, tag & 0xffff, le);
  dv.setUint32(4, length, le);
  return out;
}

export const ITEM = 0xfffee000;
export const ITEM_END = 0xfffee00d;
export const SEQ_END = 0xfffee0dd;

export function text(s: string): Uint8Array {
  const b = Buffer.from(s.length % 2 ? `${s} ` : s, 'latin1');
  return new Uint8Array(b);
}

export function u16(n: number, le = true): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, n, le);
  return out;
}
