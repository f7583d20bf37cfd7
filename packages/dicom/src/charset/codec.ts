/**
 * Specific Character Set (0008,0005) handling for the text VRs (PS3.5 6.1.2.5, PS3.3 C.12.1.1.2).
 * Pure: bytes in, text out, and back; no I/O.
 *
 * Supported, decode and encode: every Defined Term of PS3.3 C.12.1.1.2 (SUPPORTED_CHARACTER_SETS):
 * the single-byte terms ISO_IR 6/100/101/109/110/144/127/126/138/148/203/13/166, their ISO 2022
 * forms, the multi-byte ISO 2022 sets IR 87 (JIS X 0208), IR 159 (JIS X 0212), IR 149 (KS X 1001)
 * and IR 58 (GB 2312), and ISO_IR 192 (UTF-8), GB18030 and GBK. The ISO 2022 state machine is in
 * iso2022.ts, the tables (from Node's ICU TextDecoder) in tables.ts, the terms in terms.ts.
 *
 * Which VRs: only SH, LO, ST, LT, UC, UT and PN are coded in the Specific Character Set (PS3.5
 * 6.1.2.3, CHARSET_AFFECTED_VRS); every other string VR is the default repertoire. PN values are
 * coded with `personName: true`, which adds `^` and `=` to the reset points, so each of the three
 * component groups (alphabetic = ideographic = phonetic) starts in the initial state.
 *
 * Non-standard spellings devices send ('ISO_IR 149', 'ISO IR 100', 'ISO_IR100', 'GB2312', …) are
 * read as the term they mean; CharacterSet.terms holds the standard spelling, so nothing we write
 * carries the non-standard one. An unknown term is a CharsetError('unsupported') naming the term,
 * never a silent Latin-1 guess. A caller that prefers lossy text to an error opts in with
 * `{ onUnsupported: 'replace' }`: unknown terms are dropped (listed in `unsupported`) and decoding
 * then replaces whatever it cannot read by U+FFFD instead of throwing. Encoding never guesses: a
 * character no allowed set holds is always a CharsetError('unencodable').
 */
import { CharsetError, undecodable, unencodable } from './errors.js';
import { decodeIso2022, encodeIso2022, type Resets } from './iso2022.js';
import { ELEMENTS, type ElementId, gbEncode, wholeDecoder } from './tables.js';
import { type CharacterSet, canonicalTerm, STANDARD_TERMS, TERMS, type TermInfo } from './terms.js';

export type { CharacterSet } from './terms.js';

/** The Specific Character Set terms this module decodes and encodes (all of PS3.3 C.12.1.1.2). */
export const SUPPORTED_CHARACTER_SETS: readonly string[] = STANDARD_TERMS;

/** The VRs whose values are coded in the Specific Character Set (PS3.5 6.1.2.3). */
export const CHARSET_AFFECTED_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'UC', 'UT', 'PN']);

/** The default repertoire (no Specific Character Set). */
export const DEFAULT_CHARACTER_SET: CharacterSet = {
  terms: [],
  kind: 'ascii',
  initialG0: 'ascii',
  initialG1: undefined,
  g1Sets: [],
  encodeOrder: [],
  lossy: false,
  unsupported: [],
};

export interface CharacterSetOptions {
  /**
   * 'error' (default): an unknown term throws CharsetError('unsupported'). 'replace': unknown
   * terms are dropped and decoding with the result replaces unreadable bytes by U+FFFD (lossy).
   */
  readonly onUnsupported?: 'error' | 'replace';
}

const MULTI_BYTE_WITHOUT_EXTENSIONS = new Set(['utf8', 'gb18030', 'gbk']);

/**
 * Parses the value(s) of (0008,0005). Undefined, null, '' or [] is the default repertoire.
 * Throws CharsetError('unsupported') for a term not in SUPPORTED_CHARACTER_SETS (unless
 * `onUnsupported: 'replace'`) and for ISO_IR 192, GB18030 or GBK combined with other terms.
 */
