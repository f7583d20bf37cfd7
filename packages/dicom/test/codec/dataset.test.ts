import { describe, expect, it } from 'vitest';
import { parseCharacterSet } from '../../src/charset/index.js';
import {
  DatasetError,
  decodeDataset,
  decodeDatasetStream,
  dictionaryVr,
  EXPLICIT_VR_LE,
  encodeDataset,
  IMPLICIT_VR_LE,
} from '../../src/codec/index.js';

const sample = {
  SpecificCharacterSet: ['', 'ISO 2022 IR 149'],
  AccessionNumber: null,
  PatientName: 'Hong^Gildong=洪^吉洞=홍^길동',
  PatientID: 'P1',
  OtherPatientIDs: ['A', 'B'],
  Rows: 512,
  PixelSpacing: [0.1, 0.2],
  StudyInstanceUID: '1.2.3',
  ScheduledProcedureStepSequence: [{ Modality: 'DX', ScheduledProcedureStepDescription: '흉부' }],
  ReferencedStudySequence: [],
  ImageComments: '  leading spaces kept',
};

describe('data set codec', () => {
  for (const ts of [IMPLICIT_VR_LE, EXPLICIT_VR_LE]) {
    it(`FR-DICOM-03.charset: round-trips a naturalized data set with Korean text (${ts})`, () => {
      const bytes = encodeDataset(sample, { transferSyntax: ts });
      expect(bytes.length % 2).toBe(0);
      const { dataset, problems, characterSet } = decodeDataset(bytes, { transferSyntax: ts });
      expect(problems).toEqual([]);
      expect(characterSet).toEqual(parseCharacterSet(['', 'ISO 2022 IR 149']));
      expect(dataset).toMatchObject({
        PatientID: 'P1',
        OtherPatientIDs: ['A', 'B'],
        Rows: 512,
        PixelSpacing: [0.1, 0.2],
        StudyInstanceUID: '1.2.3',
        ReferencedStudySequence: [],
        ImageComments: '  leading spaces kept',
        ScheduledProcedureStepSequence: [{ Modality: 'DX', ScheduledProcedureStepDescription: '흉부' }],
      });
      expect(String(dataset.PatientName)).toBe('Hong^Gildong=洪^吉洞=홍^길동');
      expect('AccessionNumber' in dataset).toBe(true);
    });
  }

  it('FR-DICOM-03.dataset: writes zero-length return keys, even-length values, UI padded with NUL', () => {
    const bytes = encodeDataset(
      { PatientID: null, StudyInstanceUID: '1.2.3' },
      { transferSyntax: EXPLICIT_VR_LE },
    );
    // (0010,0020) LO length 0; (0020,000D) UI "1.2.3\0"
    expect(Buffer.from(bytes).toString('hex')).toBe(
      `10002000${Buffer.from('LO').toString('hex')}0000` +
        `20000d00${Buffer.from('UI').toString('hex')}0600${Buffer.from('1.2.3\0').toString('hex')}`,
    );
  });

  it('FR-DICOM-03.dataset: reads undefined-length sequences and items (as DCMTK sends them)', () => {
    const item = Buffer.concat([
      Buffer.from('feff00e0ffffffff', 'hex'),
      Buffer.from('08006000020000004458', 'hex'), // (0008,0060) implicit, "DX"
      Buffer.from('feff0de000000000', 'hex'),
    ]);
    const bytes = Buffer.concat([
      Buffer.from('40000001ffffffff', 'hex'),
      item,
      Buffer.from('feffdde000000000', 'hex'),
      Buffer.from('4000020008000000', 'hex'),
      Buffer.from('3230323630333031', 'hex'),
    ]);
    const { dataset } = decodeDataset(Uint8Array.from(bytes));
    expect(dataset).toMatchObject({
      ScheduledProcedureStepSequence: [{ Modality: 'DX' }],
      ScheduledProcedureStepStartDate: '20260301',
    });
  });

  it('FR-DICOM-03.dataset: a sequence item may declare its own Specific Character Set', () => {
    const bytes = encodeDataset({
      SpecificCharacterSet: 'ISO_IR 100',
      PatientName: 'Müller',
      ScheduledProcedureStepSequence: [
        { SpecificCharacterSet: 'ISO_IR 192', ScheduledProcedureStepDescription: '흉부' },
      ],
    });
    const { dataset } = decodeDataset(bytes);
    expect(String(dataset.PatientName)).toBe('Müller');
    expect(
      (dataset.ScheduledProcedureStepSequence as Record<string, unknown>[])[0]
        ?.ScheduledProcedureStepDescription,
    ).toBe('흉부');
  });

  it('FR-DICOM-03.charset: undecodable text throws by default, or is flagged with its path', () => {
    const bytes = encodeDataset({
      SpecificCharacterSet: 'ISO_IR 100',
      PatientName: 'Müller',
      PatientID: 'X',
    });
    const asUtf8 = Buffer.from(bytes);
    asUtf8.write('ISO_IR 192', asUtf8.indexOf('ISO_IR 100'), 'latin1');
    expect(() => decodeDataset(Uint8Array.from(asUtf8))).toThrow(/UTF-8/);
    const flagged = decodeDataset(Uint8Array.from(asUtf8), { charsetErrors: 'flag' });
    expect(flagged.problems.map((p) => p.path)).toEqual(['00100010']);
    expect(String(flagged.dataset.PatientName)).toBe('M\u00fcller');
    expect(flagged.dataset.PatientID).toBe('X');
  });

  it('FR-DICOM-03.dataset: malformed bytes raise DatasetError, never a crash or a hang', () => {
    const good = encodeDataset(sample, { transferSyntax: EXPLICIT_VR_LE });
    for (let cut = 1; cut < good.length; cut += 7) {
      try {
        decodeDataset(good.subarray(0, cut), { transferSyntax: EXPLICIT_VR_LE });
      } catch (err) {
        expect((err as { code?: string }).code).toMatch(/HNV_ERR_(DATASET|CHARSET)/);
      }
    }
    expect(() =>
      decodeDataset(Uint8Array.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0xff, 0x00]), {
        transferSyntax: EXPLICIT_VR_LE,
      }),
    ).toThrow(DatasetError);
    expect(() => encodeDataset({}, { transferSyntax: '1.2.840.10008.1.2.4.50' })).toThrow(/not supported/);
  });

  it('FR-DICOM-03.dataset: decodes a data set delivered in chunks, copying them', async () => {
    const bytes = encodeDataset(sample, { transferSyntax: EXPLICIT_VR_LE });
    const chunks = [bytes.subarray(0, 13), bytes.subarray(13, 100), bytes.subarray(100)];
    const { dataset } = await decodeDatasetStream(chunks, { transferSyntax: EXPLICIT_VR_LE });
    bytes.fill(0);
    expect(dataset.PatientID).toBe('P1');
  });

  it('FR-DICOM-03.dataset: dictionary VRs for Implicit VR (ambiguous ones resolved, private creators LO)', () => {
    expect(dictionaryVr(0x00100010)).toBe('PN');
    expect(dictionaryVr(0x7fe00010)).toBe('OW');
    expect(dictionaryVr(0x00280106)).toBe('US');
    expect(dictionaryVr(0x00090010)).toBe('LO');
    expect(dictionaryVr(0x00080000)).toBe('UL');
    expect(dictionaryVr(0x00091001)).toBeUndefined();
  });
});
