import { UID_ERROR_CODES, UidError } from './errors.js';

/** PS3.5 6.2 (VR UI) and 9.1: a UID is at most 64 characters, padding excluded. */
export const MAX_UID_LENGTH = 64;

/** Why a value is not a UID; `undefined` from {@link checkUid} means it is one. */
export type UidProblem =
  | 'not-a-string'
  | 'empty'
  | 'too-long'
  | 'bad-character'
  | 'empty-component'
  | 'leading-zero';

const UID_SHAPED = /^[0-9.]*$/;
// Longest value we quote in a message: long enough for any near-miss UID, short enough for a log line.
const MAX_QUOTED = 80;

/**
 * The first rule of PS3.5 9.1 that `value` breaks, or `undefined` for a valid UID. Trailing NUL
 * padding (PS3.5 6.2) is the codec's business: strip it before checking.
 */
export function checkUid(value: unknown): UidProblem | undefined {
  if (typeof value !== 'string') return 'not-a-string';
  if (value.length === 0) return 'empty';
  if (value.length > MAX_UID_LENGTH) return 'too-long';
  return checkComponents(value);
}

/** True when `value` is a string that satisfies PS3.5 9.1. */
export function isValidUid(value: unknown): value is string {
  return checkUid(value) === undefined;
}

/**
 * Throws {@link UidError} (`HNV_ERR_UID_INVALID`) unless `value` is a valid UID. `what` names the
 * value in the message, e.g. `'SOPInstanceUID'`.
 */
export function assertValidUid(value: unknown, what = 'UID'): asserts value is string {
  const problem = checkUid(value);
  if (problem !== undefined) throw invalidUid(value, problem, what);
}

/** Components only (no length rule): digits, no empty component, no leading zero (PS3.5 9.1). */
export function checkComponents(value: string): UidProblem | undefined {
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = i === value.length ? 0x2e : value.charCodeAt(i);
    if (c === 0x2e) {
      if (i === start) return 'empty-component';
      // "The first digit of each component shall not be zero unless the component is a single digit."
      if (i - start > 1 && value.charCodeAt(start) === 0x30) return 'leading-zero';
      start = i + 1;
    } else if (c < 0x30 || c > 0x39) {
      return 'bad-character';
    }
  }
  return undefined;
}

/** Builds the PHI-safe error for a value that failed {@link checkUid}. */
export function invalidUid(value: unknown, problem: UidProblem, what: string): UidError {
  const details: Record<string, unknown> = { what, problem };
  let shown = '';
  if (typeof value === 'string') {
    details.length = value.length;
    if (UID_SHAPED.test(value) && value.length <= MAX_QUOTED) {
      details.value = value;
      shown = ` ("${value}")`;
    } else if (problem === 'bad-character') {
      details.index = value.search(/[^0-9.]/);
    }
  } else {
    details.type = value === null ? 'null' : typeof value;
  }
  return new UidError(UID_ERROR_CODES.invalid, `${what} is not a valid UID: ${describe(problem)}${shown}`, {
    details,
    hint: 'a UID is up to 64 characters of digits and dots, each component a number without leading zeros (PS3.5 9.1)',
  });
}

function describe(problem: UidProblem): string {
  switch (problem) {
    case 'not-a-string':
      return 'not a string';
    case 'empty':
      return 'empty';
    case 'too-long':
      return `longer than ${MAX_UID_LENGTH} characters`;
    case 'bad-character':
      return 'contains a character other than 0-9 and "."';
    case 'empty-component':
      return 'has an empty component';
    case 'leading-zero':
      return 'has a component with a leading zero';
  }
}
