import { decodeDataset, encodeDataset } from '@hnvue/dicom';
import { worklistItem } from '@hnvue/testing/worklist';
import { describe, expect, it } from 'vitest';
import {
  buildCommitmentReport,
  buildCommitmentRequest,
  buildMppsCreate,
  buildMppsEnd,
  buildWorklistIdentifier,
  MppsProcedureStep,
  MppsStateError,
  parseCommitmentReport,
  parseWorklistItem,
  rangeValue,
} from '../../src/workflow/index.js';

describe('worklist identifier', () => {
  it('FR-DICOM-03.query: carries every IHE SWF return key, zero-length, and the matching keys with values', () => {
    const id = buildWorklistIdentifier({
      patientName: 'KIM*',
      patientId: 'P1',
      accessionNumber: 'A1',
      requestedProcedureId: 'RP1',
      modality: 'DX',
      scheduledStationAeTitle: 'DX1',
      scheduledDate: { from: '20260301', to: '20260302' },
      extraKeys: { PatientAge: null },
      extraStepKeys: { ScheduledSpecimenSequence: [] },
    });
    expect(id).toMatchObject({
      PatientName: 'KIM*',
      PatientID: 'P1',
      AccessionNumber: 'A1',
      RequestedProcedureID: 'RP1',
    });
    for (const key of [
      'PatientBirthDate',
      'PatientSex',
      'PatientWeight',
      'MedicalAlerts',
      'Allergies',
      'PregnancyStatus',
      'AdmissionID',
      'CurrentPatientLocation',
      'ReferringPhysicianName',
      'RequestingPhysician',
      'RequestedProcedureDescription',
      'StudyInstanceUID',
      'RequestedProcedurePriority',
      'PatientAge',
    ]) {
      expect(id[key], key).toBeNull();
    }
    expect(id.ReferencedStudySequence).toEqual([]);
    expect(id.RequestedProcedureCodeSequence).toEqual([]);
    const [step] = id.ScheduledProcedureStepSequence as Record<string, unknown>[];
    expect(step).toMatchObject({
      Modality: 'DX',
      ScheduledStationAETitle: 'DX1',
      ScheduledProcedureStepStartDate: '20260301-20260302',
      ScheduledProcedureStepStartTime: null,
      ScheduledProcedureStepID: null,
      ScheduledProtocolCodeSequence: [],
      ScheduledSpecimenSequence: [],
    });
    expect('SpecificCharacterSet' in id).toBe(false);
    // It encodes: zero-length elements and one SPS item with zero-length elements.
    const decoded = decodeDataset(encodeDataset(id)).dataset;
    expect((decoded.ScheduledProcedureStepSequence as unknown[]).length).toBe(1);
  });

  it('FR-DICOM-03.query: date/time ranges: open ends, Date objects, single values', () => {
    expect(rangeValue({ from: '20260301' }, 'date')).toBe('20260301-');
    expect(rangeValue({ to: '20260301' }, 'date')).toBe('-20260301');
    expect(rangeValue(new Date(2026, 0, 2, 3, 4, 5), 'date')).toBe('20260102');
    expect(rangeValue({ from: new Date(2026, 0, 2, 3, 4, 5) }, 'time')).toBe('030405-');
    expect(rangeValue({}, 'date')).toBeNull();
    expect(rangeValue(undefined, 'time')).toBeNull();
  });

  it('FR-DICOM-03.charset: a non-ASCII name key needs and gets the query character set', () => {
    const id = buildWorklistIdentifier({ patientName: '홍*', specificCharacterSet: 'ISO_IR 192' });
    expect(id.SpecificCharacterSet).toBe('ISO_IR 192');
    // Without one, a non-ASCII key gets ISO_IR 192; an ASCII query declares none.
    const auto = buildWorklistIdentifier({ patientName: '홍*' });
    expect(auto.SpecificCharacterSet).toBe('ISO_IR 192');
    expect(String(decodeDataset(encodeDataset(auto)).dataset.PatientName)).toBe('홍*');
    const korean = buildWorklistIdentifier({
      patientName: '홍*',
      specificCharacterSet: ['', 'ISO 2022 IR 149'],
    });
    expect(Buffer.from(encodeDataset(korean)).includes(Buffer.from('\x1b$)C', 'latin1'))).toBe(true);
    // A hand-made identifier with a non-ASCII key and no character set cannot be encoded.
    expect(() => encodeDataset({ PatientName: '홍*' })).toThrow(/cannot be encoded/);
  });

  it('FR-DICOM-03.query: parses a worklist data set into a typed item', () => {
    const item = parseWorklistItem(worklistItem(10).dataset);
    expect(item).toMatchObject({
      patientName: { alphabetic: 'Hong^Gildong', ideographic: '洪^吉洞', phonetic: '홍^길동' },
      patientId: 'PID00010',
      patientWeight: 70,
      accessionNumber: 'ACC000010',
      scheduledProcedureSteps: [{ modality: 'DX', stepId: 'SPS00010' }],
    });
    expect(item.medicalAlerts).toBeUndefined();
  });
});

