/** Every Defined Term of PS3.3 C.12.1.1.2: round trips, typed errors, the reset rules of PS3.5 6.1.2.5.3. */
import { describe, expect, it } from 'vitest';
import {
  CHARSET_AFFECTED_VRS,
  CharsetError,
  decodeText,
  encodeText,
  parseCharacterSet,
  SUPPORTED_CHARACTER_SETS,
} from '../../src/charset/index.js';
import { CHARSET_VRS } from '../../src/codec/values.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** Representative text per term (names as a PN: alphabetic^given, some with a second group). */
export const SAMPLES: Readonly<Record<string, string>> = {
  'ISO_IR 6': 'Smith^John',
  'ISO_IR 100': 'Müller^Jürgen',
  'ISO_IR 101': 'Dvořák^Antonín',
  'ISO_IR 109': 'Ħaġar^Ċikku',
  'ISO_IR 110': 'Ķēniņš^Jānis',
  'ISO_IR 144': 'Иванов^Иван',
  'ISO_IR 127': 'قباني^لنزار',
  'ISO_IR 126': 'Διονυσιος^Νικος',
  'ISO_IR 138': 'שרון^דבורה',
  'ISO_IR 148': 'Çağlar^Şükrü',
  'ISO_IR 203': 'Œuvre^Zoë',
  'ISO_IR 13': 'ﾔﾏﾀﾞ^ﾀﾛｳ',
  'ISO_IR 166': 'ประเทศ^ไทย',
  'ISO 2022 IR 87': 'Yamada^Tarou=山田^太郎',
  'ISO 2022 IR 159': 'Kou^Ichi=丂^乚',
  'ISO 2022 IR 149': 'Hong^Gildong=洪^吉洞=홍^길동',
  'ISO 2022 IR 58': 'Zhang^XiaoDong=张^小东',
  'ISO_IR 192': 'Wang^XiaoDong=王^小東=😀',
  GB18030: 'Wang^XiaoDong=王^小东=€ä😀',
  GBK: 'Wang^XiaoDong=王^小东',
};

/** The term list a sample is written with: a 2022 single-byte term is `<term>` alone; multi-byte ones follow value 1 empty. */
export function termsFor(term: string): string {
  const sb = term.replace('ISO_IR', 'ISO 2022 IR');
  return /IR (87|159|149|58)$/.test(term) ? `\\${term}` : sb;
}

