import { UID_ERROR_CODES, UidError } from './errors.js';
import { Sequence } from './sequence.js';
import { MAX_UUID_UID_LENGTH, UUID_UID_ROOT, uuidToUid } from './uuid.js';
import { checkUid, invalidUid, MAX_UID_LENGTH } from './validate.js';

/** Digits reserved for `{unixTimeMs}`: enough for every ms until 2286-11-20 (10^13 ms). */
export const TIME_DIGITS = 13;
/**
 * Fewest digits the `{sequence}` may get. 12 digits give a random start among 5·10^11 values: two
 * processes sharing root and serial that each issue N UIDs overlap with probability at most
 * 4N / 10^12 (N = 10^6: 4·10^-6), and far less when they share no millisecond.
 */
export const MIN_SEQUENCE_DIGITS = 12;
/**
 * Longest `{orgRoot}.{deviceSerial}` that leaves `.{unixTimeMs}.{sequence}` its digits within the
 * 64 characters of a UID (PS3.5 9.1): 64 − 2 dots − 13 − 12 = 37. The one source of this limit: the
 * configuration check of @hnvue/facade and both READMEs quote it.
 */
export const MAX_UID_PREFIX_LENGTH: number = MAX_UID_LENGTH - 2 - TIME_DIGITS - MIN_SEQUENCE_DIGITS;
/** Most digits the `{sequence}` gets even when the root is short: collision bound 4N / 10^20. */
export const MAX_SEQUENCE_DIGITS = 20;

const MAX_TIME = 10 ** TIME_DIGITS;
const COMPONENT = /^(0|[1-9][0-9]*)$/;
// PS3.5 9.1: "1.2.840.10008" is reserved for DICOM defined items, never for privately defined ones.
const DICOM_ROOT = '1.2.840.10008';

export interface UidGeneratorOptions {
  /**
   * The organisation's registered UID root (PS3.5 9.1, B.1). Without it the generator falls back
   * to PS3.5 B.2 UUID-derived UIDs (`2.25.<decimal>`), a fresh random UUID for every call.
   */
  readonly orgRoot?: string;
  /** This device's serial as one UID component: digits, no leading zero. Required with orgRoot. */
  readonly deviceSerial?: string | number;
  /** Unix time in ms; defaults to `Date.now`. Fractions are dropped. Inject one in tests. */
  readonly clock?: () => number;
}

export interface UidGenerator {
  /** `'org'`: `{orgRoot}.{deviceSerial}.{unixTimeMs}.{sequence}`; `'uuid'`: `2.25.<uuid-decimal>`. */
  readonly mode: 'org' | 'uuid';
  /** `{orgRoot}.{deviceSerial}` in org mode, `2.25` in uuid mode. */
  readonly prefix: string;
  /** The longest UID `next()` can return, computed at construction (always ≤ 64). */
  readonly maxLength: number;
  /** A UID never issued before by this process (see the package README for other processes). */
  next(): string;
}

// One sequence per prefix per module instance (i.e. per process or worker thread), shared by every
// generator built on that prefix, so that two generators in one process can never collide even
// with the same clock: the sequence alone distinguishes them.
const sequences = new Map<string, Sequence>();

/**
 * Creates a generator of DICOM UIDs (FR-DICOM-01). Validates orgRoot and deviceSerial and checks
 * the worst-case length at construction, so `next()` fails only on a broken clock (or after
 * 5·10^11 UIDs from one process).
 */