export function parseCharacterSet(
  value: string | readonly string[] | null | undefined,
  options: CharacterSetOptions = {},
): CharacterSet {
  const raw =
    value === undefined || value === null ? [] : typeof value === 'string' ? value.split('\\') : [...value];
  const declared = raw.map((t) => String(t ?? '').trim());
  while (declared.length > 1 && declared[declared.length - 1] === '') declared.pop();
  const lossy = options.onUnsupported === 'replace';
  if (declared.length === 0 || (declared.length === 1 && declared[0] === '')) {
    return lossy ? { ...DEFAULT_CHARACTER_SET, lossy } : DEFAULT_CHARACTER_SET;
  }
  const terms: string[] = [];
  const unsupported: string[] = [];
  declared.forEach((term, i) => {
    const canonical = term === '' && i === 0 ? '' : canonicalTerm(term);
    if (canonical !== undefined) {
      if (!terms.includes(canonical) || canonical === '') terms.push(canonical);
      return;
    }
    if (!lossy) {
      throw new CharsetError('unsupported', `unsupported Specific Character Set term '${term}'`, {
        details: { term },
        hint: `supported: ${SUPPORTED_CHARACTER_SETS.join(', ')}`,
      });
    }
    unsupported.push(term);
    if (i === 0) terms.push('');
  });
  if (terms.length === 1 && terms[0] === '') return { ...DEFAULT_CHARACTER_SET, lossy, unsupported };
  // PS3.3 C.12.1.1.2: value 1 empty means ISO 2022 IR 6.
  const infos: TermInfo[] = terms.map((t) =>
    t === '' ? (TERMS['ISO 2022 IR 6'] as TermInfo) : (TERMS[t] as TermInfo),
  );
  const first = infos[0] as TermInfo;
  const base = { terms, lossy, unsupported, encodeOrder: [] as ElementId[] };
  if (infos.length === 1 && first.kind !== 'iso2022') {
    if (MULTI_BYTE_WITHOUT_EXTENSIONS.has(first.kind)) {
      return { ...base, kind: first.kind as 'utf8', initialG0: 'ascii', initialG1: undefined, g1Sets: [] };
    }
    const kind = first.g1 === undefined ? 'ascii' : first.g1 === 'latin1' ? 'latin1' : 'single-byte';
    return {
      ...base,
      kind,
      initialG0: first.g0 ?? 'ascii',
      initialG1: first.g1,
      g1Sets: first.g1 === undefined ? [] : [first.g1],
    };
  }
  if (infos.some((i) => MULTI_BYTE_WITHOUT_EXTENSIONS.has(i.kind))) {
    // PS3.3 C.12.1.1.2: ISO_IR 192, GB18030 and GBK are single-valued (no code extensions).
    throw new CharsetError('unsupported', 'ISO_IR 192, GB18030 and GBK cannot be combined with other terms', {
      details: { terms: terms.join('\\') },
    });
  }
  const encodeOrder: ElementId[] = [];
  for (const info of infos) {
    for (const id of [info.g0, info.g1]) {
      if (id !== undefined && id !== 'romaji' && !encodeOrder.includes(id)) encodeOrder.push(id);
    }
  }
  // A 2-byte G0 set (IR 87, IR 159) as value 1 is designated by escape, never in force initially.
  const initialG0 = first.g0 === 'romaji' ? 'romaji' : 'ascii';
  const g1Sets = encodeOrder.filter((id) => ELEMENTS[id].slot === 'G1');
  return { ...base, kind: 'iso2022', initialG0, initialG1: first.g1, g1Sets, encodeOrder };
}

/** The data set's Specific Character Set, or `fallback` when the data set declares none (fo-dicom #659). */
export function resolveCharacterSet(
  declared: string | readonly string[] | null | undefined,
  fallback: CharacterSet = DEFAULT_CHARACTER_SET,
  options: CharacterSetOptions = {},
): CharacterSet {
  const empty =
    declared === undefined ||
    declared === null ||
    declared === '' ||
    (Array.isArray(declared) && declared.every((d) => String(d ?? '').trim() === ''));
  return empty ? fallback : parseCharacterSet(declared, options);
}

export interface TextOptions {
  /** PN: `^` and `=` also reset the code extension state (PS3.5 6.1.2.5.3). */
  readonly personName?: boolean;
  /**
   * The VR of the value. When given it decides the reset points (PS3.5 6.1.2.5.3): `^` and `=` in
   * PN (whatever `personName` says), and `\` everywhere except LT, ST and UT, whose one value may
   * hold a backslash as text. Without it `\` always resets (the multi-valued VRs' rule).
   */
  readonly vr?: string;
}

/** The text VRs with one value: 05/12 is a character there, not a value delimiter (PS3.5 6.2). */
const SINGLE_VALUED_TEXT_VRS: ReadonlySet<string> = new Set(['LT', 'ST', 'UT']);

const PN_RESETS: Resets = { personName: true, backslash: true };
const VALUE_RESETS: Resets = { personName: false, backslash: true };
const TEXT_RESETS: Resets = { personName: false, backslash: false };

function resetsOf(options: TextOptions): Resets {
  const vr = options.vr;
  if (vr === undefined) return options.personName === true ? PN_RESETS : VALUE_RESETS;
  return vr === 'PN' ? PN_RESETS : SINGLE_VALUED_TEXT_VRS.has(vr) ? TEXT_RESETS : VALUE_RESETS;
}

const ESC = 0x1b;
/** ISO 2022 escape sequence syntax: ESC, intermediate bytes 20–2F, one final byte 30–7E. */
const ISO2022_ESCAPE = /\x1b[\x20-\x2f]+[\x30-\x7e]/g;
/**
 * Escapes a peer leaves behind after converting ISO 2022 text correctly: a 94×94 set to G1
 * (ESC $ ) C, ESC $ ) A — its characters come out converted) and ISO 646 / JIS X 0201 romaji back
 * to G0 (ESC ( B, ESC ( J). Measured with Orthanc 1.10.1 (\ISO 2022 IR 149 and \ISO 2022 IR 58
 * items answered in UTF-8 or GB18030).
 */
