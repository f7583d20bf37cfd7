import { describe, expect, it } from 'vitest';
import {
  CharsetError,
  DEFAULT_CHARACTER_SET,
  decodeText,
  encodeText,
  parseCharacterSet,
  resolveCharacterSet,
} from '../../src/charset/index.js';

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const KOREAN = parseCharacterSet(['', 'ISO 2022 IR 149']);
// PS3.5 Annex K (K.2, Korean person name), the bytes pydicom and DCMTK test against.
const ANNEX_K = bytes(
  'Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7=\x1b$)C\xc8\xab^\x1b$)C\xb1\xe6\xb5\xbf',
);

describe('Specific Character Set', () => {
  it('FR-DICOM-03.charset: parses the supported terms and rejects others with a typed error', () => {
    expect(parseCharacterSet(undefined)).toBe(DEFAULT_CHARACTER_SET);
    expect(parseCharacterSet('').kind).toBe('ascii');
    expect(parseCharacterSet('ISO_IR 192').kind).toBe('utf8');
    expect(parseCharacterSet('ISO_IR 100').kind).toBe('latin1');
    expect(parseCharacterSet('\\ISO 2022 IR 149')).toEqual(KOREAN);
    expect(KOREAN).toMatchObject({ kind: 'iso2022', initialG1: undefined, g1Sets: ['ksx1001'] });
    expect(() => parseCharacterSet('ISO_IR 999')).toThrow(CharsetError);
    expect(() => parseCharacterSet(['ISO_IR 192', 'ISO 2022 IR 149'])).toThrow(/cannot be combined/);
    try {
      parseCharacterSet('GB18030');
    } catch (err) {
      expect(err).toMatchObject({ code: 'HNV_ERR_CHARSET', reason: 'unsupported' });
    }
  });

  it('FR-DICOM-03.charset: a data set without Specific Character Set uses the configured fallback', () => {
    expect(resolveCharacterSet(undefined, KOREAN)).toBe(KOREAN);
    expect(resolveCharacterSet([''], KOREAN)).toBe(KOREAN);
    expect(resolveCharacterSet('ISO_IR 192', KOREAN).kind).toBe('utf8');
  });

  it('FR-DICOM-03.charset: decodes the PS3.5 Annex K Korean person name (ESC $ ) C per component group)', () => {
    expect(decodeText(ANNEX_K, KOREAN, { personName: true })).toBe('Hong^Gildong=洪^吉洞=홍^길동');
  });

  it('FR-DICOM-03.charset: encodes the Annex K name back to the same bytes (escape re-sent after ^ and =)', () => {
    expect(encodeText('Hong^Gildong=洪^吉洞=홍^길동', KOREAN, { personName: true })).toEqual(ANNEX_K);
  });

  it('FR-DICOM-03.charset: Korean mixed with ASCII in one component, and multi-line text, round-trip', () => {
    for (const text of ['김^철수 KIM=金^哲洙', '흉부 PA 촬영\r\n2차 촬영', 'ABC']) {
      const personName = text.includes('^');
      const encoded = encodeText(text, KOREAN, { personName });
      expect(decodeText(encoded, KOREAN, { personName })).toBe(text);
    }
    // ASCII-only text carries no escape sequence.
    expect(encodeText('ABC', KOREAN)).toEqual(bytes('ABC'));
  });

  it('FR-DICOM-03.charset: with ISO 2022 IR 149 as value 1, KS X 1001 is designated from the start', () => {
    const cs = parseCharacterSet('ISO 2022 IR 149');
    const encoded = encodeText('홍길동', cs);
    expect(encoded).toEqual(bytes('\xc8\xab\xb1\xe6\xb5\xbf'));
    expect(decodeText(encoded, cs)).toBe('홍길동');
  });

  it('FR-DICOM-03.charset: tolerates Korean bytes without ESC $ ) C when IR 149 is declared', () => {
    expect(decodeText(bytes('\xc8\xab^\xb1\xe6\xb5\xbf'), KOREAN, { personName: true })).toBe('홍^길동');
  });

  it('FR-DICOM-03.charset: UTF-8 and Latin-1 round-trip', () => {
    const utf8 = parseCharacterSet('ISO_IR 192');
    for (const text of ['Wang^XiaoDong=王^小東=', '홍^길동', 'Müller']) {
      expect(decodeText(encodeText(text, utf8), utf8)).toBe(text);
    }
    const latin1 = parseCharacterSet('ISO_IR 100');
    expect(encodeText('Müller^Jürgen', latin1)).toEqual(bytes('M\xfcller^J\xfcrgen'));
    expect(decodeText(bytes('M\xfcller^J\xfcrgen'), latin1)).toBe('Müller^Jürgen');
    const latin2022 = parseCharacterSet(['', 'ISO 2022 IR 100']);
    expect(encodeText('Müller', latin2022)).toEqual(bytes('M\x1b-A\xfcller'));
    expect(decodeText(bytes('M\x1b-A\xfcller'), latin2022)).toBe('Müller');
  });

  it('FR-DICOM-03.charset: undecodable bytes raise a typed error that names the offset, never the text', () => {
    const cases: [Uint8Array, ReturnType<typeof parseCharacterSet>][] = [
      [bytes('M\xfcller'), parseCharacterSet('ISO_IR 192')],
      [bytes('M\xfcller'), DEFAULT_CHARACTER_SET],
      [bytes('Hong=\x1b$)C\xc8'), KOREAN],
      [bytes('Hong=\x1b$)C\xc8\x41'), KOREAN],
      [bytes('A\x1b$)CB'), parseCharacterSet('ISO_IR 100')],
    ];
    for (const [input, cs] of cases) {
      let error: unknown;
      try {
        decodeText(input, cs, { personName: true });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CharsetError);
      expect((error as CharsetError).reason).toBe('undecodable');
      expect((error as CharsetError).message).not.toMatch(/ller|Hong/);
    }
    expect(() => decodeText(bytes('A\x1b$BB'), KOREAN)).toThrow(/unsupported escape/);
  });

  it('FR-DICOM-03.charset: characters outside the declared set are unencodable, not silently replaced', () => {
    expect(() => encodeText('홍', DEFAULT_CHARACTER_SET)).toThrow(CharsetError);
    expect(() => encodeText('홍', parseCharacterSet('ISO_IR 100'))).toThrow(/cannot be encoded/);
    expect(() => encodeText('王😀', KOREAN)).toThrow(CharsetError);
  });

  it('FR-DICOM-03.charset: drops ISO 2022 escapes a peer left inside UTF-8 text (Orthanc 1.10.1)', () => {
    const utf8 = parseCharacterSet('ISO_IR 192');
    expect(decodeText(Uint8Array.from(Buffer.from('\x1b$)C홍^\x1b$)C길동')), utf8)).toBe('홍^길동');
    // Orthanc 1.10.1, DefaultEncoding Chinese, a \ISO 2022 IR 58 item: GB 2312 bytes kept with
    // their escape under GB18030 (GB 2312's EUC codes are GB18030 codes).
    const gb = parseCharacterSet('GB18030');
    expect(decodeText(Uint8Array.from(Buffer.from('1b242941d5c55e1b242941d0a1b6ab', 'hex')), gb)).toBe(
      '张^小东',
    );
  });

  it('FR-DICOM-03.charset: an escape whose text a peer did not convert is undecodable in UTF-8/GB18030, never mojibake', () => {
    const utf8 = parseCharacterSet('ISO_IR 192');
    const gb = parseCharacterSet('GB18030');
    // Orthanc 1.10.1 (DefaultEncoding Utf8): ISO 2022 IR 13\ISO 2022 IR 87 kanji left as 7-bit
    // JIS X 0208 behind ESC $ B; ISO 2022 IR 100\ISO 2022 IR 144 Cyrillic read as Latin-1 behind ESC - L.
    const jis = Uint8Array.from(Buffer.from('\x1b$B;3ED\x1b(J^\x1b$BB@O:\x1b(J', 'latin1'));
    const cyr = Uint8Array.from(Buffer.from('4dc3bc6c6c65725e1b2d4cc2b8c392c390c39d', 'hex'));
    for (const [b, cs] of [
      [jis, utf8],
      [cyr, utf8],
      [cyr, gb],
      [Uint8Array.from([0x41, 0x1b]), utf8],
    ] as const) {
      let error: unknown;
      try {
        decodeText(b, cs);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CharsetError);
      expect((error as CharsetError).reason).toBe('undecodable');
      expect((error as CharsetError).message).not.toMatch(/ller|3ED/);
    }
    expect(
      (() => {
        try {
          decodeText(cyr, utf8);
        } catch (e) {
          return (e as CharsetError).details;
        }
      })(),
    ).toMatchObject({ offset: 8 });
    // The caller who opted into lossy text gets U+FFFD where the escape was.
    const lossy = parseCharacterSet('ISO_IR 192', { onUnsupported: 'replace' });
    expect(decodeText(jis, lossy)).toBe('\ufffd;3ED^\ufffdB@O:');
  });
});