describe('MPPS builders and rules', () => {
  const item = parseWorklistItem(worklistItem(3).dataset);
  const startedAt = new Date(2026, 2, 1, 9, 0, 0);

  it('FR-DICOM-05: N-CREATE copies the scheduled step attributes and sets IN PROGRESS', () => {
    const ds = buildMppsCreate({
      worklistItem: item,
      performedProcedureStepId: 'PPS1',
      startedAt,
      performedStationAeTitle: 'DX1',
      modality: 'DX',
      specificCharacterSet: 'ISO_IR 100',
    });
    expect(ds).toMatchObject({
      SpecificCharacterSet: 'ISO_IR 100',
      PerformedProcedureStepStatus: 'IN PROGRESS',
      PerformedProcedureStepStartDate: '20260301',
      PerformedProcedureStepStartTime: '090000',
      PatientName: 'Müller^Jürgen',
      PatientID: 'PID00003',
      ProcedureCodeSequence: [{ CodeValue: 'RPX1' }],
      ScheduledStepAttributesSequence: [
        {
          AccessionNumber: 'ACC000003',
          StudyInstanceUID: '1.2.826.0.1.3680043.10.1234.1.3',
          ScheduledProcedureStepID: 'SPS00003',
          ReferencedStudySequence: [{ ReferencedSOPClassUID: '1.2.840.10008.3.1.2.3.1' }],
        },
      ],
      PerformedSeriesSequence: [],
      PerformedProcedureStepEndDate: null,
    });
    // Latin-1 name encodes in the declared set.
    expect(decodeDataset(encodeDataset(ds)).problems).toEqual([]);
  });

  it('FR-DICOM-05: unscheduled N-CREATE takes patient attributes from the input', () => {
    const ds = buildMppsCreate({
      patient: { name: { alphabetic: 'DOE^JANE' }, id: 'U1' },
      studyInstanceUid: '1.2.3',
      performedProcedureStepId: 'PPS2',
      startedAt,
      performedStationAeTitle: 'DX1',
      modality: 'DX',
    });
    expect(ds).toMatchObject({ PatientName: 'DOE^JANE', PatientID: 'U1' });
    expect(ds.ScheduledStepAttributesSequence).toEqual([
      expect.objectContaining({ StudyInstanceUID: '1.2.3', AccessionNumber: null }),
    ]);
  });

  it('FR-DICOM-05: N-SET COMPLETED needs a performed series; DISCONTINUED carries the reason', () => {
    expect(() => buildMppsEnd({ status: 'COMPLETED', endedAt: startedAt, performedSeries: [] })).toThrow(
      MppsStateError,
    );
    const ds = buildMppsEnd({
      status: 'DISCONTINUED',
      endedAt: startedAt,
      reason: {
        codeValue: '110513',
        codingSchemeDesignator: 'DCM',
        codeMeaning: 'Discontinued for unspecified reason',
      },
      performedSeries: [],
      dose: { areaDoseProduct: 1.5, totalNumberOfExposures: 1, comments: 'ok' },
    });
    expect(ds).toMatchObject({
      PerformedProcedureStepStatus: 'DISCONTINUED',
      PerformedProcedureStepDiscontinuationReasonCodeSequence: [{ CodeValue: '110513' }],
      ImageAndFluoroscopyAreaDoseProduct: 1.5,
      TotalNumberOfExposures: 1,
      CommentsOnRadiationDose: 'ok',
    });
  });

  it('FR-DICOM-05: builders declare ISO_IR 192 for non-ASCII text unless a character set is given', () => {
    const korean = parseWorklistItem(worklistItem(10).dataset);
    const base = { performedProcedureStepId: 'P', startedAt, performedStationAeTitle: 'DX1', modality: 'DX' };
    expect(buildMppsCreate({ ...base, worklistItem: korean }).SpecificCharacterSet).toBe('ISO_IR 192');
    expect(
      buildMppsCreate({ ...base, worklistItem: parseWorklistItem(worklistItem(1).dataset) }),
    ).not.toHaveProperty('SpecificCharacterSet');
    const end = buildMppsEnd({
      status: 'DISCONTINUED',
      endedAt: startedAt,
      performedSeries: [],
      dose: { comments: '재촬영' },
    });
    expect(end.SpecificCharacterSet).toBe('ISO_IR 192');
  });

  it('FR-DICOM-05: a step resumed after a restart keeps its rules', async () => {
    const done = new MppsProcedureStep({ sopInstanceUid: '1.2.3.5', state: 'COMPLETED' });
    await expect(done.set(undefined as never, { PerformedProcedureStepStatus: 'COMPLETED' })).rejects.toThrow(
      /no N-SET after COMPLETED/,
    );
    expect(new MppsProcedureStep({ sopInstanceUid: '1.2.3.6' }).state).toBe('new');
  });

  it('FR-DICOM-05: the step refuses N-SET before N-CREATE and a non-IN PROGRESS N-CREATE, before sending', async () => {
    const step = new MppsProcedureStep({ next: () => '1.2.3.4' });
    expect(step.sopInstanceUid).toBe('1.2.3.4');
    const noAssociation = undefined as never;
    await expect(step.set(noAssociation, { PerformedProcedureStepStatus: 'COMPLETED' })).rejects.toThrow(
      /before the N-CREATE/,
    );
    await expect(step.create(noAssociation, { PerformedProcedureStepStatus: 'COMPLETED' })).rejects.toThrow(
      /IN PROGRESS/,
    );
    expect(step.state).toBe('new');
  });
});

describe('storage commitment builders', () => {
  it('FR-DICOM-07: request and report data sets round-trip through the codec', () => {
    const refs = [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.1', sopInstanceUid: '1.2.3.1' }];
    const request = decodeDataset(encodeDataset(buildCommitmentRequest('9.9', refs))).dataset;
    expect(request).toMatchObject({
      TransactionUID: '9.9',
      ReferencedSOPSequence: [
        { ReferencedSOPClassUID: refs[0]?.sopClassUid, ReferencedSOPInstanceUID: '1.2.3.1' },
      ],
    });
    const failed = [
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.1', sopInstanceUid: '1.2.3.2', failureReason: 0x0112 },
    ];
    const report = buildCommitmentReport('9.9', refs, failed, 'PACS');
    expect(report.eventTypeId).toBe(2);
    const parsed = parseCommitmentReport(
      report.eventTypeId,
      decodeDataset(encodeDataset(report.dataset)).dataset,
    );
    expect(parsed).toEqual({
      transactionUid: '9.9',
      eventTypeId: 2,
      committed: refs,
      failed,
      retrieveAeTitle: 'PACS',
    });
    expect(buildCommitmentReport('9.9', refs, []).eventTypeId).toBe(1);
  });
});
