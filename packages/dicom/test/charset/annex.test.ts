/**
 * PS3.5 Annex H, I, J and K: the standard's person name examples, as hex (bytes as printed in the
 * standard's tables). Each decodes to the exact text and encodes back to the exact bytes.
 * Padding (a trailing 20H making the value even) is not part of encodeText's output.
 */
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText, parseCharacterSet } from '../../src/charset/index.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

const EXAMPLES: { name: string; terms: string; text: string; bytes: string }[] = [
  {
    // PS3.5 H.3.1 Example 1: Japanese person name, \ISO 2022 IR 87 (JIS X 0208 in G0, ESC $ B).
    name: 'Annex H.3.1 (IR 87)',
    terms: '\\ISO 2022 IR 87',
    text: 'Yamada^Tarou=山田^太郎=やまだ^たろう',
    bytes:
      '59616d616461 5e 5461726f75 3d 1b2442 3b334544 1b2842 5e 1b2442 42404f3a 1b2842 3d' +
      ' 1b2442 2464245e2440 1b2842 5e 1b2442 243f246d2426 1b2842',
  },
  {
    // PS3.5 H.3.2 Example 2: ISO 2022 IR 13\ISO 2022 IR 87 — katakana in G1 (ESC ) I, active from
    // value 1), romaji in G0 (ESC ( J) is the initial G0 returned to after each kanji run.
    name: 'Annex H.3.2 (IR 13 + IR 87)',
    terms: 'ISO 2022 IR 13\\ISO 2022 IR 87',
    text: 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
    bytes:
      'd4cfc0de 5e c0dbb3 3d 1b2442 3b334544 1b284a 5e 1b2442 42404f3a 1b284a 3d' +
      ' 1b2442 2464245e2440 1b284a 5e 1b2442 243f246d2426 1b284a',
  },
  {
    // PS3.5 I.2: Korean person name, \ISO 2022 IR 149 (KS X 1001 in G1, ESC $ ) C after each reset).
    name: 'Annex I.2 (IR 149)',
    terms: '\\ISO 2022 IR 149',
    text: 'Hong^Gildong=洪^吉洞=홍^길동',
    bytes:
      '486f6e67 5e 47696c646f6e67 3d 1b242943 fbf3 5e 1b242943 d1ced4d7 3d' +
      ' 1b242943 c8ab 5e 1b242943 b1e6b5bf',
  },
  {
    // PS3.5 J.1: UTF-8 (ISO_IR 192) person name.
    name: 'Annex J.1 (ISO_IR 192)',
    terms: 'ISO_IR 192',
    text: 'Wang^XiaoDong=王^小東=',
    bytes: '57616e67 5e 5869616f446f6e67 3d e78e8b 5e e5b08fe69db1 3d',
  },
  {
    // PS3.5 J.2: GB18030 person name.
    name: 'Annex J.2 (GB18030)',
    terms: 'GB18030',
    text: 'Wang^XiaoDong=王^小东=',
    bytes: '57616e67 5e 5869616f446f6e67 3d cdf5 5e d0a1b6ab 3d',
  },
  {
    // PS3.5 K.2: GB 2312 person name, \ISO 2022 IR 58 (ESC $ ) A to G1).
    name: 'Annex K.2 (IR 58)',
    terms: '\\ISO 2022 IR 58',
    text: 'Zhang^XiaoDong=张^小东=',
    bytes: '5a68616e67 5e 5869616f446f6e67 3d 1b242941 d5c5 5e 1b242941 d0a1b6ab 3d',
  },
];

describe('FR-DICOM-03: PS3.5 character set examples', () => {
  for (const ex of EXAMPLES) {
    const cs = parseCharacterSet(ex.terms);
    it(`FR-DICOM-03: ${ex.name} decodes to the exact text`, () => {
      expect(decodeText(hex(ex.bytes), cs, { personName: true })).toBe(ex.text);
      // As stored, padded to even length with a space: the padding stays until the codec trims it.
      const padded = Uint8Array.from([...hex(ex.bytes), 0x20]);
      expect(decodeText(padded, cs, { personName: true })).toBe(`${ex.text} `);
    });
    it(`FR-DICOM-03: ${ex.name} encodes back to the exact bytes`, () => {
      expect(Buffer.from(encodeText(ex.text, cs, { personName: true })).toString('hex')).toBe(
        Buffer.from(hex(ex.bytes)).toString('hex'),
      );
    });
  }

  it('FR-DICOM-03: PS3.5 6.1.2.5.3 — a multi-line LT returns to the initial set before CR LF', () => {
    // The reset rule on its own: JIS X 0208 must be left (ESC ( B) before CR, and KS X 1001 is
    // designated again on the next line because the designation ended at CR LF.
    const jp = parseCharacterSet('\\ISO 2022 IR 87');
    expect(Buffer.from(encodeText('山\r\n田', jp)).toString('hex')).toBe(
      '1b24423b331b28420d0a1b244245441b2842',
    );
    const kr = parseCharacterSet('\\ISO 2022 IR 149');
    expect(Buffer.from(encodeText('洪\r\n洪', kr)).toString('hex')).toBe('1b242943fbf30d0a1b242943fbf3');
    expect(decodeText(hex('1b242943fbf30d0a1b242943fbf3'), kr)).toBe('洪\r\n洪');
  });
});
