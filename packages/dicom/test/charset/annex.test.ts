/**
 * The character set examples of PS3.5 (Annex H Japanese, I Korean, J UTF-8/GB18030, K GB 2312)
 * and pydicom's byte-exact charset test vectors. Each decodes to the exact text and encodes back
 * to the exact bytes (escape placement included), except where noted.
 *
 * Where the bytes were checked (December 2026):
 * - H.3.1, H.3.2, I.2: the "Encoded representation" column/row codes (05/09 06/01 …) of PS3.5
 *   (2013 and 2020a editions; I.2 also 2024d), converted to hex by hand; pydicom's chrH31/chrH32/
 *   chrI2 files decode to the same names.
 * - J.1 to J.4, K.2, K.3: the "Character encoded representation" hex of PS3.5 2024d/2024e.
 *   K.2 prints a trailing 0x20: that is the even-length padding, not part of the value.
 *   K.3's "Character String" shows "1) 第一行文字。" but its bytes are 0x31 0x2e ("1."): the
 *   bytes are what we test. K.3 before 2019 ended each line with ESC ( B before CR LF; the current
 *   text drops it ("does not require re-invocation of the default ASCII character set into G0").
 * - I.3 gives no bytes, only an "Encoded String" with ESC $ ) C at the head of each line: the bytes
 *   below are that string (KS X 1001 codes of 한글 = C7D1 B1DB; the spaces the HTML shows around
 *   한글 are rendering, as J.2's bytes prove for the same sentence).
 * - pydicom tests/test_charset.py: ENCODED_NAMES (single-byte code extensions after "ASCII+"),
 *   test_japanese_multi_byte_personname (IR 6\87\159) and test_japanese_multi_byte_encoding.
 */
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText, parseCharacterSet } from '../../src/charset/index.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/0x|\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** The column/row notation of PS3.5 ("05/09 06/01 …") to bytes. */
const colRow = (s: string) =>
  Uint8Array.from(
    s
      .trim()
      .split(/\s+/)
      .map((cr) => {
        const [c, r] = cr.split('/');
        return Number(c) * 16 + Number(r);
      }),
  );

interface Vector {
  name: string;
  terms: string;
  personName: boolean;
  text: string;
  bytes: Uint8Array;
}

