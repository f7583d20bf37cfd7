import { describe, expect, it } from 'vitest';
import { matchesIdentifier, projectItem, seedWorklist } from '../src/index.js';

const items = seedWorklist({ date: new Date(2026, 10, 27) });
const ids = (identifier: Record<string, unknown>) =>
  items.filter((i) => matchesIdentifier(identifier, i)).map((i) => i.PatientID);

describe('worklist matching (PS3.4 C.2.2.2)', () => {
  it('FR-DICOM-03.query: empty keys match everything (universal matching)', () => {
    expect(
      ids({ PatientName: '', PatientID: '', ScheduledProcedureStepSequence: [{ Modality: '' }] }),
    ).toHaveLength(5);
  });

  it('FR-DICOM-03.query: wildcard on the alphabetic person name, ignoring case', () => {
    expect(ids({ PatientName: 'kim*' })).toEqual(['SIM-0002']);
    expect(ids({ PatientName: '?oe^*' })).toEqual(['SIM-0005']);
  });

  it('FR-DICOM-03.query: date ranges and sequence matching on the scheduled step', () => {
    const step = (v: Record<string, unknown>) => ({ ScheduledProcedureStepSequence: [v] });
    expect(ids(step({ ScheduledProcedureStepStartDate: '20261127-' }))).toHaveLength(5);
    expect(ids(step({ ScheduledProcedureStepStartDate: '-20261126' }))).toHaveLength(0);
    expect(ids(step({ ScheduledProcedureStepStartTime: '093000-100000', Modality: 'DX' }))).toEqual([
      'SIM-0002',
    ]);
  });

  it('FR-DICOM-03.charset: returns exactly the requested keys, unknown ones empty, with the character set', () => {
    const projected = projectItem(
      { PatientID: '', OtherPatientIDs: '', ScheduledProcedureStepSequence: [{ Modality: '' }] },
      items[0]!,
    );
    expect(projected).toEqual({
      PatientID: 'SIM-0001',
      OtherPatientIDs: '',
      ScheduledProcedureStepSequence: [{ Modality: 'DX' }],
      SpecificCharacterSet: ['', 'ISO 2022 IR 149'],
    });
  });
});