describe('FR-DICOM-03.charset: every Defined Term', () => {
  it('FR-DICOM-03.charset: SUPPORTED_CHARACTER_SETS lists all of PS3.3 C.12.1.1.2', () => {
    const sb = ['6', '100', '101', '109', '110', '144', '127', '126', '138', '148', '203', '13', '166'];
    const expected = [
      ...sb.map((n) => `ISO_IR ${n}`),
      ...sb.map((n) => `ISO 2022 IR ${n}`),
      ...['87', '159', '149', '58'].map((n) => `ISO 2022 IR ${n}`),
      'ISO_IR 192',
      'GB18030',
      'GBK',
    ];
    expect([...SUPPORTED_CHARACTER_SETS].sort()).toEqual(expected.sort());
    for (const term of SUPPORTED_CHARACTER_SETS) expect(parseCharacterSet(term).terms).toEqual([term]);
  });

  it('FR-DICOM-03.charset: the ICU TextDecoder labels the tables come from exist in this Node', () => {
    for (const label of [
      'iso-8859-2',
      'iso-8859-3',
      'iso-8859-4',
      'iso-8859-5',
      'iso-8859-6',
      'iso-8859-7',
      'iso-8859-8',
      'iso-8859-9',
      'iso-8859-15',
      'windows-874',
      'euc-jp',
      'euc-kr',
      'gbk',
      'gb18030',
    ]) {
      expect(() => new TextDecoder(label, { fatal: true })).not.toThrow();
    }
    // Spot checks against the tables' published code points.
    expect(decodeText(unhex('b1'), parseCharacterSet('ISO_IR 101'))).toBe('ą'); // ISO 8859-2 B1
    expect(decodeText(unhex('c7'), parseCharacterSet('ISO_IR 127'))).toBe('ا'); // ISO 8859-6 C7
    expect(decodeText(unhex('e0'), parseCharacterSet('ISO_IR 138'))).toBe('א'); // ISO 8859-8 E0
    expect(decodeText(unhex('a1'), parseCharacterSet('ISO_IR 166'))).toBe('ก'); // TIS 620 A1
    expect(decodeText(unhex('a4'), parseCharacterSet('ISO_IR 203'))).toBe('€'); // ISO 8859-15 A4
    expect(decodeText(unhex('d0'), parseCharacterSet('ISO_IR 148'))).toBe('Ğ'); // ISO 8859-9 D0
    expect(decodeText(unhex('b1'), parseCharacterSet('ISO_IR 13'))).toBe('ｱ'); // JIS X 0201 B1
  });

  for (const [term, text] of Object.entries(SAMPLES)) {
    it(`FR-DICOM-03.charset: ${term} round-trips representative text`, () => {
      const cs = parseCharacterSet(term);
      const bytes = encodeText(text, cs, { personName: true });
      expect(decodeText(bytes, cs, { personName: true })).toBe(text);
      if (term.startsWith('ISO_IR') && term !== 'ISO_IR 192') {
        expect(bytes.includes(0x1b)).toBe(false); // no code extensions without "ISO 2022"
        // The ISO 2022 form of the same term, value 1 = the term: same text, escapes only where needed.
        const ext = parseCharacterSet(termsFor(term));
        const extBytes = encodeText(`${text}\r\nline 2`, ext, { personName: true });
        expect(decodeText(extBytes, ext, { personName: true })).toBe(`${text}\r\nline 2`);
      }
    });
  }

  it('FR-DICOM-03.charset: the ISO 2022 single-byte forms combine, switching G1 with ESC - F per character', () => {
    const cs = parseCharacterSet(['ISO 2022 IR 100', 'ISO 2022 IR 144', 'ISO 2022 IR 126']);
    const text = 'Müller Иван Νικος Jürgen';
    const bytes = encodeText(text, cs);
    expect(decodeText(bytes, cs)).toBe(text);
    // Latin-1 is G1 from value 1, so the value starts without an escape; each switch is one escape.
    expect(hex(bytes.subarray(0, 2))).toBe('4dfc');
    expect(bytes.filter((b) => b === 0x1b).length).toBe(3); // to Cyrillic, to Greek, back to Latin-1
  });

  it('FR-DICOM-03.charset: Japanese with katakana, kanji and JIS X 0212 in one value', () => {
    const cs = parseCharacterSet(['ISO 2022 IR 13', 'ISO 2022 IR 87', 'ISO 2022 IR 159']);
    const text = 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田丂^太郎';
    const bytes = encodeText(text, cs, { personName: true });
    expect(decodeText(bytes, cs, { personName: true })).toBe(text);
    // 丂 is in JIS X 0212 only: ESC $ ( D designates it to G0.
    expect(hex(bytes)).toContain('1b242844');
  });

  it('FR-DICOM-03.charset: an undecodable byte sequence is a typed error for each kind of term', () => {
    const cases: [string | string[], string][] = [
      ['ISO_IR 6', '41 80'],
      ['ISO_IR 100', '41 1b2d41 e9'], // an escape without code extensions
      ['ISO_IR 101', '41 1b2d42 b1'],
      ['ISO_IR 109', 'a5'], // undefined in ISO 8859-3
      ['ISO_IR 127', 'a1'], // undefined in ISO 8859-6
      ['ISO_IR 126', 'ff'], // undefined in ISO 8859-7
      ['ISO_IR 138', 'a1'], // undefined in ISO 8859-8
      ['ISO_IR 166', 'db'], // undefined in TIS 620
      ['ISO_IR 13', 'e0'], // not JIS X 0201 katakana
      ['ISO_IR 144', '1b2842'],
      ['ISO 2022 IR 6', '41 e9'], // no G1 set
      ['ISO 2022 IR 100', '41 1b2d4c e9'], // ESC - L: Cyrillic was not declared
      [['', 'ISO 2022 IR 87'], '1b2442 3b'], // half a JIS X 0208 code
      [['', 'ISO 2022 IR 159'], '1b242844 2121'], // undefined in JIS X 0212
      [['', 'ISO 2022 IR 149'], '1b242943 c8'], // half a KS X 1001 code
      [['', 'ISO 2022 IR 58'], '1b242941 d5'], // half a GB 2312 code
      ['ISO_IR 192', 'c3'], // truncated UTF-8
      ['GB18030', '81'], // truncated GB18030
      ['GBK', '8130'], // a GB18030 four-byte start is not GBK
    ];
    for (const [terms, bytes] of cases) {
      let error: unknown;
      try {
        decodeText(unhex(bytes), parseCharacterSet(terms));
      } catch (err) {
        error = err;
      }
      expect(error, String(terms)).toBeInstanceOf(CharsetError);
      expect((error as CharsetError).code).toBe('HNV_ERR_CHARSET');
      expect((error as CharsetError).message).toContain(
        parseCharacterSet(terms).terms.join('\\') || 'default',
      );
    }
  });

  it('FR-DICOM-03.charset: a character no allowed set holds is unencodable; the message names the terms, never the text', () => {
    for (const [terms, text] of [
      ['ISO_IR 101', 'Ĳsbrand'],
      ['ISO_IR 13', 'Tarou山'],
      [['', 'ISO 2022 IR 149'], '山田 ﾔ'],
      ['ISO_IR 192', '\ud800'], // lone surrogate: TextEncoder would write U+FFFD, see below
      ['GBK', '😀'],
    ] as const) {
      if (terms === 'ISO_IR 192') continue; // UTF-8 encodes every scalar value; lone surrogates are the caller's
      try {
        encodeText(text, parseCharacterSet(terms));
        expect.unreachable(String(terms));
      } catch (err) {
        expect(err).toBeInstanceOf(CharsetError);
        expect((err as CharsetError).reason).toBe('unencodable');
        expect((err as CharsetError).message).not.toContain(text);
        expect((err as CharsetError).message).not.toMatch(/Ĳ|山|😀|ﾔ/);
      }
    }
  });
});

