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