export function createUidGenerator(options: UidGeneratorOptions = {}): UidGenerator {
  const serial = options.deviceSerial === undefined ? undefined : validateSerial(options.deviceSerial);
  if (options.orgRoot === undefined) {
    // A 2.25 root is "2.25." + up to 39 digits = 44 characters; with serial, 13 time digits and
    // 3 dots the sequence would get 3 digits at best, so the org format cannot be used under
    // a UUID root. A UUID per UID is unique without any per-process state, so the serial is not
    // needed (it is still validated, so a bad configuration fails in test setups too).
    return { mode: 'uuid', prefix: UUID_UID_ROOT, maxLength: MAX_UUID_UID_LENGTH, next: () => uuidToUid() };
  }
  validateRoot(options.orgRoot);
  if (serial === undefined) {
    throw new UidError(UID_ERROR_CODES.config, 'deviceSerial is required when orgRoot is set', {
      hint: 'give each device its own serial component, or leave orgRoot out to use 2.25 UUID-derived UIDs',
    });
  }
  const prefix = `${options.orgRoot}.${serial}`;
  // Worst case: prefix "." 13 time digits "." sequence digits.
  const room = MAX_UID_LENGTH - prefix.length - 1 - TIME_DIGITS - 1;
  if (room < MIN_SEQUENCE_DIGITS) {
    const maxPrefix = MAX_UID_PREFIX_LENGTH;
    throw new UidError(
      UID_ERROR_CODES.noRoom,
      `orgRoot + deviceSerial ("${prefix}", ${prefix.length} characters) leave ${Math.max(room, 0)} digits ` +
        `for the sequence; ${MIN_SEQUENCE_DIGITS} are needed after ${TIME_DIGITS} time digits within ${MAX_UID_LENGTH}`,
      {
        details: { prefix, prefixLength: prefix.length, maxPrefixLength: maxPrefix, sequenceDigits: room },
        hint: `"{orgRoot}.{deviceSerial}" may be at most ${maxPrefix} characters`,
      },
    );
  }
  const digits = Math.min(room, MAX_SEQUENCE_DIGITS);
  let sequence = sequences.get(prefix);
  if (sequence === undefined) {
    sequence = new Sequence(digits);
    sequences.set(prefix, sequence);
  }
  const seq = sequence;
  const clock = options.clock ?? Date.now;
  let last = -1;
  return {
    mode: 'org',
    prefix,
    maxLength: prefix.length + 2 + TIME_DIGITS + digits,
    next(): string {
      const now = readClock(clock);
      // A clock that steps back (NTP, manual change) must not move the time component back: keep
      // the last time; the sequence, which never repeats, keeps the UIDs apart.
      if (now > last) last = now;
      return `${prefix}.${last}.${seq.take()}`;
    },
  };
}

function readClock(clock: () => number): number {
  const raw = clock();
  const now = Math.floor(raw);
  if (!Number.isFinite(now) || now < 0 || now >= MAX_TIME) {
    throw new UidError(UID_ERROR_CODES.clock, `clock returned ${raw}, not a Unix time in ms below 10^13`, {
      details: { value: String(raw) },
    });
  }
  return now;
}

function validateRoot(root: string): void {
  const problem = checkUid(root);
  if (problem !== undefined) throw invalidUid(root, problem, 'orgRoot');
  const arcs = root.split('.');
  const first = arcs[0];
  const second = arcs[1] === undefined ? undefined : Number(arcs[1]);
  // ISO/IEC 9834-1 (X.660): the top arc is 0, 1 or 2, and under 0 and 1 the second arc is 0..39.
  if ((first !== '0' && first !== '1' && first !== '2') || second === undefined) {
    throw badRoot(root, 'must start with 0., 1. or 2. and have at least two components (ISO/IEC 9834-1)');
  }
  if (first !== '2' && second > 39) {
    throw badRoot(root, 'under arc 0 or 1 the second component is at most 39 (ISO/IEC 9834-1)');
  }
  if (root === DICOM_ROOT || root.startsWith(`${DICOM_ROOT}.`)) {
    throw badRoot(root, `${DICOM_ROOT} is reserved for DICOM defined UIDs (PS3.5 9.1)`);
  }
  // ISO/IEC 9834-8: every arc directly under 2.25 is a UUID (an integer below 2^128).
  if (first === '2' && arcs[1] === '25' && (arcs[2] === undefined || BigInt(arcs[2]) >= 1n << 128n)) {
    throw badRoot(root, 'under 2.25 the next component must be a UUID as a decimal (ISO/IEC 9834-8)');
  }
}

function badRoot(root: string, why: string): UidError {
  return new UidError(UID_ERROR_CODES.invalid, `orgRoot "${root}" ${why}`, {
    details: { what: 'orgRoot', value: root },
    hint: 'use the UID root your organisation registered (PS3.5 B.1)',
  });
}

function validateSerial(serial: string | number): string {
  const text = typeof serial === 'number' ? (Number.isSafeInteger(serial) ? String(serial) : '') : serial;
  if (COMPONENT.test(text)) return text;
  // A serial such as "007" is refused rather than normalised: "007" and "7" would then be one device.
  const shown =
    typeof serial === 'number' || /^[0-9.+-]{0,30}$/.test(serial) ? ` (${JSON.stringify(serial)})` : '';
  throw new UidError(
    UID_ERROR_CODES.invalid,
    `deviceSerial${shown} is not one UID component: digits only, no leading zero`,
    {
      details: { what: 'deviceSerial', type: typeof serial },
      hint: 'map the device serial to a non-negative integer, e.g. its numeric part',
    },
  );
}