const STANDARD: Vector[] = [
  {
    // PS3.5 H.3.1, Example H.3-1: value 1 empty, JIS X 0208 designated to G0 (ESC $ B) before each
    // kanji/kana run and ISO 646 (ESC ( B) again before ^, = and the end of the value.
    name: 'PS3.5 H.3.1 (\\ISO 2022 IR 87, PN)',
    terms: '\\ISO 2022 IR 87',
    personName: true,
    text: 'Yamada^Tarou=山田^太郎=やまだ^たろう',
    bytes: colRow(
      '05/09 06/01 06/13 06/01 06/04 06/01 05/14 05/04 06/01 07/02 06/15 07/05 03/13 01/11 02/04 ' +
        '04/02 03/11 03/03 04/05 04/04 01/11 02/08 04/02 05/14 01/11 02/04 04/02 04/02 04/00 04/15 ' +
        '03/10 01/11 02/08 04/02 03/13 01/11 02/04 04/02 02/04 06/04 02/04 05/14 02/04 04/00 01/11 ' +
        '02/08 04/02 05/14 01/11 02/04 04/02 02/04 03/15 02/04 06/13 02/04 02/06 01/11 02/08 04/02',
    ),
  },
  {
    // PS3.5 H.3.2, Example H.3-2: ISO 2022 IR 13 as value 1 — katakana in G1 with no escape (the
    // initial designation), JIS X 0201 romaji (ESC ( J) as the G0 returned to after each kanji run.
    name: 'PS3.5 H.3.2 (ISO 2022 IR 13\\ISO 2022 IR 87, PN)',
    terms: 'ISO 2022 IR 13\\ISO 2022 IR 87',
    personName: true,
    text: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
    bytes: colRow(
      '13/04 12/15 12/00 13/14 05/14 12/00 13/11 11/03 03/13 01/11 02/04 04/02 03/11 03/03 04/05 ' +
        '04/04 01/11 02/08 04/10 05/14 01/11 02/04 04/02 04/02 04/00 04/15 03/10 01/11 02/08 04/10 ' +
        '03/13 01/11 02/04 04/02 02/04 06/04 02/04 05/14 02/04 04/00 01/11 02/08 04/10 05/14 01/11 ' +
        '02/04 04/02 02/04 03/15 02/04 06/13 02/04 02/06 01/11 02/08 04/10',
    ),
  },
  {
    // PS3.5 I.2, Example I.2-1: KS X 1001 to G1 (ESC $ ) C) again in each component that uses it.
    name: 'PS3.5 I.2 (\\ISO 2022 IR 149, PN)',
    terms: '\\ISO 2022 IR 149',
    personName: true,
    text: 'Hong^Gildong=洪^吉洞=홍^길동',
    bytes: colRow(
      '04/08 06/15 06/14 06/07 05/14 04/07 06/09 06/12 06/04 06/15 06/14 06/07 03/13 01/11 02/04 ' +
        '02/09 04/03 15/11 15/03 05/14 01/11 02/04 02/09 04/03 13/01 12/14 13/04 13/07 03/13 01/11 ' +
        '02/04 02/09 04/03 12/08 10/11 05/14 01/11 02/04 02/09 04/03 11/01 14/06 11/05 11/15',
    ),
  },
  {
    // PS3.5 J.1, Example J.1-1: UTF-8 person name (traditional script).
    name: 'PS3.5 J.1 (ISO_IR 192, PN)',
    terms: 'ISO_IR 192',
    personName: true,
    text: 'Wang^XiaoDong=王^小東=',
    bytes: hex(
      '0x57 0x61 0x6e 0x67 0x5e 0x58 0x69 0x61 0x6f 0x44 0x6f 0x6e 0x67 0x3d 0xe7 0x8e 0x8b 0x5e ' +
        '0xe5 0xb0 0x8f 0xe6 0x9d 0xb1 0x3d',
    ),
  },
  {
    // PS3.5 J.2, Example J.2-1: UTF-8 long text (no space before 中文 in the bytes; CR LF ends each line).
    name: 'PS3.5 J.2 (ISO_IR 192, LT)',
    terms: 'ISO_IR 192',
    personName: false,
    text: 'The first line includes中文.\r\nThe second line includes中文, too.\r\nThe third line.\r\n',
    bytes: hex(
      '0x54 0x68 0x65 0x20 0x66 0x69 0x72 0x73 0x74 0x20 0x6c 0x69 0x6e 0x65 0x20 0x69 0x6e 0x63 ' +
        '0x6c 0x75 0x64 0x65 0x73 0xe4 0xb8 0xad 0xe6 0x96 0x87 0x2e 0x0d 0x0a 0x54 0x68 0x65 0x20 ' +
        '0x73 0x65 0x63 0x6f 0x6e 0x64 0x20 0x6c 0x69 0x6e 0x65 0x20 0x69 0x6e 0x63 0x6c 0x75 0x64 ' +
        '0x65 0x73 0xe4 0xb8 0xad 0xe6 0x96 0x87 0x2c 0x20 0x74 0x6f 0x6f 0x2e 0x0d 0x0a 0x54 0x68 ' +
        '0x65 0x20 0x74 0x68 0x69 0x72 0x64 0x20 0x6c 0x69 0x6e 0x65 0x2e 0x0d 0x0a',
    ),
  },
  {
    // PS3.5 J.3, Example J.3-1: GB18030 person name (simplified script).
    name: 'PS3.5 J.3 (GB18030, PN)',
    terms: 'GB18030',
    personName: true,
    text: 'Wang^XiaoDong=王^小东=',
    bytes: hex(
      '0x57 0x61 0x6e 0x67 0x5e 0x58 0x69 0x61 0x6f 0x44 0x6f 0x6e 0x67 0x3d 0xcd 0xf5 0x5e 0xd0 ' +
        '0xa1 0xb6 0xab 0x3d',
    ),
  },
  {
    // PS3.5 J.3 again for GBK: chapter J says the J.3/J.4 examples stand for GBK as well (their
    // characters are in the area GBK and GB18030 share).
    name: 'PS3.5 J.3 (GBK, PN)',
    terms: 'GBK',
    personName: true,
    text: 'Wang^XiaoDong=王^小东=',
    bytes: hex(
      '0x57 0x61 0x6e 0x67 0x5e 0x58 0x69 0x61 0x6f 0x44 0x6f 0x6e 0x67 0x3d 0xcd 0xf5 0x5e 0xd0 ' +
        '0xa1 0xb6 0xab 0x3d',
    ),
  },
  {
    // PS3.5 J.4, Example J.4-1: GB18030 long text (中 D6D0, 文 CEC4).
    name: 'PS3.5 J.4 (GB18030, LT)',
    terms: 'GB18030',
    personName: false,
    text: 'The first line includes中文.\r\nThe second line includes中文, too.\r\nThe third line.\r\n',
    bytes: hex(
      '0x54 0x68 0x65 0x20 0x66 0x69 0x72 0x73 0x74 0x20 0x6c 0x69 0x6e 0x65 0x20 0x69 0x6e 0x63 ' +
        '0x6c 0x75 0x64 0x65 0x73 0xd6 0xd0 0xce 0xc4 0x2e 0x0d 0x0a 0x54 0x68 0x65 0x20 0x73 0x65 ' +
        '0x63 0x6f 0x6e 0x64 0x20 0x6c 0x69 0x6e 0x65 0x20 0x69 0x6e 0x63 0x6c 0x75 0x64 0x65 0x73 ' +
        '0xd6 0xd0 0xce 0xc4 0x2c 0x20 0x74 0x6f 0x6f 0x2e 0x0d 0x0a 0x54 0x68 0x65 0x20 0x74 0x68 ' +
        '0x69 0x72 0x64 0x20 0x6c 0x69 0x6e 0x65 0x2e 0x0d 0x0a',
    ),
  },
  {
    // PS3.5 K.2, Example K.2-1: GB 2312 to G1 (ESC $ ) A) in each component that uses it; no
    // escape back to ASCII is needed (G0 never left ISO 646). The printed trailing 0x20 is padding.
    name: 'PS3.5 K.2 (\\ISO 2022 IR 58, PN)',
    terms: '\\ISO 2022 IR 58',
    personName: true,
    text: 'Zhang^XiaoDong=张^小东=',
    bytes: hex(
      '0x5A 0x68 0x61 0x6E 0x67 0x5E 0x58 0x69 0x61 0x6F 0x44 0x6F 0x6E 0x67 0x3D 0x1B 0x24 0x29 ' +
        '0x41 0xD5 0xC5 0x5E 0x1B 0x24 0x29 0x41 0xD0 0xA1 0xB6 0xAB 0x3D',
    ),
  },
  {
    // PS3.5 K.3, Example K.3-1: every line starts in the initial state (the designation ends at
    // CR LF, PS3.5 6.1.2.5.3), so ESC $ ) A comes again on each line, right before the hanzi.
    name: 'PS3.5 K.3 (\\ISO 2022 IR 58, LT)',
    terms: '\\ISO 2022 IR 58',
    personName: false,
    text: '1.第一行文字。\r\n2.第二行文字。\r\n3.第三行文字。\r\n',
    bytes: hex(
      '0x31 0x2e 0x1B 0x24 0x29 0x41 0xB5 0xDA 0xD2 0xBB 0xD0 0xD0 0xCE 0xC4 0xD7 0xD6 0xA1 0xA3 ' +
        '0x0D 0x0A 0x32 0x2e 0x1B 0x24 0x29 0x41 0xB5 0xDA 0xB6 0xFE 0xD0 0xD0 0xCE 0xC4 0xD7 0xD6 ' +
        '0xA1 0xA3 0x0D 0x0A 0x33 0x2e 0x1B 0x24 0x29 0x41 0xB5 0xDA 0xC8 0xFD 0xD0 0xD0 0xCE 0xC4 ' +
        '0xD7 0xD6 0xA1 0xA3 0x0D 0x0A',
    ),
  },
];