const LEFTOVER_ESCAPES: ReadonlySet<string> = new Set(['\x1b$)C', '\x1b$)A', '\x1b(B', '\x1b(J']);
const utf8Encoder = new TextEncoder();

function wholeValue(bytes: Uint8Array, cs: CharacterSet, label: 'utf-8' | 'gb18030' | 'gbk'): string {
  try {
    return wholeDecoder(label, !cs.lossy).decode(bytes);
  } catch (err) {
    throw new CharsetError(
      'undecodable',
      `invalid ${label === 'utf-8' ? 'UTF-8' : label.toUpperCase()} in a '${cs.terms.join('\\')}' value`,
      {
        cause: err,
        details: { terms: cs.terms.join('\\') },
      },
    );
  }
}

/** Decodes one text value (padding not yet stripped is kept). Throws CharsetError('undecodable'). */
export function decodeText(bytes: Uint8Array, cs: CharacterSet, options: TextOptions = {}): string {
  switch (cs.kind) {
    case 'utf8':
      return withoutLeftoverEscapes(wholeValue(bytes, cs, 'utf-8'), bytes, cs);
    case 'gb18030':
    case 'gbk':
      return withoutLeftoverEscapes(wholeValue(bytes, cs, cs.kind), bytes, cs);
    case 'latin1':
    case 'ascii': {
      let out = '';
      let from = 0;
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i] as number;
        // An escape sequence without code extensions means text in a set we were not told about
        // (e.g. Korean that a peer converted to Latin-1 and lost): flag it, never show it as text.
        if (b !== ESC && (cs.kind === 'latin1' || b < 0x80)) continue;
        if (!cs.lossy)
          throw undecodable(cs.terms, i, b === ESC ? 'an escape sequence' : `byte 0x${b.toString(16)}`);
        out += `${latin1(bytes, from, i)}\ufffd`;
        from = i + 1;
      }
      return out + latin1(bytes, from, bytes.length);
    }
    case 'single-byte':
    case 'iso2022':
      return decodeIso2022(bytes, cs, resetsOf(options));
    default: {
      const never: never = cs.kind;
      throw new Error(`unreachable ${String(never)}`);
    }
  }
}

/**
 * ISO_IR 192, GB18030 and GBK have no code extensions (PS3.3 C.12.1.1.2), so an ISO 2022 escape
 * in their text is a peer's conversion defect. Tolerated: the escapes LEFTOVER_ESCAPES lists, which
 * are dropped (the characters around them were converted). Any other escape means the text after
 * it was not converted (Orthanc 1.10.1 leaves `ESC $ B` + 7-bit JIS X 0208 codes for
 * `ISO 2022 IR 13\ISO 2022 IR 87`, and Latin-1 mojibake after `ESC - L` for
 * `ISO 2022 IR 100\ISO 2022 IR 144`): undecodable, never shown as if it were the name.
 */
function withoutLeftoverEscapes(text: string, bytes: Uint8Array, cs: CharacterSet): string {
  if (!text.includes('\x1b')) return text;
  // Check on the bytes (ESC and its intermediate/final bytes are ASCII in all three encodings),
  // so that the error names the byte offset of the escape that was not converted.
  for (let i = bytes.indexOf(ESC); i !== -1; i = bytes.indexOf(ESC, i + 1)) {
    let j = i + 1;
    while (j < bytes.length && (bytes[j] as number) >= 0x20 && (bytes[j] as number) <= 0x2f) j++;
    const seq = String.fromCharCode(...bytes.subarray(i, j + 1));
    if (!LEFTOVER_ESCAPES.has(seq) && !cs.lossy) {
      throw undecodable(cs.terms, i, 'an ISO 2022 escape sequence (text a peer did not convert)');
    }
  }
  return text
    .replace(ISO2022_ESCAPE, (seq) => (LEFTOVER_ESCAPES.has(seq) ? '' : '\ufffd'))
    .replace(/\x1b/g, '\ufffd');
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

/** Encodes one text value (no padding). Throws CharsetError('unencodable'). */
export function encodeText(text: string, cs: CharacterSet, options: TextOptions = {}): Uint8Array {
  switch (cs.kind) {
    case 'utf8':
      return utf8Encoder.encode(text);
    case 'gb18030':
    case 'gbk':
      return encodeGb(text, cs);
    case 'ascii':
    case 'latin1': {
      const max = cs.kind === 'ascii' ? 0x7f : 0xff;
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        // C1 controls (80–9F) are not characters of ISO 8859 and are never written.
        if (c > max || (c >= 0x80 && c < 0xa0)) throw unencodable(cs.terms, i);
        out[i] = c;
      }
      return out;
    }
    case 'single-byte':
    case 'iso2022':
      return encodeIso2022(text, cs, resetsOf(options));
    default: {
      const never: never = cs.kind;
      throw new Error(`unreachable ${String(never)}`);
    }
  }
}

function encodeGb(text: string, cs: CharacterSet): Uint8Array {
  const out: number[] = [];
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) out.push(cp);
    else {
      const code = gbEncode(cp, cs.kind === 'gbk');
      if (code === undefined) throw unencodable(cs.terms, index);
      out.push(...code);
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
