/**
 * The ISO 2022 code extension state machine of PS3.5 6.1.2.5 (G0 and G1 designations, no shifts:
 * G0 in GL, G1 in GR), also used for the single-byte terms without extensions (then an escape is an
 * error). Pure: bytes in, text out, and back.
 *
 * Reset points (PS3.5 6.1.2.5.3): the designations of value 1 are in force again after every
 * control character other than ESC (CR, LF, FF, TAB …), after the value delimiter `\` (not in LT,
 * ST, UT, where it is text) and, in PN, after the component group and component delimiters `=`
 * and `^`. A 2-byte G0 set (JIS X 0208 /
 * 0212) must be switched back before those characters and at the end of the value, so the encoder
 * writes the initial G0 escape there; G1 sets never hide ASCII, so only their re-designation after
 * a reset is written (PS3.5 Annex H, I and K show both).
 *
 * JIS X 0201 romaji (IR 14, G0 of IR 13) is read as ASCII: its 5CH (yen) and 7EH (overline) are
 * where DICOM puts its delimiter `\` and where ASCII has `~`, and the codec splits values on `\`
 * after decoding (WHATWG Shift_JIS and pydicom read it the same way).
 */
import { CharsetError, termLabel, undecodable, unencodable } from './errors.js';
import {
  decodePairs,
  ELEMENTS,
  type ElementId,
  ESCAPES,
  highHalf,
  pairCode,
  singleByteCode,
} from './tables.js';
import type { CharacterSet } from './terms.js';

const ESC = 0x1b;

/** Which characters besides the control characters end a designation (PS3.5 6.1.2.5.3). */
export interface Resets {
  /** PN: the component and component group delimiters `^` and `=`. */
  readonly personName: boolean;
  /**
   * `\`, the value delimiter — except in the single-valued text VRs (LT, ST, UT), where 05/12 is
   * a character of the text, not the end of a value.
   */
  readonly backslash: boolean;
}

/** PS3.5 6.1.2.5.3: after these the designations of value 1 are active again. */
export function isReset(byte: number, resets: Resets): boolean {
  return (
    (byte < 0x20 && byte !== ESC) ||
    (byte === 0x5c && resets.backslash) ||
    (resets.personName && (byte === 0x5e || byte === 0x3d))
  );
}

/** The G1 element in force where none was designated: value 1's, else the only one declared. */
function implicitG1(cs: CharacterSet): ElementId | undefined {
  // Lenient where it is unambiguous: Korean devices often omit ESC $ ) C when IR 149 is declared.
  return cs.initialG1 ?? (cs.g1Sets.length === 1 ? cs.g1Sets[0] : undefined);
}

/** Reads `ESC I… F` at i: the element it designates and its length, or undefined. */
function readEscape(bytes: Uint8Array, i: number): { id: ElementId | undefined; length: number } | undefined {
  let j = i + 1;
  while (j < bytes.length && (bytes[j] as number) >= 0x20 && (bytes[j] as number) <= 0x2f) j++;
  const final = bytes[j];
  if (j === i + 1 || final === undefined || final < 0x30 || final > 0x7e) return undefined;
  const key = String.fromCharCode(...bytes.subarray(i + 1, j + 1));
  return { id: ESCAPES.get(key), length: j + 1 - i };
}

/** An escape may designate only a set of the declared terms (ISO-IR 6 is in every ISO 2022 term). */
function allowed(cs: CharacterSet, id: ElementId): boolean {
  return id === 'ascii' || cs.encodeOrder.includes(id === 'romaji' ? 'katakana' : id);
}