// pydicom tests/test_charset.py ENCODED_NAMES: each single-byte set as a code extension after
// value 1 empty, read after an ASCII prefix. Decode only: pydicom designates again at the start of
// every component (e.g. ESC - A before "Buc"), where we designate right before the first character
// that needs the set; both are valid ISO 2022 and our own encoding is checked to read back.
const PYDICOM_EXTENSIONS: [string, string, string][] = [
  ['ISO 2022 IR 13', 'ﾔﾏﾀﾞ^ﾀﾛｳ', '1b2949d4cfc0de5e1b2949c0dbb3'],
  ['ISO 2022 IR 100', 'Buc^Jérôme', '1b2d414275635e1b2d414ae972f46d65'],
  ['ISO 2022 IR 101', 'Wałęsa', '1b2d425761b3ea7361'],
  ['ISO 2022 IR 109', 'antaŭnomo', '1b2d43616e7461fd6e6f6d6f'],
  ['ISO 2022 IR 110', 'vārds', '1b2d4476e0726473'],
  ['ISO 2022 IR 127', 'قباني^لنزار', '1b2d47e2c8c7e6ea5e1b2d47e4e6d2c7d1'],
  ['ISO 2022 IR 126', 'Διονυσιος', '1b2d46c4e9efedf5f3e9eff2'],
  ['ISO 2022 IR 138', 'שרון^דבורה', '1b2d48f9f8e5ef5e1b2d48e3e1e5f8e4'],
  ['ISO 2022 IR 144', 'Люкceмбypг', '1b2d4cbbeeda6365dcd17970d3'],
  ['ISO 2022 IR 148', 'Çavuşoğlu', '1b2d4dc7617675fe6ff06c75'],
  ['ISO 2022 IR 166', 'นามสกุล', '1b2d54b9d2c1caa1d8c5'],
];

