import { afterAll, describe, expect, it } from 'vitest';
import {
  buildDxImage,
  type DxInput,
  IodInputError,
  IodInvalidError,
  readPart10,
  toPart10Buffer,
  validateIod,
} from '../src/index.js';
import { fullDx, image, minimalDx, WORKLIST } from './fixtures.js';
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

const KOREAN = { alphabetic: 'Hong^Gildong', ideographic: '洪^吉洞', phonetic: '홍^길동' };

interface Case {
  readonly name: string;
  readonly input: DxInput;
  readonly characterSet?: 'ISO_IR 192' | 'ISO 2022 IR 149';
}

function matrix(): Case[] {
  const cases: Case[] = [];
  for (const bits of [8, 12, 16]) {
    for (const intent of ['FOR PRESENTATION', 'FOR PROCESSING'] as const) {
      const forProcessing = intent === 'FOR PROCESSING';
      const img = image(bits, {
        patientOrientation: ['L', 'F'],
        ...(forProcessing ? { windowCenter: undefined, windowWidth: undefined } : {}),
      });
      cases.push({
        name: `minimal ${bits}-bit ${intent}`,
        input: minimalDx({ presentationIntent: intent, image: img }),
      });
      cases.push({
        name: `full ${bits}-bit ${intent}`,
        input: fullDx({ presentationIntent: intent, image: img }),
      });
    }
  }
  const korean = fullDx({ worklistItem: { ...WORKLIST, patientName: KOREAN } });
  cases.push({ name: 'Korean ISO 2022 IR 149', input: korean, characterSet: 'ISO 2022 IR 149' });
  cases.push({ name: 'Korean UTF-8', input: korean, characterSet: 'ISO_IR 192' });
  cases.push({
    name: 'MONOCHROME1 with INVERSE',
    input: minimalDx({
      image: image(12, { patientOrientation: ['L', 'F'], photometricInterpretation: 'MONOCHROME1' }),
    }),
  });
  return cases;
}

