/**
 * Specific Character Set (0008,0005) handling for the text VRs (PS3.5 6.1.2.5, PS3.3 C.12.1.1.2).
 * Pure: bytes in, text out, and back. Supported: the default repertoire (ISO_IR 6 / ISO 2022 IR 6),
 * ISO_IR 100 / ISO 2022 IR 100 (Latin-1), ISO_IR 192 (UTF-8) and ISO 2022 IR 149 (KS X 1001 Korean,
 * designated to G1 by `ESC $ ) C`). Anything else is a CharsetError('unsupported'), never a guess.
 */
import { CharsetError } from './errors.js';

/** The G1 sets we can designate (PS3.3 Table C.12-3/C.12-4). G0 is always ISO 646 (ASCII). */
type G1Set = 'latin1' | 'ksx1001';

interface TermInfo {
  /** The G1 set the term brings, if any. */
  readonly g1: G1Set | undefined;
  /** True for the "ISO 2022 …" terms that allow code extension (escape sequences). */
  readonly extension: boolean;
  readonly utf8?: true;
}

// PS3.3 Table C.12-2 (single-byte without extensions), C.12-3 (with extensions), C.12-4
// (multi-byte with extensions) and C.12-5 (ISO_IR 192). 'ISO_IR 149' is not a defined term but
// Korean devices send it for ISO 2022 IR 149; accepted when decoding, never written.
const TERMS: Readonly<Record<string, TermInfo>> = {
  '': { g1: undefined, extension: true },
  'ISO_IR 6': { g1: undefined, extension: false },
  'ISO 2022 IR 6': { g1: undefined, extension: true },
  'ISO_IR 100': { g1: 'latin1', extension: false },
  'ISO 2022 IR 100': { g1: 'latin1', extension: true },
  'ISO 2022 IR 149': { g1: 'ksx1001', extension: true },
  'ISO_IR 149': { g1: 'ksx1001', extension: true },
  'ISO_IR 192': { g1: undefined, extension: false, utf8: true },
};

/** The Specific Character Set terms this module decodes and encodes. */
export const SUPPORTED_CHARACTER_SETS: readonly string[] = [
  'ISO_IR 6',
  'ISO 2022 IR 6',
  'ISO_IR 100',
  'ISO 2022 IR 100',
  'ISO 2022 IR 149',
  'ISO_IR 192',
];

/** A parsed Specific Character Set: how text VRs of one data set are coded. */
export interface CharacterSet {
  /** The declared terms, trimmed, value 1 first ('' when value 1 is empty). */
  readonly terms: readonly string[];
  readonly kind: 'ascii' | 'latin1' | 'utf8' | 'iso2022';
  /** ISO 2022 only: the G1 set active at the start of each value (from value 1). */
  readonly initialG1: G1Set | undefined;
  /** ISO 2022 only: the G1 sets the terms allow. */
  readonly g1Sets: readonly G1Set[];
}

/** The default repertoire (no Specific Character Set). */
export const DEFAULT_CHARACTER_SET: CharacterSet = {
  terms: [],
  kind: 'ascii',
  initialG1: undefined,
  g1Sets: [],
};

/**
 * Parses the value(s) of (0008,0005). Undefined, null, '' or [] is the default repertoire.
 * Throws CharsetError('unsupported') for a term not in SUPPORTED_CHARACTER_SETS.
 */
export function parseCharacterSet(value: string | readonly string[] | null | undefined): CharacterSet {
  const raw =
    value === undefined || value === null ? [] : typeof value === 'string' ? value.split('\\') : [...value];
  const terms = raw.map((t) => String(t ?? '').trim());
  while (terms.length > 0 && terms[terms.length - 1] === '' && terms.length > 1) terms.pop();
  if (terms.length === 0 || (terms.length === 1 && terms[0] === '')) return DEFAULT_CHARACTER_SET;
  const infos = terms.map((term) => {
    const info = TERMS[term];
    if (info === undefined) {
      throw new CharsetError('unsupported', `unsupported Specific Character Set term '${term}'`, {
        details: { term },
        hint: `supported: ${SUPPORTED_CHARACTER_SETS.join(', ')}`,
      });
    }
    return info;
  });
  const first = infos[0] as TermInfo;
  if (terms.length === 1 && !first.extension) {
    if (first.utf8) return { terms, kind: 'utf8', initialG1: undefined, g1Sets: [] };
    if (first.g1 === 'latin1') return { terms, kind: 'latin1', initialG1: undefined, g1Sets: [] };
    return { terms, kind: 'ascii', initialG1: undefined, g1Sets: [] };
  }
  if (infos.some((i) => i.utf8)) {
    // PS3.3 C.12.1.1.2: ISO_IR 192 cannot be combined with code extensions.
    throw new CharsetError('unsupported', 'ISO_IR 192 cannot be combined with other terms', {
      details: { terms: terms.join('\\') },
    });
  }
  const g1Sets = [...new Set(infos.flatMap((i) => (i.g1 ? [i.g1] : [])))];
  return { terms, kind: 'iso2022', initialG1: first.g1, g1Sets };
}

