export { UID_ERROR_CODES, UidError, type UidErrorCode } from './errors.js';
export {
  createUidGenerator,
  MAX_SEQUENCE_DIGITS,
  MAX_UID_PREFIX_LENGTH,
  MIN_SEQUENCE_DIGITS,
  TIME_DIGITS,
  type UidGenerator,
  type UidGeneratorOptions,
} from './generator.js';
export { MAX_UUID_UID_LENGTH, UUID_UID_ROOT, uuidToUid } from './uuid.js';
export { assertValidUid, checkUid, isValidUid, MAX_UID_LENGTH, type UidProblem } from './validate.js';
