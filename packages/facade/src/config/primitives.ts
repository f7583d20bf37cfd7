/**
 * The value schemas the configuration sections are built from (NFR-CFG-01): numbers in a range,
 * AE titles (PS3.5 6.2), UIDs (PS3.5 9.1), hosts, addresses, PDU lengths. Every message reads
 * `expected …` (issues.ts prints `path: expected …, got <value>`).
 */
import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { MAX_TIMER_MS } from './defaults.js';

/** A value schema whose input and output are `T` (declared: isolatedDeclarations). */
export type Schema<T> = z.ZodMiniType<T, T>;

export function intIn(min: number, max: number, what = `integer ${min}-${max}`): Schema<number> {
  const error = `expected ${what}`;
  return z.int({ error }).check(z.gte(min, { error }), z.lte(max, { error }));
}

export const ms = (): Schema<number> =>
  intIn(1, MAX_TIMER_MS, `milliseconds as an integer 1-${MAX_TIMER_MS}`);
export const flag = (): Schema<boolean> => z.boolean({ error: 'expected true or false' });

export function oneOf<const T extends readonly [string, ...string[]]>(values: T): Schema<T[number]> {
  return z.enum(values, { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
}

export function text(what: string): Schema<string> {
  const error = `expected ${what}`;
  return z.string({ error }).check(z.minLength(1, { error }));
}

// PS3.5 6.2 AE VR: 16 bytes max, default repertoire without backslash and control characters;
// leading/trailing spaces are not significant, so a title that relies on them is refused when we
// are the one sending it.
const AE_EXPECTED = 'expected AE title: 1-16 characters, no backslash or control characters, not all spaces';
export const aeTitle = (): Schema<string> =>
  z.string({ error: AE_EXPECTED }).check(
    z.regex(/^[\x20-\x5b\x5d-\x7e]{1,16}$/, { error: AE_EXPECTED }),
    z.refine((v: string) => v.trim().length > 0, { error: AE_EXPECTED }),
    z.refine((v: string) => v.trim() === v || v.trim() === '', {
      error: 'expected AE title without leading or trailing spaces (not significant, PS3.5 6.2)',
    }),
  );

// PS3.5 9.1: digits and dots, no leading zero in a component, at most 64 characters.
const UID_EXPECTED = 'expected UID: digits and dots, no leading zeros, at most 64 characters';
export const UID_SYNTAX: RegExp = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
export const uid = (): Schema<string> =>
  z
    .string({ error: UID_EXPECTED })
    .check(z.maxLength(64, { error: UID_EXPECTED }), z.regex(UID_SYNTAX, { error: UID_EXPECTED }));

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const HOST_EXPECTED = 'expected host name or IP address';
export const host = (): Schema<string> =>
  z
    .string({ error: HOST_EXPECTED })
    .check(z.refine((v: string) => isIP(v) !== 0 || HOSTNAME.test(v), { error: HOST_EXPECTED }));
export const ipAddress = (): Schema<string> =>
  z
    .string({ error: 'expected IP address' })
    .check(z.refine((v: string) => isIP(v) !== 0, { error: 'expected IP address' }));

// An address or a CIDR subnet (`10.0.0.0/8`, `fd00::/8`), as @hnvue/net's allowedAddresses takes them.
const SUBNET_EXPECTED = 'expected IP address or CIDR subnet (10.0.0.0/8)';
export const subnet = (): Schema<string> =>
  z.string({ error: SUBNET_EXPECTED }).check(
    z.refine(
      (v: string) => {
        const [address = '', bits, extra] = v.split('/');
        const family = isIP(address);
        if (family === 0 || extra !== undefined) return false;
        if (bits === undefined) return true;
        return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
      },
      { error: SUBNET_EXPECTED },
    ),
  );

export const tlsVersion = (): Schema<'TLSv1.2' | 'TLSv1.3'> => oneOf(['TLSv1.2', 'TLSv1.3']);
export const paths = (): Schema<string[]> =>
  z
    .array(text('file path'), { error: 'expected list of file paths' })
    .check(z.minLength(1, 'expected at least one file path'));

// PS3.8 D.1: 0 means unlimited; otherwise no peer handles less than a few KiB, and dcm4che caps what
// it accepts at 16 MiB, so anything outside [4096, 16 MiB] is a typo.
const PDU_EXPECTED = '0 (unlimited) or integer 4096-16777216';
export const pduLength = (): Schema<number> =>
  z.union([z.literal(0, { error: `expected ${PDU_EXPECTED}` }), intIn(4096, 16_777_216, PDU_EXPECTED)], {
    error: `expected ${PDU_EXPECTED}`,
  });