describe('FR-DICOM-03.charset: PS3.5 Annex H, I, J and K character set examples', () => {
  for (const ex of STANDARD) {
    const cs = parseCharacterSet(ex.terms);
    const opts = { personName: ex.personName };
    it(`FR-DICOM-03.charset: ${ex.name} decodes to the exact text`, () => {
      expect(decodeText(ex.bytes, cs, opts)).toBe(ex.text);
      // As stored, padded to even length with a space: the padding stays until the codec trims it.
      expect(decodeText(Uint8Array.from([...ex.bytes, 0x20]), cs, opts)).toBe(`${ex.text} `);
    });
    it(`FR-DICOM-03.charset: ${ex.name} encodes back to the exact bytes`, () => {
      expect(toHex(encodeText(ex.text, cs, opts))).toBe(toHex(ex.bytes));
    });
  }

  it('FR-DICOM-03.charset: PS3.5 I.3 (\\ISO 2022 IR 149, LT) — escape at the head of each line decodes', () => {
    const cs = parseCharacterSet('\\ISO 2022 IR 149');
    const text = 'The first line includes한글.\r\nThe second line includes한글, too.\r\nThe third line';
    const esc = '1b242943';
    const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');
    const standard = hex(
      `${esc}${ascii('The first line includes')}c7d1b1db${ascii('.\r\n')}` +
        `${esc}${ascii('The second line includes')}c7d1b1db${ascii(', too.\r\n')}${ascii('The third line')}`,
    );
    expect(decodeText(standard, cs)).toBe(text);
    // We designate right before the first Hangul of each line (as K.3 does for GB 2312), not at the
    // head of the line as I.3 shows; both are in the initial state at CR LF and read the same.
    const ours = encodeText(text, cs);
    expect(toHex(ours)).toBe(
      `${ascii('The first line includes')}${esc}c7d1b1db${ascii('.\r\n')}` +
        `${ascii('The second line includes')}${esc}c7d1b1db${ascii(', too.\r\n')}${ascii('The third line')}`,
    );
    expect(decodeText(ours, cs)).toBe(text);
  });
});

