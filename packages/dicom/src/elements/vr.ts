import { Buffer } from 'node:buffer';

/** PS3.5 7.1.2 (Tables 7.1-1/7.1-2): VRs with a 2-byte reserved field and a 4-byte length in Explicit VR. */
export const LONG_VRS: ReadonlySet<string> = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);

/** Every VR of PS3.5 Table 6.2-1. */
export const KNOWN_VRS: ReadonlySet<string> = new Set([
  ...LONG_VRS,
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FL',
  'FD',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'SL',
  'SS',
  'ST',
  'TM',
  'UI',
  'UL',
  'US',
]);

/**
 * Bytes per swapped unit when the byte order changes (PS3.5 7.3): AT is two 16-bit halves
 * (group, element), so it swaps as 2; OB, UN and the text VRs are byte streams (absent).
 */
export const SWAP_SIZE: Readonly<Record<string, number>> = {
  US: 2,
  SS: 2,
  OW: 2,
  AT: 2,
  UL: 4,
  SL: 4,
  FL: 4,
  OF: 4,
  OL: 4,
  FD: 8,
  SV: 8,
  UV: 8,
  OD: 8,
  OV: 8,
};

/** A copy of `value` with every `size`-byte unit reversed (a trailing partial unit is kept as is). */
export function swapBytes(value: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(value.length);
  out.set(value);
  const whole = value.length - (value.length % size);
  if (size === 2 || size === 4 || size === 8) {
    // Node's Buffer#swapNN runs natively (≈ 10× a byte loop on a 50 MB value); same bytes.
    const units = Buffer.from(out.buffer, out.byteOffset, whole);
    if (size === 2) units.swap16();
    else if (size === 4) units.swap32();
    else units.swap64();
    return out;
  }
  for (let i = 0; i < whole; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = value[i + size - 1 - j] as number;
  }
  return out;
}
