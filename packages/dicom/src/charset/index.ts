export {
  type CharacterSet,
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
