import { randomBytes } from 'node:crypto';
import { UID_ERROR_CODES, UidError } from './errors.js';

/**
 * The `{sequence}` component: a counter that only ever goes up within a process, starting at a
 * random value in [1, 10^digits / 2]. The random start is what keeps two processes (or two worker
 * threads, which have their own module state) apart when they share orgRoot, deviceSerial and
 * millisecond; the upper half of the range is headroom so the counter never needs to wrap.
 */
export class Sequence {
  readonly digits: number;
  #next: bigint;
  readonly #limit: bigint;

  constructor(digits: number, start: bigint = randomStart(digits)) {
    this.digits = digits;
    this.#limit = 10n ** BigInt(digits);
    if (start < 1n || start >= this.#limit) throw new RangeError(`sequence start outside 1..10^${digits}`);
    this.#next = start;
  }

  /** The next value; throws `HNV_ERR_UID_EXHAUSTED` instead of growing past `digits`. */
  take(): bigint {
    const value = this.#next;
    if (value >= this.#limit) {
      throw new UidError(UID_ERROR_CODES.exhausted, `UID sequence exhausted: ${this.digits} digits used up`, {
        details: { digits: this.digits },
        hint: 'restart the process (a new random start is drawn) or use a shorter orgRoot/deviceSerial',
      });
    }
    this.#next = value + 1n;
    return value;
  }
}

/** Uniform in [1, 10^digits / 2]; 128 random bits make the modulo bias below 2^-60 for 20 digits. */
export function randomStart(digits: number): bigint {
  const half = 10n ** BigInt(digits) / 2n;
  return (BigInt(`0x${randomBytes(16).toString('hex')}`) % half) + 1n;
}
