import { describe, expect, it } from 'vitest';
import { encodeIso2022Ir149, IodCharsetError } from '../src/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('ISO 2022 IR 149 encoder', () => {
  it('FR-DICOM-08: encodes the PS3.5 Annex I example byte for byte', () => {
    // Hong^Gildong=ESC$)C 洪^ESC$)C 吉洞=ESC$)C 홍^ESC$)C 길동
    expect(hex(encodeIso2022Ir149('Hong^Gildong=洪^吉洞=홍^길동'))).toBe(
      '486f6e675e47696c646f6e673d1b242943fbf35e1b242943d1ced4d73d1b242943c8ab5e1b242943b1e6b5bf',
    );
  });

  it('FR-DICOM-08: leaves ASCII in G0 untouched and designates G1 once per run', () => {
    expect(hex(encodeIso2022Ir149('CHEST PA'))).toBe(Buffer.from('CHEST PA').toString('hex'));
    // One designation for a run of Hangul with ASCII spaces between (no delimiter in between).
    expect(hex(encodeIso2022Ir149('좌측 폐'))).toBe('1b242943c1c2c3f820c6f3');
  });

  it('FR-DICOM-08: repeats the designation after value delimiters and line ends', () => {
    expect(hex(encodeIso2022Ir149('홍\\홍'))).toBe('1b242943c8ab5c1b242943c8ab');
    expect(hex(encodeIso2022Ir149('홍\r\n홍'))).toBe('1b242943c8ab0d0a1b242943c8ab');
  });

  it('FR-DICOM-08: rejects characters outside KS X 1001 with HNV_ERR_IOD_CHARSET', () => {
    expect(() => encodeIso2022Ir149('Ünïcode')).toThrow(IodCharsetError);
    try {
      encodeIso2022Ir149('😀');
    } catch (err) {
      expect((err as IodCharsetError).code).toBe('HNV_ERR_IOD_CHARSET');
    }
  });

  it('NFR-SEC-01: the error for an unencodable character gives its position, never the character', () => {
    const name = '홍^길😀동';
    const error = (() => {
      try {
        encodeIso2022Ir149(name);
      } catch (err) {
        return err as IodCharsetError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(IodCharsetError);
    expect(error?.details).toEqual({ index: 3, length: name.length });
    const text = `${error?.message} ${JSON.stringify(error?.details)} ${error?.hint ?? ''}`;
    expect(text).not.toContain('😀');
    expect(text).not.toMatch(/U\+1F600/i);
    expect(text).not.toContain('홍');
  });

  it('FR-DICOM-08: round-trips every KS X 1001 Hangul syllable through the platform EUC-KR decoder', () => {
    const decoder = new TextDecoder('euc-kr');
    let checked = 0;
    for (let b1 = 0xb0; b1 <= 0xc8; b1++) {
      for (let b2 = 0xa1; b2 <= 0xfe; b2++) {
        const ch = decoder.decode(Uint8Array.of(b1, b2));
        const bytes = encodeIso2022Ir149(ch);
        expect(hex(bytes.subarray(4))).toBe(hex(Uint8Array.of(b1, b2)));
        checked++;
      }
    }
    expect(checked).toBe(25 * 94);
  });
});
