import { randomUUID } from 'node:crypto';
import { UID_ERROR_CODES, UidError } from './errors.js';

/** The ISO/IEC 9834-8 (ITU-T X.667) arc for UUID-derived OIDs, used by PS3.5 B.2. */
export const UUID_UID_ROOT = '2.25';

/** Longest UUID-derived UID: "2.25." + the 39 digits of 2^128 - 1. */
export const MAX_UUID_UID_LENGTH = 44;

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * PS3.5 B.2: `2.25.` followed by the UUID read as one unsigned 128-bit integer in decimal, without
 * leading zeros. With no argument a fresh random (version 4) UUID from `crypto.randomUUID()` is
 * used. Accepts the hyphenated form or 32 hex digits, any case.
 */
export function uuidToUid(uuid: string = randomUUID()): string {
  if (!UUID.test(uuid)) {
    // The input is quoted only when it is hex and hyphens, which cannot carry PHI.
    const shown = /^[0-9a-f-]{0,40}$/i.test(uuid) ? ` ("${uuid}")` : '';
    throw new UidError(UID_ERROR_CODES.invalid, `not a UUID${shown}`, {
      details: { what: 'uuid', problem: 'not-a-uuid', length: uuid.length },
      hint: 'pass 32 hex digits, optionally hyphenated as 8-4-4-4-12',
    });
  }
  // BigInt's decimal form never has leading zeros; the nil UUID becomes "2.25.0" (PS3.5 B.2).
  return `${UUID_UID_ROOT}.${BigInt(`0x${uuid.replaceAll('-', '')}`).toString(10)}`;
}