describe('FR-DICOM-03.charset: pydicom test_charset.py vectors', () => {
  for (const [term, text, raw] of PYDICOM_EXTENSIONS) {
    it(`FR-DICOM-03.charset: ${term} as a code extension (pydicom ENCODED_NAMES) decodes, and ours reads back`, () => {
      const cs = parseCharacterSet(['', term]);
      const bytes = Uint8Array.from([...Buffer.from('ASCII+', 'latin1'), ...hex(raw)]);
      expect(decodeText(bytes, cs, { personName: true })).toBe(`ASCII+${text}`);
      const ours = encodeText(`ASCII+${text}`, cs, { personName: true });
      expect(decodeText(ours, cs, { personName: true })).toBe(`ASCII+${text}`);
    });
  }

  it('FR-DICOM-03.charset: IR 6\\87\\159 person name (pydicom test_japanese_multi_byte_personname) encodes byte-exact', () => {
    // 鷗 is only in JIS X 0212 (ESC $ ( D); 森 and 外 are JIS X 0208 (ESC $ B).
    const cs = parseCharacterSet(['ISO 2022 IR 6', 'ISO 2022 IR 87', 'ISO 2022 IR 159']);
    const text = 'Mori^Ogai=森^鷗外=もり^おうがい';
    const bytes = hex(
      '4d6f72695e4f676169 3d 1b2442 3f39 1b2842 5e 1b242844 6c3f 1b2442 3330 1b2842 3d' +
        ' 1b2442 2462246a 1b2842 5e 1b2442 242a2426242c2424 1b2842',
    );
    expect(toHex(encodeText(text, cs, { personName: true }))).toBe(toHex(bytes));
    expect(decodeText(bytes, cs, { personName: true })).toBe(text);
  });

  it('FR-DICOM-03.charset: IR 13\\87\\159 text (pydicom test_japanese_multi_byte_encoding) decodes; ours omits the redundant ESC ) I', () => {
    const cs = parseCharacterSet('ISO 2022 IR 13\\ISO 2022 IR 87\\ISO 2022 IR 159');
    const text = 'あaｱア齩';
    // pydicom writes ESC ) I before ｱ although katakana is G1 from value 1 (PS3.5 6.1.2.5.4 c);
    // H.3.2 writes katakana with no escape, and so do we.
    const pydicom = Buffer.from('\x1b$B$"\x1b(Ja\x1b)I\xb1\x1b$B%"\x1b$(DmN\x1b(J', 'latin1');
    expect(decodeText(Uint8Array.from(pydicom), cs)).toBe(text);
    const ours = Buffer.from('\x1b$B$"\x1b(Ja\xb1\x1b$B%"\x1b$(DmN\x1b(J', 'latin1');
    expect(toHex(encodeText(text, cs))).toBe(toHex(Uint8Array.from(ours)));
  });

  it('FR-DICOM-03.charset: values in different single-byte extensions (pydicom test_single_byte_multi_charset_personname)', () => {
    const cs = parseCharacterSet('ISO 2022 IR 100\\ISO 2022 IR 144\\ISO 2022 IR 126');
    const bytes = Uint8Array.from(
      Buffer.from(
        'Buc^J\xe9r\xf4me\\\x1b\x2d\x46\xc4\xe9\xef\xed\xf5\xf3\xe9\xef\xf2\\\x1b\x2d\x4c\xbb\xee\xda\x63\x65\xdc\xd1\x79\x70\xd3',
        'latin1',
      ),
    );
    expect(decodeText(bytes, cs, { personName: true }).split('\\')).toEqual([
      'Buc^Jérôme',
      'Διονυσιος',
      'Люкceмбypг',
    ]);
    // Each value starts again in ISO 8859-1 (value 1), so each non-Latin value designates its set.
    expect(toHex(encodeText('Buc^Jérôme\\Διονυσιος\\Люкceмбypг', cs, { personName: true }))).toBe(
      toHex(bytes),
    );
  });
});