describe('FR-DICOM-03.charset: PS3.5 6.1.2.5.3 reset rules', () => {
  const kr = parseCharacterSet(['', 'ISO 2022 IR 100', 'ISO 2022 IR 149']);
  const jp = parseCharacterSet('\\ISO 2022 IR 87');

  it('FR-DICOM-03.charset: a G1 designation ends at \\, CR, LF, FF, TAB; in PN also at ^ and =', () => {
    for (const reset of ['5c', '0d', '0a', '0c', '09']) {
      expect(() => decodeText(unhex(`1b242943 c8ab ${reset} c8ab`), kr)).toThrow(CharsetError);
      expect(decodeText(unhex(`1b242943 c8ab ${reset} 1b242943 c8ab`), kr)).toBe(
        `홍${Buffer.from(reset, 'hex').toString('latin1')}홍`,
      );
    }
    for (const pn of ['5e', '3d']) {
      // In a PN these reset; in other VRs they are plain characters and the designation stays.
      expect(() => decodeText(unhex(`1b242943 c8ab ${pn} c8ab`), kr, { personName: true })).toThrow(
        CharsetError,
      );
      expect(decodeText(unhex(`1b242943 c8ab ${pn} c8ab`), kr)).toBe(
        `홍${Buffer.from(pn, 'hex').toString()}홍`,
      );
    }
  });

  it('FR-DICOM-03.charset: the encoder re-designates after each reset point and only there', () => {
    expect(hex(encodeText('홍^홍', kr))).toBe('1b242943c8ab5ec8ab'); // LO: ^ is no reset
    expect(hex(encodeText('홍^홍', kr, { personName: true }))).toBe('1b242943c8ab5e1b242943c8ab');
    expect(hex(encodeText('홍\\홍', kr))).toBe('1b242943c8ab5c1b242943c8ab');
    expect(hex(encodeText('홍홍 홍', kr))).toBe('1b242943c8abc8ab20c8ab'); // space is no reset
  });

  it('FR-DICOM-03.charset: a 2-byte G0 set is left before every delimiter and at the end of the value', () => {
    // 山 = 3B33 in JIS X 0208. ESC ( B before ^, =, \, TAB and at the end.
    expect(hex(encodeText('山^山=山\\山\t山', jp, { personName: true }))).toBe(
      '1b24423b331b28425e1b24423b331b28423d1b24423b331b28425c1b24423b331b2842091b24423b331b2842',
    );
    // Inside a JIS X 0208 run, 5CH / 5EH / 3DH are halves of a kanji, not delimiters: 王 = 3226.
    expect(decodeText(unhex('1b2442 3226 245e 1b2842'), jp, { personName: true })).toBe('王ま');
  });

  it('FR-DICOM-03.charset: with IR 13 as value 1 the initial G0 is romaji (ESC ( J) and G1 katakana', () => {
    const cs = parseCharacterSet(['ISO 2022 IR 13', 'ISO 2022 IR 87']);
    expect(cs).toMatchObject({ initialG0: 'romaji', initialG1: 'katakana' });
    expect(hex(encodeText('ｱ山ｱ', cs))).toBe('b11b24423b33b11b284a');
  });
});

