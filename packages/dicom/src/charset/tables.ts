/**
 * The code elements of PS3.3 Tables C.12-3 and C.12-4 and their byte ↔ character tables.
 * Decoding tables come from Node's full-ICU TextDecoder (WHATWG encodings); encoding tables are
 * their reverse, built lazily on the first encode of each set by decoding the set's whole code
 * space (a row per decoder call). Pure: no I/O.
 */

/** A code element (graphic character set) designated to G0 or G1 by an ISO 2022 escape. */
export type ElementId =
  | 'ascii' // ISO-IR 6
  | 'romaji' // ISO-IR 14, JIS X 0201 Roman
  | 'katakana' // ISO-IR 13, JIS X 0201 Katakana
  | 'latin1' // ISO-IR 100
  | 'latin2' // ISO-IR 101
  | 'latin3' // ISO-IR 109
  | 'latin4' // ISO-IR 110
  | 'cyrillic' // ISO-IR 144
  | 'arabic' // ISO-IR 127
  | 'greek' // ISO-IR 126
  | 'hebrew' // ISO-IR 138
  | 'latin5' // ISO-IR 148
  | 'latin9' // ISO-IR 203
  | 'thai' // ISO-IR 166
  | 'jisx0208' // ISO-IR 87
  | 'jisx0212' // ISO-IR 159
  | 'ksx1001' // ISO-IR 149
  | 'gb2312'; // ISO-IR 58

export interface CodeElement {
  readonly slot: 'G0' | 'G1';
  /** Bytes per character: 1, or 2 for the 94×94 sets. */
  readonly width: 1 | 2;
  /** The escape sequence that designates it, ESC included (PS3.3 Tables C.12-3, C.12-4). */
  readonly escape: readonly number[];
  /** WHATWG label of the decoder that reads it (single-byte: its A0–FF half; 2-byte: EUC form). */
  readonly label?: string;
}

const ESC = 0x1b;
const sb = (final: number, label?: string): CodeElement => ({
  slot: 'G1',
  width: 1,
  escape: [ESC, 0x2d, final], // ESC - F: a 96-set to G1
  ...(label === undefined ? {} : { label }),
});

export const ELEMENTS: Readonly<Record<ElementId, CodeElement>> = {
  ascii: { slot: 'G0', width: 1, escape: [ESC, 0x28, 0x42] }, // ESC ( B
  romaji: { slot: 'G0', width: 1, escape: [ESC, 0x28, 0x4a] }, // ESC ( J
  katakana: { slot: 'G1', width: 1, escape: [ESC, 0x29, 0x49] }, // ESC ) I
  latin1: sb(0x41), // ESC - A
  latin2: sb(0x42, 'iso-8859-2'), // ESC - B
  latin3: sb(0x43, 'iso-8859-3'), // ESC - C
  latin4: sb(0x44, 'iso-8859-4'), // ESC - D
  cyrillic: sb(0x4c, 'iso-8859-5'), // ESC - L
  arabic: sb(0x47, 'iso-8859-6'), // ESC - G
  greek: sb(0x46, 'iso-8859-7'), // ESC - F
  hebrew: sb(0x48, 'iso-8859-8'), // ESC - H
  // WHATWG maps the label iso-8859-9 to windows-1254, identical to ISO 8859-9 in A0–FF.
  latin5: sb(0x4d, 'iso-8859-9'), // ESC - M
  latin9: sb(0x62, 'iso-8859-15'), // ESC - b
  // TIS 620-2533 is windows-874 in A0–FF (windows-874 differs only in 80–9F, which we never read
  // through it).
  thai: sb(0x54, 'windows-874'), // ESC - T
  jisx0208: { slot: 'G0', width: 2, escape: [ESC, 0x24, 0x42], label: 'euc-jp' }, // ESC $ B
  jisx0212: { slot: 'G0', width: 2, escape: [ESC, 0x24, 0x28, 0x44], label: 'euc-jp' }, // ESC $ ( D
  ksx1001: { slot: 'G1', width: 2, escape: [ESC, 0x24, 0x29, 0x43], label: 'euc-kr' }, // ESC $ ) C
  gb2312: { slot: 'G1', width: 2, escape: [ESC, 0x24, 0x29, 0x41], label: 'gbk' }, // ESC $ ) A
};

