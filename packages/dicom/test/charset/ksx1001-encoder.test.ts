/**
 * What @hnvue/iod's own ISO 2022 IR 149 encoder (packages/iod/src/charset.ts, removed) was tested
 * for and the Annex tests beside this file do not say: one designation per Hangul run across
 * ASCII spaces, the whole KS X 1001 Hangul block, and a PHI-free error for a character outside it.
 * The iod builders write Korean text through this encoder now.
 */
import { describe, expect, it } from 'vitest';
import { CharsetError, encodeText, parseCharacterSet } from '../../src/charset/index.js';

const KOREAN = parseCharacterSet(['', 'ISO 2022 IR 149']);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('ISO 2022 IR 149 encoding (FR-DICOM-08 objects, FR-DICOM-03 charsets)', () => {
  it('FR-DICOM-08: designates KS X 1001 once for a Hangul run with ASCII spaces inside it', () => {
    expect(hex(encodeText('CHEST PA', KOREAN))).toBe(Buffer.from('CHEST PA').toString('hex'));
    // 좌측 폐 (left lung): ESC $ ) C once, the space stays in G0 without leaving G1.
    expect(hex(encodeText('좌측 폐', KOREAN))).toBe('1b242943c1c2c3f820c6f3');
  });

  it('FR-DICOM-08: encodes every KS X 1001 Hangul syllable (rows B0–C8) as the platform EUC-KR decoder reads it', () => {
    const decoder = new TextDecoder('euc-kr');
    let checked = 0;
    for (let b1 = 0xb0; b1 <= 0xc8; b1++) {
      for (let b2 = 0xa1; b2 <= 0xfe; b2++) {
        const ch = decoder.decode(Uint8Array.of(b1, b2));
        expect(hex(encodeText(ch, KOREAN))).toBe(`1b242943${hex(Uint8Array.of(b1, b2))}`);
        checked++;
      }
    }
    expect(checked).toBe(25 * 94);
  });

  it('NFR-SEC-01: a character outside KS X 1001 is a typed error with its index, never the character', () => {
    const name = '홍^길😀동';
    let error: CharsetError | undefined;
    try {
      encodeText(name, KOREAN, { personName: true });
    } catch (err) {
      error = err as CharsetError;
    }
    expect(error).toBeInstanceOf(CharsetError);
    expect(error).toMatchObject({ code: 'HNV_ERR_CHARSET', reason: 'unencodable' });
    expect(error?.details).toMatchObject({ index: 3 });
    const text = `${error?.message} ${JSON.stringify(error?.details)} ${error?.hint ?? ''}`;
    expect(text).not.toContain('😀');
    expect(text).not.toMatch(/U\+1F600/i);
    expect(text).not.toContain('홍');
    expect(() => encodeText('Ünïcode', KOREAN)).toThrow(CharsetError);
  });
});