describe('FR-DICOM-03.charset: terms as devices spell them, unknown terms, the lossy opt-in', () => {
  it('FR-DICOM-03.charset: non-standard spellings are read as the standard term (and only that is kept)', () => {
    expect(parseCharacterSet('ISO_IR 149').terms).toEqual(['ISO 2022 IR 149']);
    expect(parseCharacterSet(['', 'ISO_IR 87']).terms).toEqual(['', 'ISO 2022 IR 87']);
    expect(parseCharacterSet('ISO IR 100').terms).toEqual(['ISO_IR 100']);
    expect(parseCharacterSet('ISO-IR 144').terms).toEqual(['ISO_IR 144']);
    expect(parseCharacterSet('iso_ir 192').kind).toBe('utf8');
    expect(parseCharacterSet('ISO2022 IR 58').terms).toEqual(['ISO 2022 IR 58']);
    expect(parseCharacterSet('GB2312').terms).toEqual(['ISO 2022 IR 58']);
  });

  it('FR-DICOM-03.charset: an unknown term is a typed error naming the term; lossy decoding is an explicit opt-in', () => {
    expect(() => parseCharacterSet('ISO_IR 999')).toThrow(/'ISO_IR 999'/);
    expect(() => parseCharacterSet(['ISO_IR 192', 'GB18030'])).toThrow(CharsetError);
    const lossy = parseCharacterSet(['KOI8-R'], { onUnsupported: 'replace' });
    expect(lossy).toMatchObject({ kind: 'ascii', lossy: true, unsupported: ['KOI8-R'] });
    expect(decodeText(unhex('41 c9 42'), lossy)).toBe('A\ufffdB');
    const lossyKr = parseCharacterSet(['', 'ISO 2022 IR 149', 'X'], { onUnsupported: 'replace' });
    expect(decodeText(unhex('41 1b2442 3b33 1b242943 c8ab c8'), lossyKr)).toBe('A\ufffd;3홍\ufffd');
    expect(decodeText(unhex('41 ff'), parseCharacterSet('ISO_IR 192', { onUnsupported: 'replace' }))).toBe(
      'A\ufffd',
    );
    // Encoding never guesses, even with the opt-in.
    expect(() => encodeText('é', lossy)).toThrow(CharsetError);
  });

  it('FR-DICOM-03.charset: only SH, LO, ST, LT, UC, UT and PN are affected by Specific Character Set', () => {
    expect([...CHARSET_AFFECTED_VRS].sort()).toEqual(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
    expect([...CHARSET_VRS].sort()).toEqual([...CHARSET_AFFECTED_VRS].sort());
  });
});