describe('DX builder', () => {
  it.each(matrix())('FR-DICOM-08: $name passes dciodvfy with zero errors and dcmdump reads it', (c) => {
    const built = buildDxImage(c.input, {
      uid: testUids(),
      ...(c.characterSet ? { characterSet: c.characterSet } : {}),
    });
    expect(built.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const bytes = toPart10Buffer(built.dataset, built.pixelData);
    const report = dciodvfy(bytes);
    expect(report.iod).toMatch(/^DXImageFor(Presentation|Processing)$/);
    expect(report.errors).toEqual([]);
    expect(unjustifiedWarnings(report)).toEqual([]);
    const dump = dcmtk('dcmdump', bytes);
    expect(dump.status).toBe(0);
    expect(dump.out).toContain('(7fe0,0010)');
  });

  it('FR-DICOM-08: a worklist item maps into the image exactly (IHE SWF)', () => {
    const built = buildDxImage(fullDx(), { uid: testUids() });
    const ds = plain(readPart10(toPart10Buffer(built.dataset, built.pixelData))) as Record<string, unknown>;
    const p = WORKLIST;
    expect(ds.PatientName).toEqual([{ Alphabetic: p.patientName?.alphabetic }]);
    expect([ds.PatientID, ds.IssuerOfPatientID, ds.PatientBirthDate, ds.PatientSex]).toEqual([
      p.patientId,
      p.issuerOfPatientId,
      p.patientBirthDate,
      p.patientSex,
    ]);
    expect(ds.StudyInstanceUID).toBe(WORKLIST.studyInstanceUid);
    expect(ds.AccessionNumber).toBe(WORKLIST.accessionNumber);
    expect(ds.ReferringPhysicianName).toEqual([{ Alphabetic: WORKLIST.referringPhysicianName?.alphabetic }]);
    expect(ds.ReferencedStudySequence).toEqual([
      {
        ReferencedSOPClassUID: WORKLIST.referencedStudies?.[0]?.sopClassUid,
        ReferencedSOPInstanceUID: WORKLIST.referencedStudies?.[0]?.sopInstanceUid,
      },
    ]);
    const code = WORKLIST.requestedProcedureCodes[0];
    const step = WORKLIST.scheduledProcedureSteps[0];
    expect(ds.ProcedureCodeSequence).toEqual([
      {
        CodeValue: code?.codeValue,
        CodingSchemeDesignator: code?.codingSchemeDesignator,
        CodeMeaning: code?.codeMeaning,
      },
    ]);
    const protocol = step?.protocolCodes[0];
    expect(ds.RequestAttributesSequence).toEqual([
      {
        AccessionNumber: WORKLIST.accessionNumber,
        StudyInstanceUID: WORKLIST.studyInstanceUid,
        RequestedProcedureID: WORKLIST.requestedProcedureId,
        RequestedProcedureDescription: WORKLIST.requestedProcedureDescription,
        RequestedProcedureCodeSequence: [
          {
            CodeValue: code?.codeValue,
            CodingSchemeDesignator: code?.codingSchemeDesignator,
            CodeMeaning: code?.codeMeaning,
          },
        ],
        ScheduledProcedureStepID: step?.stepId,
        ScheduledProcedureStepDescription: step?.description,
        ScheduledProtocolCodeSequence: [
          {
            CodeValue: protocol?.codeValue,
            CodingSchemeDesignator: protocol?.codingSchemeDesignator,
            CodeMeaning: protocol?.codeMeaning,
          },
        ],
      },
    ]);
  });

  it('FR-DICOM-08: writes acquisition parameters, detector and dose attributes', () => {
    const built = buildDxImage(fullDx(), { uid: testUids() });
    const ds = readPart10(toPart10Buffer(built.dataset, built.pixelData));
    expect([ds.KVP, ds.ExposureTime, ds.XRayTubeCurrent, ds.Exposure, ds.ExposureInuAs]).toEqual([
      125, 12, 320, 4, 3840,
    ]);
    expect([ds.ImageAndFluoroscopyAreaDoseProduct, ds.DistanceSourceToDetector, ds.ViewPosition]).toEqual([
      0.123,
      1800,
      'PA',
    ]);
    expect([ds.DetectorID, ds.DetectorType, ds.ImagerPixelSpacing, ds.DetectorBinning]).toEqual([
      'DET-01',
      'SCINTILLATOR',
      [0.14, 0.14],
      [1, 1],
    ]);
    expect([ds.ImageLaterality, ds.BodyPartExamined, ds.PresentationIntentType]).toEqual([
      'U',
      'CHEST',
      'FOR PRESENTATION',
    ]);
  });

  it('FR-DICOM-08: Korean names are written as ISO 2022 IR 149 with ESC $ ) C before each KS X 1001 run', () => {
    const wl = { ...WORKLIST, patientName: KOREAN };
    const built = buildDxImage(fullDx({ worklistItem: wl }), {
      uid: testUids(),
      characterSet: 'ISO 2022 IR 149',
    });
    const bytes = toPart10Buffer(built.dataset, built.pixelData);
    // PS3.5 Annex I: Hong^Gildong=ESC$)C 洪^ESC$)C 吉洞=ESC$)C 홍^ESC$)C 길동
    const expected = Buffer.from(
      '486f6e675e47696c646f6e673d1b242943fbf35e1b242943d1ced4d73d1b242943c8ab5e1b242943b1e6b5bf',
      'hex',
    );
    expect(bytes.indexOf(expected)).toBeGreaterThan(0);
    expect(bytes.indexOf(Buffer.from('\\ISO 2022 IR 149', 'latin1'))).toBeGreaterThan(0);
    const values = pydicomValues(bytes, ['PatientName', 'SpecificCharacterSet']);
    expect(values.PatientName).toBe('Hong^Gildong=洪^吉洞=홍^길동');
    const dump = dcmtk('dcmdump', bytes, ['+U8']);
    expect(dump.out).toContain('Hong^Gildong=洪^吉洞=홍^길동');
  });

  it('FR-DICOM-08: non-ASCII names default to UTF-8 (ISO_IR 192)', () => {
    const wl = { ...WORKLIST, patientName: { alphabetic: '김^민준' } };
    const built = buildDxImage(fullDx({ worklistItem: wl }), { uid: testUids() });
    expect(built.dataset.SpecificCharacterSet).toEqual(['ISO_IR 192']);
    const values = pydicomValues(toPart10Buffer(built.dataset, built.pixelData), ['PatientName']);
    expect(values.PatientName).toBe('김^민준');
  });

  it('FR-DICOM-08: ASCII-only objects carry no Specific Character Set', () => {
    const built = buildDxImage(minimalDx(), { uid: testUids() });
    expect(built.dataset.SpecificCharacterSet).toBeUndefined();
  });

  it('FR-DICOM-08: refuses an invalid object with HNV_ERR_IOD_INVALID and its findings, unless told to', () => {
    // A lateral view has no default Patient Orientation: DX Image makes it Type 1C (C.8.11.3).
    const input = minimalDx({ image: image(12), acquisition: { viewPosition: 'LL' } });
    let caught: unknown;
    try {
      buildDxImage(input, { uid: testUids() });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IodInvalidError);
    const err = caught as IodInvalidError;
    expect(err.code).toBe('HNV_ERR_IOD_INVALID');
    expect(err.findings.map((f) => `${f.module}.${f.keyword}:${f.kind}`)).toEqual([
      'DXImage.PatientOrientation:empty',
    ]);
    const allowed = buildDxImage(input, { uid: testUids(), allowInvalid: true });
    expect(allowed.findings).toHaveLength(1);
  });

  it('FR-DICOM-08: rejects a pixel buffer that does not match rows x columns or the bit depth', () => {
    expect(() =>
      buildDxImage(minimalDx({ image: image(12, { rows: 9, patientOrientation: ['L', 'F'] }) })),
    ).toThrow(IodInputError);
    expect(() =>
      buildDxImage(
        minimalDx({ image: image(12, { pixels: new Uint8Array(80), patientOrientation: ['L', 'F'] }) }),
      ),
    ).toThrow(/Uint16Array/);
    expect(() => buildDxImage(minimalDx({ image: image(12, { windowCenter: undefined }) }))).toThrow(
      IodInputError,
    );
    expect(() =>
      buildDxImage(
        minimalDx({ image: image(12, { pixels: new Int16Array(80), patientOrientation: ['L', 'F'] }) }),
      ),
    ).toThrow(/unsigned/);
  });
});

type Mutation = readonly [string, (d: Record<string, unknown>) => void];

const BROKEN: readonly Mutation[] = [
  ['Type 2 Patient ID missing', (d) => delete d.PatientID],
  ['Type 1 Study Instance UID missing', (d) => delete d.StudyInstanceUID],
  ['Type 1 Series Instance UID missing', (d) => delete d.SeriesInstanceUID],
  ['Modality not DX', (d) => (d.Modality = 'CT')],
  ['Presentation Intent Type unknown', (d) => (d.PresentationIntentType = 'FOR VIEWING')],
  ['Image Laterality unknown', (d) => (d.ImageLaterality = 'X')],
  ['Imager Pixel Spacing missing', (d) => delete d.ImagerPixelSpacing],
  ['Rescale Slope not 1', (d) => (d.RescaleSlope = '2')],
  ['Pixel Intensity Relationship unknown', (d) => (d.PixelIntensityRelationship = 'EXP')],
  ['Detector Type missing', (d) => delete d.DetectorType],
  ['Presentation LUT Shape unknown', (d) => (d.PresentationLUTShape = 'LOG')],
  ['Acquisition Context Sequence missing', (d) => delete d.AcquisitionContextSequence],
  ['Burned In Annotation missing', (d) => delete d.BurnedInAnnotation],
  ['Patient Sex unknown', (d) => (d.PatientSex = 'X')],
  ['window missing For Presentation', (d) => delete d.WindowCenter],
  [
    'code item without Code Meaning',
    (d) => (d.AnatomicRegionSequence = [{ CodeValue: '1', CodingSchemeDesignator: 'SCT' }]),
  ],
  ['Patient Orientation empty', (d) => (d.PatientOrientation = '')],
  ['Image Type value 1 unknown', (d) => (d.ImageType = ['FOO', 'PRIMARY'])],
  ['signed pixels', (d) => (d.PixelRepresentation = 1)],
  ['Positioner Type missing', (d) => delete d.PositionerType],
  ['Lossy Image Compression unknown', (d) => (d.LossyImageCompression = '02')],
  ['Bits Stored 4', (d) => Object.assign(d, { BitsStored: 4, HighBit: 3 })],
  ['Rescale Type not US', (d) => (d.RescaleType = 'HU')],
  ['Instance Number missing', (d) => delete d.InstanceNumber],
];

describe('DX validator vs dciodvfy', () => {
  const base = buildDxImage(fullDx(), { uid: testUids() });
  it.each(BROKEN)('FR-DICOM-08: reports what dciodvfy reports: %s', (_name, m) => {
    const ds = mutate(base.dataset, m);
    const ours = new Set(
      validateIod(ds, { pixelDataPresent: true })
        .filter((f) => f.severity === 'error')
        .map((f) => f.keyword),
    );
    const theirs = dciodvfy(toPart10Buffer(ds, base.pixelData)).errorKeywords;
    expect(theirs.size).toBeGreaterThan(0);
    expect([...ours].sort()).toEqual([...theirs].sort());
  });

  it('FR-DICOM-08: validates a received file read back through dcmjs', () => {
    const ds = readPart10(toPart10Buffer(base.dataset, base.pixelData));
    expect(validateIod(ds).filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('FR-DICOM-08: DxInput, a union told apart by presentationIntent', () => {
  it('FR-DICOM-08: For Presentation without a window, or For Processing with one, does not compile (and throws at run time)', () => {
    const base = {
      equipment: { manufacturer: 'HnVue' },
      anatomy: { imageLaterality: 'U' },
      detector: { imagerPixelSpacingMm: [0.14, 0.14] },
    } as const;
    const pixelsOnly = {
      rows: 8,
      columns: 10,
      bitsStored: 12,
      pixels: new Uint16Array(80),
      patientOrientation: ['L', 'F'],
    } as const;
    const windowed = { ...pixelsOnly, windowCenter: 2048, windowWidth: 4096 } as const;
    const fine: DxInput[] = [
      { ...base, presentationIntent: 'FOR PRESENTATION', image: windowed },
      { ...base, presentationIntent: 'FOR PROCESSING', image: pixelsOnly },
    ];
    for (const input of fine)
      expect(buildDxImage(input, { uid: testUids() }).dataset.SOPClassUID).toBeDefined();
    const wrong: unknown[] = [
      // @ts-expect-error For Presentation needs windowCenter and windowWidth (PS3.3 A.26.3)
      { ...base, presentationIntent: 'FOR PRESENTATION', image: pixelsOnly } satisfies DxInput,
      // @ts-expect-error For Processing takes no window (PS3.3 C.8.11.3)
      { ...base, presentationIntent: 'FOR PROCESSING', image: windowed } satisfies DxInput,
    ];
    for (const input of wrong)
      expect(() => buildDxImage(input as DxInput, { uid: testUids() })).toThrow(IodInputError);
  });
});

describe('FR-DICOM-08: DxInput carries the Type 1 Patient Orientation (PS3.3 C.8.11.7)', () => {
  it('FR-DICOM-08: a DX with neither patientOrientation nor an AP/PA view does not compile (and fails validation at run time)', () => {
    const base = {
      equipment: { manufacturer: 'HnVue' },
      anatomy: { imageLaterality: 'U' },
      detector: { imagerPixelSpacingMm: [0.14, 0.14] },
      presentationIntent: 'FOR PROCESSING',
    } as const;
    const pixels = { rows: 8, columns: 10, bitsStored: 12, pixels: new Uint16Array(80) } as const;
    const fine: DxInput[] = [
      { ...base, image: { ...pixels, patientOrientation: ['L', 'F'] } },
      { ...base, image: pixels, acquisition: { viewPosition: 'PA' } },
      { ...base, image: { ...pixels, patientOrientation: ['A', 'F'] }, acquisition: { viewPosition: 'LL' } },
    ];
    for (const input of fine)
      expect(buildDxImage(input, { uid: testUids() }).dataset.PatientOrientation).toHaveLength(2);
    const wrong: unknown[] = [
      // @ts-expect-error no orientation and no view: nothing to derive Patient Orientation from
      { ...base, image: pixels } satisfies DxInput,
      // @ts-expect-error a lateral view has no conventional orientation: it must be given
      { ...base, image: pixels, acquisition: { viewPosition: 'LL' } } satisfies DxInput,
    ];
    for (const input of wrong)
      expect(() => buildDxImage(input as DxInput, { uid: testUids() })).toThrow(/PatientOrientation/);
  });
});