/** The data set's Specific Character Set, or `fallback` when the data set declares none (fo-dicom #659). */
export function resolveCharacterSet(
  declared: string | readonly string[] | null | undefined,
  fallback: CharacterSet = DEFAULT_CHARACTER_SET,
): CharacterSet {
  const empty =
    declared === undefined ||
    declared === null ||
    declared === '' ||
    (Array.isArray(declared) && declared.every((d) => String(d ?? '').trim() === ''));
  return empty ? fallback : parseCharacterSet(declared);
}

export interface TextOptions {
  /** PN: `^` and `=` also reset the code extension state (PS3.5 6.1.2.5.3). */
  readonly personName?: boolean;
}

const ESC = 0x1b;
/** ISO 2022 escape sequence syntax: ESC, intermediate bytes 20–2F, one final byte 30–7E. */
const ISO2022_ESCAPE = /\x1b[\x20-\x2f]+[\x30-\x7e]/g;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();
// WHATWG 'euc-kr' is code page 949, a superset of KS X 1001 in its EUC form; we only hand it
// byte pairs in A1–FE × A1–FE, which is exactly KS X 1001 (KS C 5601).
const eucKrDecoder = new TextDecoder('euc-kr', { fatal: true });

/** PS3.5 6.1.2.5.3: after these the initial code element is active again. */
function isReset(byte: number, personName: boolean): boolean {
  return (
    byte === 0x0d ||
    byte === 0x0a ||
    byte === 0x0c ||
    byte === 0x09 ||
    byte === 0x5c ||
    (personName && (byte === 0x5e || byte === 0x3d))
  );
}

function undecodable(cs: CharacterSet, offset: number, what: string): CharsetError {
  return new CharsetError(
    'undecodable',
    `${what} at byte ${offset} is not valid in '${cs.terms.join('\\') || 'default repertoire'}'`,
    {
      details: { terms: cs.terms.join('\\'), offset },
    },
  );
}

/** Decodes one text value (padding not yet stripped is kept). Throws CharsetError('undecodable'). */
export function decodeText(bytes: Uint8Array, cs: CharacterSet, options: TextOptions = {}): string {
  switch (cs.kind) {
    case 'utf8':
      try {
        // Tolerance for a peer defect: Orthanc 1.10.1 converts `\ISO 2022 IR 149` items to UTF-8
        // but keeps their escape sequences (measured here). ISO_IR 192 has no code extensions
        // (PS3.3 C.12.1.1.2), so an ISO 2022 escape sequence cannot be text: drop it.
        return utf8Decoder.decode(bytes).replace(ISO2022_ESCAPE, '');
      } catch (err) {
        throw new CharsetError('undecodable', 'invalid UTF-8 in an ISO_IR 192 value', {
          cause: err,
          details: { terms: 'ISO_IR 192' },
        });
      }
    case 'latin1':
    case 'ascii':
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i] as number;
        // An escape sequence without code extensions means text in a set we were not told about
        // (e.g. Korean that a peer converted to Latin-1 and lost): flag it, never show it as text.
        if (b === ESC) throw undecodable(cs, i, 'an escape sequence');
        if (cs.kind === 'ascii' && b >= 0x80) throw undecodable(cs, i, `byte 0x${b.toString(16)}`);
      }
      return latin1(bytes, 0, bytes.length);
    case 'iso2022':
      return decode2022(bytes, cs, options.personName === true);
    default: {
      const never: never = cs.kind;
      throw new Error(`unreachable ${String(never)}`);
    }
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  // apply, not a spread: spreading a typed array runs its iterator (measured 4x slower on the
  // short values of a worklist match).
  if (end - start <= 4096) {
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  let out = '';
  for (let i = start; i < end; i += 4096) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return out;
}

