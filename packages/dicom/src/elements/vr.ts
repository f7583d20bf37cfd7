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
  const whole = value.length - (value.length % size);
  if (size === 2) {
    for (let i = 0; i < whole; i += 2) {
      out[i] = value[i + 1] as number;
      out[i + 1] = value[i] as number;
    }
  } else {
    for (let i = 0; i < whole; i += size) {
      for (let j = 0; j < size; j++) out[i + j] = value[i + size - 1 - j] as number;
    }
  }
  out.set(value.subarray(whole), whole);
  return out;
}
