/**
 * The value rules of PS3.5 Table 6.2-1 a writer must keep: length, character repertoire, and the
 * syntax of DA/TM/DT/AS/IS/DS/UI. {@link checkVrValue} answers with the rule a value breaks,
 * never with the value (NFR-SEC-01): a caller builds its error from the rule and the attribute.
 * Pure: no dictionary, no I/O.
 */
import { parseDate, parseDateTime, parseTime } from './datetime.js';

/** Which rule of PS3.5 Table 6.2-1 a value breaks. */
export type VrRule =
  | 'too-long'
  | 'repertoire'
  | 'control-character'
  | 'backslash'
  | 'format'
  | 'range'
  | 'type'
  | 'components';

export interface VrViolation {
  readonly rule: VrRule;
  /** A short, value-free description: `longer than 64 characters per component group`. */
  readonly description: string;
}

// PS3.5 Table 6.2-1: maximum length in characters (per component group for PN).
const MAX_CHARS: Readonly<Record<string, number>> = {
  AE: 16,
  AS: 4,
  CS: 16,
  DA: 8,
  DS: 16,
  DT: 26,
  IS: 12,
  LO: 64,
  LT: 10240,
  PN: 64,
  SH: 16,
  ST: 1024,
  TM: 14,
  UI: 64,
};

// PS3.5 6.1.3: LT, ST, UT may carry LF, FF, CR and TAB; every text VR may carry ESC (ISO 2022).
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x1b]);
const MULTI_LINE = new Set(['LT', 'ST', 'UT']);
// PS3.5 6.2: a backslash is the value delimiter except in these single-valued text VRs.
const BACKSLASH_ALLOWED = new Set(['LT', 'ST', 'UT', 'UR']);

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  US: [0, 0xffff],
  SS: [-0x8000, 0x7fff],
  UL: [0, 0xffffffff],
  SL: [-0x80000000, 0x7fffffff],
};

const violation = (rule: VrRule, description: string): VrViolation => ({ rule, description });

function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function checkCharacters(vr: string, s: string): VrViolation | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      if (!(c === 0x1b || (MULTI_LINE.has(vr) && TEXT_CONTROLS.has(c)))) {
        return violation('control-character', 'contains a control character');
      }
    }
    if (c === 0x5c && !BACKSLASH_ALLOWED.has(vr)) {
      return violation('backslash', 'contains a backslash (the value delimiter)');
    }
  }
  return undefined;
}

function checkPersonName(s: string): VrViolation | undefined {
  const groups = s.split('=');
  if (groups.length > 3) return violation('format', 'has more than 3 component groups (PS3.5 6.2.1)');
  for (const g of groups) {
    if (charCount(g) > 64) return violation('too-long', 'is longer than 64 characters per component group');
    if (g.split('^').length > 5) return violation('format', 'has more than 5 components in a group');
  }
  return undefined;
}

function checkUidSyntax(s: string): VrViolation | undefined {
  const v = s.replace(/\0+$/, '');
  if (v.length > 64) return violation('too-long', 'is longer than 64 characters');
  if (!/^[0-9.]*$/.test(v)) return violation('repertoire', 'contains a character other than 0-9 and "."');
  for (const c of v.split('.')) {
    if (c.length === 0) return violation('components', 'has an empty component (PS3.5 9.1)');
    if (c.length > 1 && c.startsWith('0')) {
      return violation('components', 'has a component with a leading zero (PS3.5 9.1)');
    }
  }
  return undefined;
}

function checkString(vr: string, raw: string): VrViolation | undefined {
  const chars = checkCharacters(vr, raw);
  if (chars !== undefined) return chars;
  if (vr === 'PN') return checkPersonName(raw);
  if (vr === 'UI') return raw === '' ? undefined : checkUidSyntax(raw);
  const max = MAX_CHARS[vr];
  if (max !== undefined && charCount(raw) > max)
    return violation('too-long', `is longer than ${max} characters`);
  // Leading and trailing spaces are padding for these VRs (PS3.5 6.2); an empty value is Type 2.
  const s = raw.trim();
  if (s === '') return undefined;
  switch (vr) {
    case 'AE':
    case 'CS':
      if (!/^[\x20-\x7e]*$/.test(s))
        return violation('repertoire', 'contains a character outside the default repertoire');
      if (vr === 'CS' && !/^[A-Z0-9 _]*$/.test(s)) {
        return violation('repertoire', 'contains a character other than A-Z, 0-9, space and "_"');
      }
      return undefined;
    case 'AS':
      return /^\d{3}[DWMY]$/.test(s) ? undefined : violation('format', 'is not nnnD, nnnW, nnnM or nnnY');
    case 'DA':
      return /^\d{8}$/.test(s) && parseDate(s) !== undefined
        ? undefined
        : violation('format', 'is not a valid date YYYYMMDD');
    case 'TM':
      return /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/.test(s) && parseTime(s) !== undefined
        ? undefined
        : violation('format', 'is not a valid time HHMMSS.FFFFFF');
    case 'DT':
      return parseDateTime(s) !== undefined
        ? undefined
        : violation('format', 'is not a valid date-time YYYYMMDDHHMMSS.FFFFFF&ZZXX');
    case 'IS': {
      if (!/^[+-]?\d+$/.test(s)) return violation('format', 'is not an integer string');
      const n = Number(s);
      return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? undefined : violation('range', 'is outside -2^31..2^31-1');
    }
    case 'DS':
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)
        ? undefined
        : violation('format', 'is not a decimal string');
    default:
      return undefined;
  }
}

function checkNumber(vr: string, v: unknown): VrViolation | undefined {
  if (vr === 'SV' || vr === 'UV') {
    return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))
      ? undefined
      : violation('type', 'is not an integer');
  }
  if (vr === 'AT') return undefined;
  if (typeof v !== 'number') return violation('type', 'is not a number');
  if (vr === 'FL' || vr === 'FD') return undefined;
  const range = INT_RANGES[vr];
  if (range === undefined) return undefined;
  if (!Number.isInteger(v)) return violation('type', 'is not an integer');
  return v >= range[0] && v <= range[1]
    ? undefined
    : violation('range', `is outside ${range[0]}..${range[1]}`);
}

const STRING_LIKE = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);
const NUMERIC = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV', 'AT']);

/**
 * The first rule of PS3.5 Table 6.2-1 that one value (one of a multi-valued element's values) of
 * VR `vr` breaks, or `undefined`. `null`/`undefined`/`''` are empty values and pass. IS and DS
 * accept finite numbers (written in their decimal form); PN accepts dcmjs's
 * `{ Alphabetic, Ideographic, Phonetic }` object. VRs without value rules (binary, SQ, UN) pass.
 */
export function checkVrValue(vr: string, value: unknown): VrViolation | undefined {
  if (value === null || value === undefined) return undefined;
  if (STRING_LIKE.has(vr)) {
    if (vr === 'PN' && typeof value === 'object') {
      const pn = value as { Alphabetic?: unknown; Ideographic?: unknown; Phonetic?: unknown };
      const groups = [pn.Alphabetic, pn.Ideographic, pn.Phonetic].map((g) =>
        typeof g === 'string' ? g : '',
      );
      while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
      return checkString('PN', groups.join('='));
    }
    if ((vr === 'IS' || vr === 'DS') && typeof value === 'number') {
      if (!Number.isFinite(value)) return violation('range', 'is not a finite number');
      return checkString(vr, String(value));
    }
    if (typeof value !== 'string') return violation('type', 'is not a string');
    return checkString(vr, value);
  }
  if (NUMERIC.has(vr)) return checkNumber(vr, value);
  return undefined;
}
