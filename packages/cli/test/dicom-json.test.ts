/** `--json` output is DICOM JSON as PS3.18 F.2 writes it: numbers as JSON numbers, PN as objects. */
import { describe, expect, it } from 'vitest';
import { toDicomJson } from '../src/dicom-json.js';

describe('DICOM JSON', () => {
  it('FR-DICOM-03.dataset: US, IS and DS values are JSON numbers (PS3.18 Table F.2.3-1), in sequences too', () => {
    const json = toDicomJson({
      Rows: '0',
      Columns: 5,
      NumberOfFrames: '3',
      PixelSpacing: ['0.1', '0.2'],
      ScheduledProcedureStepSequence: [{ Modality: 'DX', PatientWeight: '70.5' }],
    });
    expect(json['00280010']).toEqual({ vr: 'US', Value: [0] });
    expect(json['00280011']).toEqual({ vr: 'US', Value: [5] });
    expect(json['00280008']).toEqual({ vr: 'IS', Value: [3] });
    expect(json['00280030']).toEqual({ vr: 'DS', Value: [0.1, 0.2] });
    expect(json['00400100']).toEqual({
      vr: 'SQ',
      Value: [{ '00080060': { vr: 'CS', Value: ['DX'] }, '00101030': { vr: 'DS', Value: [70.5] } }],
    });
  });

  it('FR-DICOM-03.dataset: person names are objects with their component groups; strings stay strings', () => {
    const json = toDicomJson({ PatientName: 'Doe^John', PatientID: '007', AccessionNumber: '0123' });
    expect(json['00100010']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'Doe^John' }] });
    expect(json['00100020']).toEqual({ vr: 'LO', Value: ['007'] });
    expect(json['00080050']).toEqual({ vr: 'SH', Value: ['0123'] });
  });
});
