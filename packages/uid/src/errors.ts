import { HnvError, type HnvErrorOptions } from '@hnvue/core';

/** Stable codes of @hnvue/uid errors; callers switch on these, never on messages. */
export const UID_ERROR_CODES = {
  /** A UID, an orgRoot, a deviceSerial or a UUID failed its syntax check. */
  invalid: 'HNV_ERR_UID_INVALID',
  /** orgRoot + deviceSerial leave too few characters for time and sequence within 64. */
  noRoom: 'HNV_ERR_UID_NO_ROOM',
  /** Options that cannot work together (e.g. an orgRoot without a deviceSerial). */
  config: 'HNV_ERR_UID_CONFIG',
  /** The clock returned something that is not a Unix time in ms before year 2286. */
  clock: 'HNV_ERR_UID_CLOCK',
  /** The per-process sequence ran out of digits (needs at least 5·10^11 UIDs from one process). */
  exhausted: 'HNV_ERR_UID_EXHAUSTED',
} as const;

export type UidErrorCode = (typeof UID_ERROR_CODES)[keyof typeof UID_ERROR_CODES];

/**
 * Any failure of @hnvue/uid. Messages may quote a value only when it consists of digits and
 * dots (a UID-shaped value is not PHI); anything else is described by length and position,
 * because a misplaced dataset value (a patient name in a UID field) must not reach a log
 * (NFR-SEC-01).
 */
export class UidError extends HnvError {
  declare readonly code: UidErrorCode;
  constructor(code: UidErrorCode, message: string, options: HnvErrorOptions = {}) {
    super(code, message, options);
  }
}
