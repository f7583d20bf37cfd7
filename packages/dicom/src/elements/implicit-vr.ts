/**
 * The VR of an element read in Implicit VR (PS3.5 A.1, PS3.6): by tag from the data dictionary,
 * with the ambiguous VRs (`US or SS`, `OB or OW`, …) resolved as DCMTK does. One table for the
 * walker, the codec and the re-encoder.
 */
import { DicomMetaDictionary } from '../codec/dcmjs.js';
import { KNOWN_VRS, LONG_VRS } from './vr.js';

export const PIXEL_DATA_TAG = 0x7fe00010;

let rawByTag: Map<number, string> | undefined;

/** The dictionary's VR string as written (`xs`, `ox`, `OB or OW` forms), or undefined. */
function rawVr(tag: number): string | undefined {
  if (rawByTag === undefined) {
    const map = new Map<number, string>();
    for (const entry of Object.values(DicomMetaDictionary.nameMap)) {
      const m = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(entry.tag);
      if (m) map.set(Number.parseInt(`${m[1]}${m[2]}`, 16), entry.vr);
    }
    rawByTag = map;
  }
  const known = rawByTag.get(tag);
  if (known !== undefined) return known;
  // Entries that share a keyword (retired, repeating groups) are only in the by-tag dictionary.
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return DicomMetaDictionary.dictionary[`(${hex.slice(0, 4)},${hex.slice(4)})`]?.vr;
}

const AMBIGUOUS: Readonly<Record<string, string>> = { ox: 'OW', xs: 'US', up: 'UL', lt: 'OW' };

/** The dictionary VR of a tag, for Implicit VR (ambiguous VRs resolved as DCMTK does). */
export function dictionaryVr(tag: number): string | undefined {
  const raw = rawVr(tag);
  if (raw !== undefined) {
    const vr = AMBIGUOUS[raw] ?? raw;
    if (KNOWN_VRS.has(vr)) return vr;
  }
  const element = tag & 0xffff;
  if (element === 0x0000) return 'UL'; // PS3.5 7.2: group length
  if ((tag >>> 16) % 2 === 1 && element >= 0x0010 && element <= 0x00ff) return 'LO'; // PS3.5 7.8.1 private creator
  return undefined;
}

/** What an Implicit VR element needs to become Explicit: pixel-dependent VRs (PS3.5 A.1 c). */
export interface VrContext {
  readonly bitsAllocated: number;
  readonly pixelRepresentation: number;
}

/** The VR to write for an Implicit VR element in Explicit VR (PS3.5 6.2, PS3.6), by tag. */
export function vrForTag(tag: number, length: number, context: VrContext): string {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (element === 0x0000) return 'UL';
  if (group % 2 === 1) {
    // PS3.5 7.8.1: Private Creator Data Elements are LO; other private elements are unknown to us.
    return element >= 0x0010 && element <= 0x00ff ? 'LO' : 'UN';
  }
  if (tag === PIXEL_DATA_TAG) return context.bitsAllocated > 8 ? 'OW' : 'OB';
  const raw = rawVr(tag);
  let vr = raw ?? 'UN';
  if (vr === 'xs') vr = context.pixelRepresentation === 1 ? 'SS' : 'US';
  else if (vr === 'ox') vr = context.bitsAllocated > 8 ? 'OW' : 'OB';
  else vr = AMBIGUOUS[vr] ?? vr;
  if (!KNOWN_VRS.has(vr)) vr = 'UN';
  // A short-length VR cannot carry 64 KiB or more in Explicit VR (PS3.5 6.2.2): UN can.
  if (!LONG_VRS.has(vr) && length > 0xffff) vr = 'UN';
  return vr;
}
