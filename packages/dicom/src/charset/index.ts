export {
  CHARSET_AFFECTED_VRS,
  type CharacterSet,
  type CharacterSetOptions,
  canEncode,
  DEFAULT_CHARACTER_SET,
  decodeText,
  encodeText,
  parseCharacterSet,
  resolveCharacterSet,
  SUPPORTED_CHARACTER_SETS,
  type TextOptions,
} from './codec.js';
export { CHARSET_ERROR_CODE, CharsetError, type CharsetFailure } from './errors.js';
export type { ElementId as CodeElementId } from './tables.js';
