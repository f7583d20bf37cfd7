import { afterAll, describe, expect, it } from 'vitest';
import {
  buildRdsr,
  IodInputError,
  IodInvalidError,
  RDSR_CODES,
  type RdsrInput,
  readPart10,
  toPart10Buffer,
  validateIod,
} from '../src/index.js';
import { fullRdsr, minimalRdsr, WORKLIST } from './fixtures.js';
import {
  cleanupTemp,
  dciodvfy,
  dcmtk,
  mutate,
  plain,
  pydicomValues,
  testUids,
  unjustifiedWarnings,
} from './helpers.js';

afterAll(cleanupTemp);

type D = Record<string, unknown>;

const concept = (it: D): string => String(((it.ConceptNameCodeSequence as D[])[0] as D).CodeValue);
const child = (it: D, code: string): D[] =>
  ((it.ContentSequence as D[] | undefined) ?? []).filter((c) => concept(c) === code);
const numeric = (it: D): [number, string] => {
  const mv = (it.MeasuredValueSequence as D[])[0] as D;
  return [Number(mv.NumericValue), String(((mv.MeasurementUnitsCodeSequence as D[])[0] as D).CodeValue)];
};

interface Case {
  readonly name: string;
  readonly input: RdsrInput;
  readonly characterSet?: 'ISO 2022 IR 149' | 'ISO_IR 192';
}

function matrix(): Case[] {
  const many = fullRdsr({
    events: Array.from({ length: 6 }, (_, i) => ({
      start: new Date(2026, 10, 27, 9, i),
      dapDgyCm2: 0.1 * (i + 1),
      kvp: 70 + i,
    })),
  });
  const korean = fullRdsr({
    worklistItem: {
      ...WORKLIST,
      patientName: { alphabetic: 'Hong^Gildong', ideographic: '洪^吉洞' },
    },
    observer: { uid: '1.2.826.0.1.3680043.10.1437.5.1', location: '촬영실 1' },
  });
  return [
    { name: 'minimal', input: minimalRdsr() },
    { name: 'full', input: fullRdsr() },
    { name: 'six exposures, no RP dose', input: many },
    {
      name: 'unscheduled (no worklist item)',
      input: fullRdsr({ worklistItem: undefined, patient: { name: 'Doe^J', id: 'X1' } }),
    },
    {
      name: 'with a performed procedure step',
      input: fullRdsr({
        series: { performedProcedureStep: { sopInstanceUid: '1.2.826.0.1.3680043.10.1437.8.1' } },
      }),
    },
    { name: 'Korean ISO 2022 IR 149', input: korean, characterSet: 'ISO 2022 IR 149' },
    { name: 'Korean UTF-8', input: korean, characterSet: 'ISO_IR 192' },
  ];
}

