import { IodCharsetError } from './errors.js';

/**
 * Specific Character Sets we write. `ISO_IR 192` is UTF-8; `ISO 2022 IR 149` is Korean
 * KS X 1001 invoked in G1 with ASCII in G0 (PS3.5 6.1.2.5, Annex I), written as the value pair
 * `\ISO 2022 IR 149` (empty first value: the default repertoire, no code extension in G0).
 */
export type CharacterSet = 'ISO_IR 6' | 'ISO_IR 192' | 'ISO 2022 IR 149';

/** Values of (0008,0005) for each set; undefined means the attribute is omitted (default repertoire). */
export function specificCharacterSetValue(cs: CharacterSet): string[] | undefined {
  switch (cs) {
    case 'ISO_IR 6':
      return undefined;
    case 'ISO_IR 192':
      return ['ISO_IR 192'];
    case 'ISO 2022 IR 149':
      return ['', 'ISO 2022 IR 149'];
  }
}

// PS3.5 6.1.2.5.3: ESC $ ) C designates KS X 1001 as G1.
const ESC_KSX1001_G1 = [0x1b, 0x24, 0x29, 0x43] as const;

let ksx1001: Map<number, number> | undefined;

/**
 * KS X 1001 code points keyed by Unicode scalar, built once by decoding every GR pair
 * 0xA1A1–0xFEFE with the platform's EUC-KR decoder and inverting the result (8836 pairs,
 * a few ms); EUC-KR is KS X 1001 in G1, which is exactly the byte form ISO 2022 IR 149 uses.
 */
function ksx1001Table(): Map<number, number> {
  if (ksx1001 !== undefined) return ksx1001;
  const table = new Map<number, number>();
  const decoder = new TextDecoder('euc-kr', { fatal: true });
  const pair = new Uint8Array(2);
  for (let b1 = 0xa1; b1 <= 0xfe; b1++) {
    for (let b2 = 0xa1; b2 <= 0xfe; b2++) {
      pair[0] = b1;
      pair[1] = b2;
      let s: string;
      try {
        s = decoder.decode(pair);
      } catch {
        continue;
      }
      const cp = s.codePointAt(0);
      if (s.length === 1 && cp !== undefined && cp !== 0xfffd && !table.has(cp))
        table.set(cp, (b1 << 8) | b2);
    }
  }
  ksx1001 = table;
  return table;
}

// Characters after which the G1 designation must be repeated: PS3.5 6.1.2.5.3 reverts to the
// initial state before value delimiters, person-name component/group delimiters and line ends.
const RESET_AFTER = new Set([0x5c, 0x5e, 0x3d, 0x0a, 0x0d, 0x0c, 0x09]);

/** Encodes one text value (may hold `\`, `^`, `=`) in ISO 2022 IR 149 with G1 designations. */
export function encodeIso2022Ir149(value: string): Uint8Array {
  const table = ksx1001Table();
  const out: number[] = [];
  let designated = false;
  let index = 0;
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    const at = index;
    index += ch.length;
    if (cp < 0x80) {
      out.push(cp);
      if (RESET_AFTER.has(cp)) designated = false;
      continue;
    }
    const code = table.get(cp);
    if (code === undefined) {
      // NFR-SEC-01: the character itself may be part of a patient name; report only where it is.
      throw new IodCharsetError(
        `character at index ${at} of a ${value.length}-character value is not in KS X 1001`,
        {
          hint: "use characterSet 'ISO_IR 192' (UTF-8) for text outside KS X 1001",
          details: { index: at, length: value.length },
        },
      );
    }
    if (!designated) {
      out.push(...ESC_KSX1001_G1);
      designated = true;
    }
    out.push(code >> 8, code & 0xff);
  }
  return Uint8Array.from(out);
}

const utf8 = new TextEncoder();

/** Bytes of a text value in the given character set (ISO_IR 6 rejects non-ASCII). */
export function encodeText(value: string, cs: CharacterSet): Uint8Array {
  switch (cs) {
    case 'ISO_IR 192':
      return utf8.encode(value);
    case 'ISO 2022 IR 149':
      return encodeIso2022Ir149(value);
    case 'ISO_IR 6':
      if (!isAscii(value)) {
        throw new IodCharsetError('non-ASCII text needs a Specific Character Set', {
          hint: "pass characterSet 'ISO_IR 192' or 'ISO 2022 IR 149'",
        });
      }
      return utf8.encode(value);
  }
}

export function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0x7f) return false;
  return true;
}