/** Escape sequence (bytes after ESC, as a latin1 string) → the element it designates. */
export const ESCAPES: ReadonlyMap<string, ElementId> = new Map(
  (Object.keys(ELEMENTS) as ElementId[]).map((id) => [
    String.fromCharCode(...ELEMENTS[id].escape.slice(1)),
    id,
  ]),
);

type Decoder = InstanceType<typeof TextDecoder>;
const decoders = new Map<string, Decoder>();
function decoder(label: string, fatal = true): Decoder {
  const key = `${label}/${fatal}`;
  let d = decoders.get(key);
  if (d === undefined) {
    d = new TextDecoder(label, { fatal });
    decoders.set(key, d);
  }
  return d;
}

// ---- single-byte sets -------------------------------------------------------------------------

const highHalves = new Map<ElementId, Uint16Array>();

/**
 * Code points of bytes 80–FF of a single-byte element (0 = undefined). 80–9F are the C1 controls
 * in every ISO 8859 part, kept as U+0080–U+009F as the Latin-1 path always did.
 */
export function highHalf(id: ElementId): Uint16Array {
  let t = highHalves.get(id);
  if (t !== undefined) return t;
  t = new Uint16Array(128);
  for (let b = 0x80; b < 0xa0; b++) t[b - 0x80] = b;
  const label = ELEMENTS[id].label;
  if (id === 'katakana') {
    // JIS X 0201 katakana A1–DF are U+FF61–U+FF9F (halfwidth forms).
    for (let b = 0xa1; b <= 0xdf; b++) t[b - 0x80] = b + 0xfec0;
  } else if (label === undefined) {
    for (let b = 0xa0; b <= 0xff; b++) t[b - 0x80] = b; // ISO 8859-1
  } else {
    const d = decoder(label);
    for (let b = 0xa0; b <= 0xff; b++) {
      try {
        const ch = d.decode(Uint8Array.of(b));
        const c = ch.charCodeAt(0);
        // windows-874 fills TIS 620's holes (DB–DE, FC–FF) with private-use code points: holes.
        if (ch.length === 1 && (c < 0xe000 || c > 0xf8ff)) t[b - 0x80] = c;
      } catch {
        // undefined in this part of ISO 8859 (e.g. ISO 8859-6 A1): stays 0
      }
    }
  }
  if (id === 'katakana') for (let b = 0x80; b < 0xa1; b++) t[b - 0x80] = 0;
  highHalves.set(id, t);
  return t;
}

const singleReverse = new Map<ElementId, Map<number, number>>();

/** Character → byte (A0–FF; C1 controls are never written) for a single-byte element. */
export function singleByteCode(id: ElementId, cp: number): number | undefined {
  let m = singleReverse.get(id);
  if (m === undefined) {
    m = new Map();
    const t = highHalf(id);
    for (let b = 0xa0; b <= 0xff; b++) {
      const c = t[b - 0x80] as number;
      if (c !== 0 && !m.has(c)) m.set(c, b);
    }
    singleReverse.set(id, m);
  }
  return m.get(cp);
}

// ---- 94×94 sets -------------------------------------------------------------------------------

/** The EUC bytes each 94×94 element is decoded through (JIS X 0212 carries the SS3 prefix 8F). */
function eucPrefix(id: ElementId): number[] {
  return id === 'jisx0212' ? [0x8f] : [];
}

/**
 * Decodes pairs of a 94×94 element, given in its EUC form (both bytes A1–FE). Throws the
 * decoder's TypeError for a code the set does not define.
 */
export function decodePairs(id: ElementId, euc: Uint8Array): string {
  const label = ELEMENTS[id].label as string;
  const prefix = eucPrefix(id);
  if (prefix.length === 0) return decoder(label).decode(euc);
  const buf = new Uint8Array((euc.length / 2) * 3);
  for (let i = 0, o = 0; i < euc.length; i += 2, o += 3) {
    buf[o] = prefix[0] as number;
    buf[o + 1] = euc[i] as number;
    buf[o + 2] = euc[i + 1] as number;
  }
  return decoder(label).decode(buf);
}

/**
 * Rows (first byte, EUC form) written when encoding. JIS X 0208 rows 1–8 and 16–84 and GB 2312 rows
 * 1–9 and 16–87 are the standard sets; the WHATWG indexes add vendor rows (NEC row 13, GBK's
 * PUA rows) that other DICOM readers would not read, so we read them but never write them.
 */
