/**
 * `TAG`: the generated keyword constants (`./tags.ts`) plus, for now, the lower-camel names that
 * elements/walker.ts exported under the same name before the dictionary existed
 * (`TAG.pixelData`), so that both spellings resolve while net/storage moves to keywords.
 */
import { TAG as KEYWORD_TAG } from './tags.js';

/** @deprecated Use the keyword (`TAG.PixelData`); these go once no caller is left. */
const WALKER_ALIASES = {
  sopClassUid: 0x00080016,
  sopInstanceUid: 0x00080018,
  samplesPerPixel: 0x00280002,
  photometricInterpretation: 0x00280004,
  planarConfiguration: 0x00280006,
  numberOfFrames: 0x00280008,
  rows: 0x00280010,
  columns: 0x00280011,
  bitsAllocated: 0x00280100,
  bitsStored: 0x00280101,
  pixelRepresentation: 0x00280103,
  pixelData: 0x7fe00010,
} as const;

/** Tags by PS3.6 keyword: `TAG.PatientName === 0x00100010`. */
export const TAG: typeof KEYWORD_TAG & typeof WALKER_ALIASES = { ...KEYWORD_TAG, ...WALKER_ALIASES };
