/**
 * The VR of an element read in Implicit VR (PS3.5 A.1, PS3.6): by tag from the data dictionary
 * (dictionary/ `implicitVr`), with the ambiguous VRs (`US or SS`, `OB or OW`, …) resolved as DCMTK
 * does, plus what PS3.5 fixes without a dictionary (group lengths, private creators). One lookup
 * for the walker, the codec and the re-encoder.
 */
import { implicitVr, lookupTag } from '../dictionary/index.js';
import { KNOWN_VRS, LONG_VRS } from './vr.js';

export const PIXEL_DATA_TAG = 0x7fe00010;

/** The dictionary VR of a tag, for Implicit VR (ambiguous VRs resolved as DCMTK does). */
export function dictionaryVr(tag: number): string | undefined {
  const vr = implicitVr(tag);
  if (vr !== undefined && KNOWN_VRS.has(vr)) return vr;
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
  const vrs = lookupTag(tag)?.vrs ?? [];
  let vr: string;
  if (vrs.includes('US') && vrs.includes('SS')) vr = context.pixelRepresentation === 1 ? 'SS' : 'US';
  else if (vrs.includes('OB') && vrs.includes('OW')) vr = context.bitsAllocated > 8 ? 'OW' : 'OB';
  else vr = implicitVr(tag) ?? 'UN';
  if (!KNOWN_VRS.has(vr)) vr = 'UN';
  // A short-length VR cannot carry 64 KiB or more in Explicit VR (PS3.5 6.2.2): UN can.
  if (!LONG_VRS.has(vr) && length > 0xffff) vr = 'UN';
  return vr;
}
