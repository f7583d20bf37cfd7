import { afterAll, describe, expect, it } from 'vitest';
import { buildCrImage, type CrInput, readPart10, toPart10Buffer, validateIod } from '../src/index.js';
import { fullCr, image, minimalCr, WORKLIST } from './fixtures.js';
import { cleanupTemp, dciodvfy, dcmtk, mutate, plain, testUids, unjustifiedWarnings } from './helpers.js';

afterAll(cleanupTemp);

interface Case {
  readonly name: string;
  readonly input: CrInput;
  readonly characterSet?: 'ISO_IR 192' | 'ISO 2022 IR 149';
}

function matrix(): Case[] {
  const cases: Case[] = [];
  for (const bits of [8, 12, 16]) {
    const img = image(bits, { patientOrientation: ['L', 'F'] });
    cases.push({ name: `minimal ${bits}-bit`, input: minimalCr({ image: img }) });
    cases.push({ name: `full ${bits}-bit`, input: fullCr({ image: img }) });
  }
  cases.push({
    name: 'no window (VOI LUT module absent)',
    input: minimalCr({ image: image(12, { windowCenter: undefined, windowWidth: undefined }) }),
  });
  const korean = { alphabetic: 'Hong^Gildong', ideographic: '洪^吉洞', phonetic: '홍^길동' };
  const wl = { ...WORKLIST, patientName: korean };
  cases.push({
    name: 'Korean ISO 2022 IR 149',
    input: fullCr({ worklistItem: wl }),
    characterSet: 'ISO 2022 IR 149',
  });
  return cases;
}

describe('CR builder', () => {
  it.each(matrix())('FR-DICOM-08: $name passes dciodvfy with zero errors and dcmdump reads it', (c) => {
    const built = buildCrImage(c.input, {
      uid: testUids(),
      ...(c.characterSet ? { characterSet: c.characterSet } : {}),
    });
    expect(built.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const bytes = toPart10Buffer(built.dataset, built.pixelData);
    const report = dciodvfy(bytes);
    expect(report.iod).toBe('CRImage');
    expect(report.errors).toEqual([]);
    expect(unjustifiedWarnings(report)).toEqual([]);
    expect(dcmtk('dcmdump', bytes).status).toBe(0);
  });

  it('FR-DICOM-08: maps the worklist item and CR Series attributes', () => {
    const built = buildCrImage(fullCr(), { uid: testUids() });
    const ds = plain(readPart10(toPart10Buffer(built.dataset, built.pixelData))) as Record<string, unknown>;
    expect([ds.Modality, ds.PatientID, ds.AccessionNumber, ds.StudyInstanceUID]).toEqual([
      'CR',
      WORKLIST.patientId,
      WORKLIST.accessionNumber,
      WORKLIST.studyInstanceUid,
    ]);
    expect([ds.BodyPartExamined, ds.ViewPosition, ds.PlateID, ds.KVP]).toEqual([
      'CHEST',
      'PA',
      'PLATE-7',
      125,
    ]);
    expect((ds.RequestAttributesSequence as Record<string, unknown>[])[0]?.ScheduledProcedureStepID).toBe(
      WORKLIST.scheduledProcedureSteps[0]?.stepId,
    );
  });
});

type Mutation = readonly [string, (d: Record<string, unknown>) => void];

const BROKEN: readonly Mutation[] = [
  ['Body Part Examined missing', (d) => delete d.BodyPartExamined],
  ['View Position missing', (d) => delete d.ViewPosition],
  ['Rows missing', (d) => delete d.Rows],
  ['Manufacturer missing', (d) => delete d.Manufacturer],
  ['Study Date missing', (d) => delete d.StudyDate],
  ["Referring Physician's Name missing", (d) => delete d.ReferringPhysicianName],
  ['Series Number missing', (d) => delete d.SeriesNumber],
  ['Modality missing', (d) => delete d.Modality],
  ['Patient Sex unknown', (d) => (d.PatientSex = 'Q')],
  ['Pixel Representation 2', (d) => (d.PixelRepresentation = 2)],
  ['Window Width missing beside Window Center', (d) => delete d.WindowWidth],
  [
    'procedure code without Code Meaning',
    (d) => (d.ProcedureCodeSequence = [{ CodeValue: '1', CodingSchemeDesignator: 'LN' }]),
  ],
  ['High Bit missing', (d) => delete d.HighBit],
  ['Accession Number missing', (d) => delete d.AccessionNumber],
  ['Burned In Annotation unknown', (d) => (d.BurnedInAnnotation = 'MAYBE')],
  [
    'referenced study without instance UID',
    (d) => (d.ReferencedStudySequence = [{ ReferencedSOPClassUID: '1.2' }]),
  ],
];

describe('CR validator vs dciodvfy', () => {
  const base = buildCrImage(fullCr(), { uid: testUids() });
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
});