function encodeRows(id: ElementId): [number, number][] {
  switch (id) {
    case 'jisx0208':
      return [
        [0xa1, 0xa8],
        [0xb0, 0xf4],
      ];
    case 'gb2312':
      return [
        [0xa1, 0xa9],
        [0xb0, 0xf7],
      ];
    default:
      return [[0xa1, 0xfe]];
  }
}

const pairReverse = new Map<ElementId, Map<number, number>>();

/** Character → EUC code (b1 << 8 | b2, both A1–FE) in a 94×94 element. */
export function pairCode(id: ElementId, cp: number): number | undefined {
  let m = pairReverse.get(id);
  if (m === undefined) {
    m = new Map();
    const label = ELEMENTS[id].label as string;
    const prefix = eucPrefix(id);
    const step = prefix.length + 2;
    const d = decoder(label, false);
    const row = new Uint8Array(94 * step);
    for (const [from, to] of encodeRows(id)) {
      for (let b1 = from; b1 <= to; b1++) {
        for (let k = 0; k < 94; k++) {
          if (prefix.length > 0) row[k * step] = prefix[0] as number;
          row[k * step + step - 2] = b1;
          row[k * step + step - 1] = 0xa1 + k;
        }
        // Every pair is well formed (no ASCII trail byte), so an undefined code is exactly one
        // U+FFFD and the row decodes to 94 UTF-16 units (all these sets are in the BMP).
        const text = d.decode(row);
        if (text.length !== 94) continue;
        for (let k = 0; k < 94; k++) {
          const c = text.charCodeAt(k);
          if (c !== 0xfffd && !m.has(c)) m.set(c, (b1 << 8) | (0xa1 + k));
        }
      }
    }
    pairReverse.set(id, m);
  }
  return m.get(cp);
}

// ---- GB18030 / GBK ----------------------------------------------------------------------------

let gbTwo: Map<number, number> | undefined;
let gbFour: Map<number, number> | undefined;

/** Character → GB18030 two-byte code (lead 81–FE, trail 40–7E / 80–FE), as in the gb18030 index. */
function gbTwoByte(cp: number): number | undefined {
  if (gbTwo === undefined) {
    const m = new Map<number, number>();
    const d = decoder('gb18030', false);
    const row = new Uint8Array(190 * 2);
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      let k = 0;
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        row[k * 2] = lead;
        row[k * 2 + 1] = trail;
        k++;
      }
      const text = d.decode(row);
      if (text.length !== 190) continue; // not seen; an undefined code with an ASCII trail
      k = 0;
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const c = text.charCodeAt(k++);
        if (c !== 0xfffd && !m.has(c)) m.set(c, (lead << 8) | trail);
      }
    }
    gbTwo = m;
  }
  return gbTwo.get(cp);
}

function fourBytes(pointer: number): [number, number, number, number] {
  return [
    0x81 + Math.floor(pointer / 12600),
    0x30 + (Math.floor(pointer / 1260) % 10),
    0x81 + (Math.floor(pointer / 10) % 126),
    0x30 + (pointer % 10),
  ];
}

/** BMP character → GB18030 four-byte pointer, by decoding all 39420 BMP four-byte codes once. */
function gbFourByte(cp: number): number | undefined {
  if (gbFour === undefined) {
    const count = 39420;
    const buf = new Uint8Array(count * 4);
    for (let p = 0; p < count; p++) buf.set(fourBytes(p), p * 4);
    const text = decoder('gb18030', false).decode(buf);
    const m = new Map<number, number>();
    if (text.length === count) {
      for (let p = 0; p < count; p++) {
        const c = text.charCodeAt(p);
        if (c !== 0xfffd && !m.has(c)) m.set(c, p);
      }
    }
    gbFour = m;
  }
  return gbFour.get(cp);
}

/**
 * Encodes one character in GB18030 (or GBK: two-byte codes only). Returns undefined when the set
 * has no code for it. ASCII is handled by the caller.
 */
export function gbEncode(cp: number, gbk: boolean): readonly number[] | undefined {
  const two = gbTwoByte(cp);
  if (two !== undefined) return [two >> 8, two & 0xff];
  if (gbk) return undefined;
  if (cp >= 0x10000) return fourBytes(189000 + cp - 0x10000);
  const p = gbFourByte(cp);
  return p === undefined ? undefined : fourBytes(p);
}

/** A fatal (or, for the lossy fallback, replacing) decoder for a whole-value encoding. */
export function wholeDecoder(label: 'utf-8' | 'gb18030' | 'gbk', fatal: boolean): Decoder {
  return decoder(label, fatal);
}