describe('FR-DICOM-03.charset: PS3.5 6.1.2.5.3 — the initial designations are in force again', () => {
  // "before the end of line (CR and/or LF), before the end of a page (FF), before any other Control
  // Character other than ESC (e.g., TAB), before the end of a Data Element Value (e.g. before the
  // 05/12 that separates values), before the ^ and = delimiters … in Data Elements with a VR of PN".
  const jp = parseCharacterSet('\\ISO 2022 IR 87');
  const kr = parseCharacterSet('\\ISO 2022 IR 149');
  const ESC_KANJI = '1b2442';
  const ESC_ASCII = '1b2842';
  const YAMA = '3b33';
  const DA = '4544';

  for (const [label, ctl] of [
    ['CR', '0d'],
    ['LF', '0a'],
    ['FF', '0c'],
    ['TAB', '09'],
    ['value delimiter \\', '5c'],
  ] as const) {
    const ch = String.fromCharCode(Number.parseInt(ctl, 16));
    it(`FR-DICOM-03.charset: JIS X 0208 is left (ESC ( B) before ${label} and designated again after it`, () => {
      const bytes = `${ESC_KANJI}${YAMA}${ESC_ASCII}${ctl}${ESC_KANJI}${DA}${ESC_ASCII}`;
      expect(toHex(encodeText(`山${ch}田`, jp))).toBe(bytes);
      expect(decodeText(hex(bytes), jp)).toBe(`山${ch}田`);
    });
    it(`FR-DICOM-03.charset: KS X 1001 is designated again after ${label}`, () => {
      const bytes = `1b242943fbf3${ctl}1b242943fbf3`;
      expect(toHex(encodeText(`洪${ch}洪`, kr))).toBe(bytes);
      expect(decodeText(hex(bytes), kr)).toBe(`洪${ch}洪`);
    });
  }

  it('FR-DICOM-03.charset: ^ and = reset only in PN; in other VRs the designation runs on', () => {
    expect(toHex(encodeText('洪^洪', kr, { personName: true }))).toBe('1b242943fbf35e1b242943fbf3');
    expect(toHex(encodeText('洪^洪', kr))).toBe('1b242943fbf35efbf3');
    expect(toHex(encodeText('洪=洪', kr, { personName: true }))).toBe('1b242943fbf33d1b242943fbf3');
    expect(toHex(encodeText('洪=洪', kr))).toBe('1b242943fbf33dfbf3');
    // A 2-byte G0 set hides ASCII, so ^ inside a kanji run must be written after ESC ( B in any VR.
    expect(toHex(encodeText('山^田', jp))).toBe(
      `${ESC_KANJI}${YAMA}${ESC_ASCII}5e${ESC_KANJI}${DA}${ESC_ASCII}`,
    );
  });

  it('FR-DICOM-03.charset: in LT, ST and UT a backslash is text and does not end the designation', () => {
    // "before the end of a Data Element Value (e.g., before the 05/12 character code that separates
    // multiple textual Data Element Values)": LT/ST/UT have one value, so 05/12 separates nothing.
    const cs = parseCharacterSet('ISO 2022 IR 100\\ISO 2022 IR 126');
    const bytes = hex('1b2d46 e1e2 5c e3'); // ESC - F αβ\γ
    for (const vr of ['LT', 'ST', 'UT']) {
      expect(decodeText(bytes, cs, { vr }), vr).toBe('αβ\\γ');
      expect(toHex(encodeText('αβ\\γ', cs, { vr })), vr).toBe(toHex(bytes));
    }
    // In a multi-valued VR (and without a VR) the second value starts in ISO 8859-1 again.
    expect(decodeText(bytes, cs, { vr: 'LO' })).toBe('αβ\\ã');
    expect(decodeText(bytes, cs)).toBe('αβ\\ã');
    expect(toHex(encodeText('αβ\\γ', cs, { vr: 'LO' }))).toBe('1b2d46e1e25c1b2d46e3');
    // With a VR, PN's ^ and = rules follow it.
    expect(toHex(encodeText('洪^洪', kr, { vr: 'PN' }))).toBe('1b242943fbf35e1b242943fbf3');
    expect(toHex(encodeText('洪^洪', kr, { vr: 'LO', personName: true }))).toBe('1b242943fbf35efbf3');
  });

  it('FR-DICOM-03.charset: decoding a Node Buffer leaves it as it was (Buffer#slice is a view)', () => {
    // Found with Orthanc: decoding a C-FIND answer set the high bit of its JIS X 0208 codes in
    // place, so the answer's bytes looked like EUC-JP afterwards.
    const buf = Buffer.from(STANDARD[0]?.bytes as Uint8Array);
    const before = buf.toString('hex');
    expect(decodeText(buf, jp, { personName: true })).toBe(STANDARD[0]?.text);
    expect(buf.toString('hex')).toBe(before);
  });

  it('FR-DICOM-03.charset: the bytes 5E, 3D and 5C inside a JIS X 0208 run are half of a kanji, not delimiters', () => {
    // ま is 24 5E (H.3.1): read as a pair while JIS X 0208 is in G0, even in PN.
    expect(decodeText(hex('1b2442245e1b2842'), jp, { personName: true })).toBe('ま');
    expect(toHex(encodeText('ま', jp, { personName: true }))).toBe('1b2442245e1b2842');
  });
});