describe('X-Ray Radiation Dose SR builder', () => {
  it.each(matrix())('FR-DICOM-09: $name passes dciodvfy with zero errors and DCMTK reads it', (c) => {
    const built = buildRdsr(c.input, {
      uid: testUids(),
      ...(c.characterSet ? { characterSet: c.characterSet } : {}),
    });
    expect(built.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const bytes = toPart10Buffer(built.dataset);
    const report = dciodvfy(bytes);
    expect(report.iod).toBe('XRayRadiationDoseSR');
    expect(report.errors).toEqual([]);
    expect(unjustifiedWarnings(report)).toEqual([]);
    expect(dcmtk('dcmdump', bytes).status).toBe(0);
    const sr = dcmtk('dsrdump', bytes);
    expect(sr.status).toBe(0);
    expect(sr.out).toContain('X-Ray Radiation Dose Report');
  });

  it('FR-DICOM-09: builds the TID 10001 tree with one TID 10003 event per exposure, UCUM units and totals', () => {
    const input = fullRdsr();
    const built = buildRdsr(input, { uid: testUids() });
    const ds = plain(readPart10(toPart10Buffer(built.dataset))) as D;
    expect(concept(ds)).toBe(RDSR_CODES.report.value);
    expect(ds.ContentTemplateSequence).toEqual([{ MappingResource: 'DCMR', TemplateIdentifier: '10001' }]);
    const procedure = child(ds, '121058')[0] as D;
    expect(((procedure.ConceptCodeSequence as D[])[0] as D).CodeValue).toBe('113704');
    const observer = child(ds, '121012')[0] as D;
    expect([observer.RelationshipType, observer.UID]).toEqual(['HAS OBS CONTEXT', input.observer.uid]);
    const scope = child(ds, '113705')[0] as D;
    expect((child(scope, '110180')[0] as D).UID).toBe(WORKLIST.studyInstanceUid);
    const accumulated = child(ds, '113702')[0] as D;
    const [dapTotal, dapUnit] = numeric(child(accumulated, '113722')[0] as D);
    // 0.12 + 0.3 dGy·cm² = 0.42 dGy·cm² = 4.2e-6 Gy·m².
    expect(dapUnit).toBe('Gy.m2');
    expect(dapTotal).toBeCloseTo(4.2e-6, 12);
    expect(numeric(child(accumulated, '113725')[0] as D)).toEqual([0.00028, 'Gy']);
    expect(numeric(child(accumulated, '113731')[0] as D)).toEqual([2, '{frames}']);
    const events = child(ds, '113706');
    expect(events).toHaveLength(2);
    const first = events[0] as D;
    expect((child(first, '111526')[0] as D).DateTime).toMatch(/^20261127090000/);
    expect(numeric(child(first, '122130')[0] as D)).toEqual([1.2e-6, 'Gy.m2']);
    expect(numeric(child(first, '113733')[0] as D)).toEqual([125, 'kV']);
    expect(numeric(child(first, '113734')[0] as D)).toEqual([320, 'mA']);
    expect(numeric(child(first, '113824')[0] as D)).toEqual([12, 'ms']);
    expect(numeric(child(first, '113736')[0] as D)).toEqual([3840, 'uA.s']);
    expect(numeric(child(first, '113750')[0] as D)).toEqual([1800, 'mm']);
    expect(numeric(child(first, '113845')[0] as D)).toEqual([420, '1']);
    const target = ((child(first, '123014')[0] as D).ConceptCodeSequence as D[])[0] as D;
    expect([target.CodeValue, target.CodingSchemeDesignator]).toEqual(['51185008', 'SCT']);
    const uids = events.map((e) => (child(e, '113769')[0] as D).UID);
    expect(new Set(uids).size).toBe(2);
    expect(child(ds, '113854')).toHaveLength(1);
    const request = (ds.ReferencedRequestSequence as D[])[0] as D;
    expect([request.AccessionNumber, request.RequestedProcedureID]).toEqual([
      WORKLIST.accessionNumber,
      WORKLIST.requestedProcedureId,
    ]);
    expect(ds.CurrentRequestedProcedureEvidenceSequence).toBeDefined();
  });

  it('FR-DICOM-09: keeps a caller-given Irradiation Event UID (to match the image)', () => {
    const uid = '1.2.826.0.1.3680043.10.1437.4.4';
    const built = buildRdsr(
      { ...minimalRdsr(), events: [{ uid, start: new Date(), dapDgyCm2: 1 }] },
      { uid: testUids() },
    );
    const event = child(built.dataset, '113706')[0] as D;
    expect((child(event, '113769')[0] as D).UID).toBe(uid);
  });

  it('FR-DICOM-09: pydicom reads the Korean device location written in ISO 2022 IR 149', () => {
    const input = fullRdsr({ observer: { uid: '1.2.826.0.1.3680043.10.1437.5.1', location: '촬영실 1' } });
    const built = buildRdsr(input, { uid: testUids(), characterSet: 'ISO 2022 IR 149' });
    const bytes = toPart10Buffer(built.dataset);
    expect(bytes.indexOf(Buffer.from([0x1b, 0x24, 0x29, 0x43]))).toBeGreaterThan(0);
    expect(pydicomValues(bytes, ['SpecificCharacterSet']).SpecificCharacterSet).toContain('ISO 2022 IR 149');
    expect(dcmtk('dsrdump', bytes, ['+U8']).out).toContain('촬영실 1');
  });

  it('FR-DICOM-09: refuses a report without the Enhanced General Equipment identity, and one without events', () => {
    const input = { ...minimalRdsr(), equipment: { manufacturer: 'HnVue' } };
    expect(() => buildRdsr(input, { uid: testUids() })).toThrow(IodInvalidError);
    try {
      buildRdsr(input, { uid: testUids() });
    } catch (err) {
      expect((err as IodInvalidError).code).toBe('HNV_ERR_IOD_INVALID');
      expect((err as IodInvalidError).findings.map((f) => f.keyword).sort()).toEqual([
        'DeviceSerialNumber',
        'ManufacturerModelName',
        'SoftwareVersions',
      ]);
    }
    expect(() => buildRdsr({ ...minimalRdsr(), events: [] })).toThrow(IodInputError);
  });
});

const events = (d: D): D[] => (d.ContentSequence as D[]).filter((x) => concept(x) === '113706');

type Mutation = readonly [string, (d: D) => void];
const BROKEN: readonly Mutation[] = [
  ['Verification Flag unknown', (d) => (d.VerificationFlag = 'MAYBE')],
  ['Completion Flag unknown', (d) => (d.CompletionFlag = 'DONE')],
  ['Content Date missing', (d) => delete d.ContentDate],
  ['Content Time missing', (d) => delete d.ContentTime],
  ['Modality not SR', (d) => (d.Modality = 'OT')],
  ['Series Number missing (Type 1 in SR Document Series)', (d) => delete d.SeriesNumber],
  ['root Value Type missing', (d) => delete d.ValueType],
  ['Continuity Of Content unknown', (d) => (d.ContinuityOfContent = 'MAYBE')],
  ['PPS reference missing', (d) => delete d.ReferencedPerformedProcedureStepSequence],
  ['Performed Procedure Code Sequence missing', (d) => delete d.PerformedProcedureCodeSequence],
  ['Instance Number missing', (d) => delete d.InstanceNumber],
  [
    'request without Accession Number',
    (d) => {
      const { AccessionNumber: _a, ...rest } = (d.ReferencedRequestSequence as D[])[0] as D;
      d.ReferencedRequestSequence = [rest];
    },
  ],
  ['document title missing', (d) => delete d.ConceptNameCodeSequence],
  ['Manufacturer missing', (d) => delete d.Manufacturer],
  [
    'evidence without series',
    (d) => (d.CurrentRequestedProcedureEvidenceSequence = [{ StudyInstanceUID: '1.2' }]),
  ],
  [
    'DAP without unit',
    (d) => {
      const [e0, ...rest] = events(d);
      const kids = ((e0 as D).ContentSequence as D[]).map((y) =>
        concept(y) === '122130' ? { ...y, MeasuredValueSequence: [{ NumericValue: '1' }] } : y,
      );
      d.ContentSequence = [
        ...(d.ContentSequence as D[]).filter((x) => concept(x) !== '113706'),
        { ...e0, ContentSequence: kids },
        ...rest,
      ];
    },
  ],
];

describe('X-Ray Radiation Dose SR validator vs dciodvfy', () => {
  const base = buildRdsr(fullRdsr(), { uid: testUids() });
  it.each(BROKEN)('FR-DICOM-09: reports what dciodvfy reports: %s', (_name, m) => {
    const ds = mutate(base.dataset, m);
    const ours = new Set(
      validateIod(ds)
        .filter((f) => f.severity === 'error')
        .map((f) => f.keyword),
    );
    const theirs = dciodvfy(toPart10Buffer(ds)).errorKeywords;
    expect(theirs.size).toBeGreaterThan(0);
    expect([...ours].sort()).toEqual([...theirs].sort());
  });

  // dciodvfy (2022-06-18) checks neither Enhanced General Equipment nor the TID 10001 content
  // tree; these are ours alone, each checked against an object dciodvfy passes.
  const BEYOND: readonly (readonly [string, (d: D) => void, string])[] = [
    ['Manufacturer Model Name missing', (d) => delete d.ManufacturerModelName, 'EnhancedGeneralEquipment'],
    ['Device Serial Number missing', (d) => delete d.DeviceSerialNumber, 'EnhancedGeneralEquipment'],
    ['Software Versions missing', (d) => delete d.SoftwareVersions, 'EnhancedGeneralEquipment'],
    [
      'wrong template',
      (d) => (d.ContentTemplateSequence = [{ MappingResource: 'DCMR', TemplateIdentifier: '9999' }]),
      'SRDocumentContent',
    ],
    [
      'no irradiation event',
      (d) => (d.ContentSequence = (d.ContentSequence as D[]).filter((x) => concept(x) !== '113706')),
      'TID10001',
    ],
    [
      'event without UID',
      (d) =>
        (d.ContentSequence = (d.ContentSequence as D[]).map((x) =>
          concept(x) === '113706'
            ? { ...x, ContentSequence: (x.ContentSequence as D[]).filter((y) => concept(y) !== '113769') }
            : x,
        )),
      'TID10001',
    ],
    [
      'wrong relationships',
      (d) =>
        (d.ContentSequence = (d.ContentSequence as D[]).map((x) => ({
          ...x,
          RelationshipType: 'INFERRED FROM',
        }))),
      'TID10001',
    ],
  ];
  it.each(BEYOND)('FR-DICOM-09: also reports what dciodvfy leaves unchecked: %s', (_name, m, module) => {
    const ds = mutate(base.dataset, m);
    expect(dciodvfy(toPart10Buffer(ds)).errors).toEqual([]);
    const ours = validateIod(ds).filter((f) => f.severity === 'error');
    expect(ours.length).toBeGreaterThan(0);
    expect(new Set(ours.map((f) => f.module))).toEqual(new Set([module]));
  });
});