function decode2022(bytes: Uint8Array, cs: CharacterSet, personName: boolean): string {
  // Lenient where it is unambiguous: Korean devices often omit ESC $ ) C when IR 149 is declared.
  const implicitG1 = cs.initialG1 ?? (cs.g1Sets.length === 1 ? cs.g1Sets[0] : undefined);
  let g1: G1Set | undefined = implicitG1;
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] as number;
    if (b === ESC) {
      const b1 = bytes[i + 1];
      const b2 = bytes[i + 2];
      const b3 = bytes[i + 3];
      if (b1 === 0x28 && b2 === 0x42) {
        // ESC ( B: ISO 646 to G0, already the only G0 we use.
        i += 3;
      } else if (b1 === 0x2d && b2 === 0x41) {
        g1 = 'latin1'; // ESC - A: ISO-IR 100 right half to G1
        i += 3;
      } else if (b1 === 0x24 && b2 === 0x29 && b3 === 0x43) {
        g1 = 'ksx1001'; // ESC $ ) C: KS X 1001 to G1 (PS3.3 Table C.12-4)
        i += 4;
      } else {
        throw new CharsetError('unsupported', `unsupported escape sequence at byte ${i}`, {
          details: { terms: cs.terms.join('\\'), offset: i },
        });
      }
      continue;
    }
    if (b < 0x80) {
      out += String.fromCharCode(b);
      if (isReset(b, personName)) g1 = implicitG1;
      i++;
      continue;
    }
    if (g1 === 'latin1') {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    if (g1 === 'ksx1001') {
      let j = i;
      while (j < n && (bytes[j] as number) >= 0xa1 && (bytes[j] as number) <= 0xfe) j++;
      if (j === i || (j - i) % 2 !== 0)
        throw undecodable(cs, j === i ? i : j - 1, 'an incomplete KS X 1001 pair');
      try {
        out += eucKrDecoder.decode(bytes.subarray(i, j));
      } catch (err) {
        throw new CharsetError('undecodable', `undefined KS X 1001 code at byte ${i}`, {
          cause: err,
          details: { terms: cs.terms.join('\\'), offset: i },
        });
      }
      i = j;
      continue;
    }
    throw undecodable(cs, i, `byte 0x${b.toString(16)} with no G1 set designated`);
  }
  return out;
}

let ksxTable: Map<string, number> | undefined;

/** KS X 1001 by enumeration of its 94×94 EUC code space, built once on first Korean encode. */
function ksx1001Table(): Map<string, number> {
  if (ksxTable) return ksxTable;
  const table = new Map<string, number>();
  const pair = new Uint8Array(2);
  for (let b1 = 0xa1; b1 <= 0xfe; b1++) {
    for (let b2 = 0xa1; b2 <= 0xfe; b2++) {
      pair[0] = b1;
      pair[1] = b2;
      let ch: string;
      try {
        ch = eucKrDecoder.decode(pair);
      } catch {
        continue;
      }
      if (ch.length === 1 && !table.has(ch)) table.set(ch, (b1 << 8) | b2);
    }
  }
  ksxTable = table;
  return table;
}

function unencodable(cs: CharacterSet, index: number): CharsetError {
  return new CharsetError(
    'unencodable',
    `character at index ${index} cannot be encoded in '${cs.terms.join('\\') || 'default repertoire'}'`,
    { details: { terms: cs.terms.join('\\'), index } },
  );
}

/** Encodes one text value (no padding). Throws CharsetError('unencodable'). */
export function encodeText(text: string, cs: CharacterSet, options: TextOptions = {}): Uint8Array {
  switch (cs.kind) {
    case 'utf8':
      return utf8Encoder.encode(text);
    case 'ascii':
    case 'latin1': {
      const max = cs.kind === 'ascii' ? 0x7f : 0xff;
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c > max) throw unencodable(cs, i);
        out[i] = c;
      }
      return out;
    }
    case 'iso2022':
      return encode2022(text, cs, options.personName === true);
    default: {
      const never: never = cs.kind;
      throw new Error(`unreachable ${String(never)}`);
    }
  }
}

function encode2022(text: string, cs: CharacterSet, personName: boolean): Uint8Array {
  const out: number[] = [];
  let g1 = cs.initialG1;
  const allowLatin1 = cs.g1Sets.includes('latin1');
  const allowKsx = cs.g1Sets.includes('ksx1001');
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) {
      out.push(cp);
      // PS3.5 6.1.2.5.3: the initial designation is back in force after a delimiter.
      if (isReset(cp, personName)) g1 = cs.initialG1;
    } else if (allowLatin1 && cp >= 0xa0 && cp <= 0xff) {
      if (g1 !== 'latin1') out.push(ESC, 0x2d, 0x41);
      g1 = 'latin1';
      out.push(cp);
    } else {
      const code = allowKsx ? ksx1001Table().get(ch) : undefined;
      if (code === undefined) throw unencodable(cs, index);
      if (g1 !== 'ksx1001') out.push(ESC, 0x24, 0x29, 0x43);
      g1 = 'ksx1001';
      out.push(code >> 8, code & 0xff);
    }
    index += ch.length;
  }
  return Uint8Array.from(out);
}

/** True when every character of `text` can be encoded in `cs`. */
export function canEncode(text: string, cs: CharacterSet): boolean {
  try {
    encodeText(text, cs);
    return true;
  } catch {
    return false;
  }
}