/** Decodes one value in a single-byte or ISO 2022 character set. */
export function decodeIso2022(bytes: Uint8Array, cs: CharacterSet, resets: Resets): string {
  const extensions = cs.kind === 'iso2022';
  const g1Default = implicitG1(cs);
  let g0: ElementId = cs.initialG0;
  let g1 = g1Default;
  let out = '';
  let i = 0;
  const n = bytes.length;
  const fail = (err: CharsetError, skip: number): void => {
    if (!cs.lossy) throw err;
    out += '\ufffd';
    i += skip;
  };
  while (i < n) {
    const b = bytes[i] as number;
    if (b === ESC) {
      const esc = extensions ? readEscape(bytes, i) : undefined;
      if (esc === undefined || esc.id === undefined || !allowed(cs, esc.id)) {
        const err = extensions
          ? new CharsetError(
              'unsupported',
              `unsupported escape sequence at byte ${i} in '${termLabel(cs.terms)}'`,
              {
                details: { terms: cs.terms.join('\\'), offset: i },
              },
            )
          : undecodable(cs.terms, i, 'an escape sequence');
        fail(err, esc?.length ?? 1);
        continue;
      }
      if (ELEMENTS[esc.id].slot === 'G0') g0 = esc.id;
      else g1 = esc.id;
      i += esc.length;
      continue;
    }
    if (b < 0x80) {
      if (ELEMENTS[g0].width === 2 && b >= 0x21 && b <= 0x7e) {
        let j = i;
        while (j < n && (bytes[j] as number) >= 0x21 && (bytes[j] as number) <= 0x7e) j++;
        if ((j - i) % 2 !== 0) j--; // the odd byte is reported on the next turn
        if (j === i) {
          fail(undecodable(cs.terms, i, 'an incomplete 2-byte code'), 1);
          continue;
        }
        // A copy, never `bytes.slice`: on a Node Buffer that is a view, and setting the high bits
        // below would rewrite the caller's data (a C-FIND answer, a file) in place.
        const euc = Uint8Array.from(bytes.subarray(i, j));
        for (let k = 0; k < euc.length; k++) euc[k] = (euc[k] as number) | 0x80;
        out += pairs(g0, euc, cs, i);
        i = j;
        continue;
      }
      out += String.fromCharCode(b);
      if (isReset(b, resets)) {
        g0 = cs.initialG0;
        g1 = g1Default;
      }
      i++;
      continue;
    }
    if (g1 === undefined) {
      fail(undecodable(cs.terms, i, `byte 0x${b.toString(16)} with no G1 set designated`), 1);
      continue;
    }
    if (ELEMENTS[g1].width === 2) {
      let j = i;
      while (j < n && (bytes[j] as number) >= 0xa1 && (bytes[j] as number) <= 0xfe) j++;
      if ((j - i) % 2 !== 0) j--;
      if (j === i) {
        fail(undecodable(cs.terms, i, 'an incomplete 2-byte code'), 1);
        continue;
      }
      out += pairs(g1, bytes.subarray(i, j), cs, i);
      i = j;
      continue;
    }
    const c = highHalf(g1)[b - 0x80] as number;
    if (c === 0) {
      fail(undecodable(cs.terms, i, `byte 0x${b.toString(16)}`), 1);
      continue;
    }
    out += String.fromCharCode(c);
    i++;
  }
  return out;
}

/** A run of 2-byte codes (EUC form); in lossy mode an undefined code becomes U+FFFD. */
function pairs(id: ElementId, euc: Uint8Array, cs: CharacterSet, offset: number): string {
  try {
    return decodePairs(id, euc);
  } catch (err) {
    let out = '';
    for (let k = 0; k < euc.length; k += 2) {
      try {
        out += decodePairs(id, euc.subarray(k, k + 2));
      } catch {
        if (!cs.lossy) throw undecodable(cs.terms, offset + k, 'an undefined 2-byte code', err);
        out += '\ufffd';
      }
    }
    return out;
  }
}

/** The bytes of `cp` in element `id` (G1: 8-bit; G0: 7-bit), or undefined when it has none. */
function codeIn(id: ElementId, cp: number): number | undefined {
  const e = ELEMENTS[id];
  if (e.width === 2) {
    const code = pairCode(id, cp);
    return code === undefined ? undefined : e.slot === 'G0' ? code & 0x7f7f : code;
  }
  if (id === 'katakana') return cp >= 0xff61 && cp <= 0xff9f ? cp - 0xfec0 : undefined;
  if (id === 'latin1') return cp >= 0xa0 && cp <= 0xff ? cp : undefined;
  if (id === 'ascii' || id === 'romaji') return undefined;
  return singleByteCode(id, cp);
}

/**
 * Encodes one value. Per character: the set in force if it holds the character, else the first
 * set in term order that does, designated by its escape (as DCMTK and pydicom do); escapes are
 * written only when the designation changes, and again after each reset point.
 */
export function encodeIso2022(text: string, cs: CharacterSet, resets: Resets): Uint8Array {
  const out: number[] = [];
  let g0: ElementId = cs.initialG0;
  let g1 = cs.initialG1;
  const extensions = cs.kind === 'iso2022';
  let index = 0;
  const emit = (code: number, width: 1 | 2): void => {
    if (width === 2) out.push(code >> 8, code & 0xff);
    else out.push(code);
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) {
      if (ELEMENTS[g0].width === 2) {
        out.push(...ELEMENTS[cs.initialG0].escape);
        g0 = cs.initialG0;
      }
      out.push(cp);
      if (isReset(cp, resets)) g1 = cs.initialG1;
      index += 1;
      continue;
    }
    let done = false;
    for (const active of [g1, ELEMENTS[g0].width === 2 ? g0 : undefined]) {
      if (active === undefined) continue;
      const code = codeIn(active, cp);
      if (code !== undefined) {
        emit(code, ELEMENTS[active].width);
        done = true;
        break;
      }
    }
    if (!done && extensions) {
      for (const id of cs.encodeOrder) {
        const code = codeIn(id, cp);
        if (code === undefined) continue;
        const e = ELEMENTS[id];
        out.push(...e.escape);
        if (e.slot === 'G0') g0 = id;
        else g1 = id;
        emit(code, e.width);
        done = true;
        break;
      }
    }
    if (!done) throw unencodable(cs.terms, index);
    index += ch.length;
  }
  // PS3.5 6.1.2.5.3: the value ends in the initial G0 set (Annex H ends each value with ESC ( B).
  if (ELEMENTS[g0].width === 2) out.push(...ELEMENTS[cs.initialG0].escape);
  return Uint8Array.from(out);
}
