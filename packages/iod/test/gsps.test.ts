import { afterAll, describe, expect, it } from 'vitest';
import {
  buildDxImage,
  buildGsps,
  type GspsInput,
  IodInputError,
  readPart10,
  toPart10Buffer,
  validateIod,
} from '../src/index.js';
import { fullDx, fullGsps, minimalDx, WORKLIST } from './fixtures.js';
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
const uid = testUids();
const dx = buildDxImage(fullDx(), { uid });
const minimalImage = buildDxImage(minimalDx(), { uid });

interface Case {
  readonly name: string;
  readonly input: GspsInput;
  readonly characterSet?: 'ISO 2022 IR 149' | 'ISO_IR 192';
}

function matrix(): Case[] {
  const cases: Case[] = [
    { name: 'full', input: fullGsps(dx.dataset) },
    {
      name: 'window only',
      input: { image: dx.dataset, equipment: { manufacturer: 'HnVue' }, window: { center: 10, width: 20 } },
    },
    {
      name: 'circular shutter',
      input: fullGsps(dx.dataset, {
        shutter: { shape: 'CIRCULAR', centerRow: 4, centerColumn: 5, radius: 3 },
      }),
    },
    {
      name: 'polygonal shutter',
      input: fullGsps(dx.dataset, {
        shutter: {
          shape: 'POLYGONAL',
          vertices: [
            [1, 1],
            [1, 10],
            [8, 10],
            [8, 1],
          ],
        },
      }),
    },
    {
      name: 'TRUE SIZE, no transform',
      input: fullGsps(dx.dataset, {
        displayedArea: { topLeft: [1, 1], bottomRight: [10, 8], sizeMode: 'TRUE SIZE' },
        rotation: undefined,
        horizontalFlip: undefined,
      }),
    },
  ];
  for (const rotation of [0, 90, 180, 270] as const) {
    for (const horizontalFlip of [false, true]) {
      cases.push({
        name: `rotation ${rotation} flip ${horizontalFlip}`,
        input: fullGsps(dx.dataset, { rotation, horizontalFlip }),
      });
    }
  }
  const korean = buildDxImage(
    fullDx({
      worklistItem: {
        ...WORKLIST,
        patientName: { alphabetic: 'Hong^Gildong', phonetic: '홍^길동' },
      },
    }),
    { uid, characterSet: 'ISO 2022 IR 149' },
  );
  const hangul = {
    layer: 'NOTES',
    texts: [{ text: '좌측 폐 음영', anchor: { point: [4, 4] as const, visible: false } }],
  };
  cases.push({
    name: 'Korean names and text in ISO 2022 IR 149',
    input: fullGsps(korean.dataset, { layers: [{ name: 'NOTES' }], annotations: [hangul] }),
    characterSet: 'ISO 2022 IR 149',
  });
  return cases;
}

describe('GSPS builder', () => {
  it.each(matrix())('FR-DICOM-10: $name passes dciodvfy and dcmpschk', (c) => {
    const built = buildGsps(c.input, { uid, ...(c.characterSet ? { characterSet: c.characterSet } : {}) });
    const bytes = toPart10Buffer(built.dataset);
    const report = dciodvfy(bytes);
    expect(report.iod).toBe('GrayscaleSoftcopyPresentationState');
    expect(report.errors).toEqual([]);
    expect(unjustifiedWarnings(report)).toEqual([]);
    const check = dcmtk('dcmpschk', bytes);
    expect(check.out).toContain('Test passed');
    expect(dcmtk('dcmdump', bytes).status).toBe(0);
  });

  it('FR-DICOM-10: a minimal state for an anonymous image passes dciodvfy; dcmpschk only asks for a patient name', () => {
    const built = buildGsps({ image: minimalImage.dataset, equipment: { manufacturer: 'HnVue' } }, { uid });
    const bytes = toPart10Buffer(built.dataset);
    expect(dciodvfy(bytes).errors).toEqual([]);
    const complaints = dcmtk('dcmpschk', bytes)
      .out.split('\n')
      .filter((l) => l.startsWith('W:') && !l.includes('Testing') && !l.includes('Test failed'));
    expect(complaints).toEqual(['W: patientName absent or empty in presentation state']);
  });

  it('FR-DICOM-10: references the DX image and copies its patient and study', () => {
    const built = buildGsps(fullGsps(dx.dataset), { uid });
    const ds = plain(readPart10(toPart10Buffer(built.dataset))) as D;
    expect(ds.ReferencedSeriesSequence).toEqual([
      {
        SeriesInstanceUID: dx.dataset.SeriesInstanceUID,
        ReferencedImageSequence: [
          {
            ReferencedSOPClassUID: dx.dataset.SOPClassUID,
            ReferencedSOPInstanceUID: dx.dataset.SOPInstanceUID,
          },
        ],
      },
    ]);
    for (const k of ['PatientID', 'StudyInstanceUID', 'AccessionNumber', 'StudyID'])
      expect(ds[k]).toBe(dx.dataset[k]);
    expect(ds.SeriesInstanceUID).not.toBe(dx.dataset.SeriesInstanceUID);
    expect([
      ds.Modality,
      ds.ContentLabel,
      ds.ImageRotation,
      ds.ImageHorizontalFlip,
      ds.PresentationLUTShape,
    ]).toEqual(['PR', 'REVIEW', 90, 'Y', 'IDENTITY']);
    const voi = (ds.SoftcopyVOILUTSequence as D[])[0];
    expect([voi?.WindowCenter, voi?.WindowWidth]).toEqual([1000, 2000]);
    expect((ds.GraphicLayerSequence as D[]).map((l) => l.GraphicLayer)).toEqual(['MARKERS', 'MEASURE']);
    expect(ds.ShutterShape).toBe('RECTANGULAR');
  });

  it('FR-DICOM-10: takes the window from the image when none is given', () => {
    const built = buildGsps({ image: dx.dataset, equipment: { manufacturer: 'HnVue' } }, { uid });
    const voi = (built.dataset.SoftcopyVOILUTSequence as D[])[0];
    expect(voi?.WindowCenter).toEqual(dx.dataset.WindowCenter);
  });

  it('FR-DICOM-10: Korean annotation text is readable by pydicom', () => {
    const input = fullGsps(dx.dataset, {
      layers: [{ name: 'NOTES' }],
      annotations: [
        { layer: 'NOTES', texts: [{ text: '좌측 폐 음영', anchor: { point: [4, 4], visible: true } }] },
      ],
    });
    const built = buildGsps(input, { uid, characterSet: 'ISO 2022 IR 149' });
    const bytes = toPart10Buffer(built.dataset);
    expect(bytes.indexOf(Buffer.from([0x1b, 0x24, 0x29, 0x43]))).toBeGreaterThan(0);
    const script = pydicomValues(bytes, ['SpecificCharacterSet']);
    expect(script.SpecificCharacterSet).toContain('ISO 2022 IR 149');
  });

  it('FR-DICOM-10: rejects annotations on undefined layers and malformed graphics', () => {
    expect(() =>
      buildGsps(
        fullGsps(dx.dataset, {
          annotations: [{ layer: 'NOPE', texts: [{ text: 'x', anchor: { point: [1, 1], visible: true } }] }],
        }),
        { uid },
      ),
    ).toThrow(IodInputError);
    expect(() =>
      buildGsps(
        fullGsps(dx.dataset, {
          annotations: [{ layer: 'MEASURE', graphics: [{ type: 'CIRCLE', points: [[1, 1]] }] }],
        }),
        { uid },
      ),
    ).toThrow(/CIRCLE/);
    expect(() =>
      buildGsps(
        fullGsps(dx.dataset, { annotations: [{ layer: 'MARKERS', texts: [{ text: 'floating' }] }] }),
        { uid },
      ),
    ).toThrow(IodInputError);
  });

  it('FR-DICOM-10: our validator also requires the Graphic Layer module that annotations name (dciodvfy does not)', () => {
    const built = buildGsps(fullGsps(dx.dataset), { uid });
    const ds = mutate(built.dataset, (d) => delete d.GraphicLayerSequence);
    expect(validateIod(ds).map((f) => f.keyword)).toEqual(['GraphicLayerSequence']);
  });
});

const first = (d: D, k: string): D => (d[k] as D[])[0] as D;
const annotation = (d: D, i: number): D => (d.GraphicAnnotationSequence as D[])[i] as D;
function replaceAnnotation(d: D, i: number, item: D): void {
  const all = [...(d.GraphicAnnotationSequence as D[])];
  all[i] = item;
  d.GraphicAnnotationSequence = all;
}
function replaceGraphic(d: D, patch: D): void {
  const a = annotation(d, 1);
  const g = (a.GraphicObjectSequence as D[])[0] as D;
  replaceAnnotation(d, 1, { ...a, GraphicObjectSequence: [{ ...g, ...patch }] });
}

type Mutation = readonly [string, (d: D) => void];
const BROKEN: readonly Mutation[] = [
  ['Content Label missing', (d) => delete d.ContentLabel],
  ['Presentation Creation Date missing', (d) => delete d.PresentationCreationDate],
  ['Presentation Creation Time missing', (d) => delete d.PresentationCreationTime],
  ['Referenced Series Sequence missing', (d) => delete d.ReferencedSeriesSequence],
  [
    'referenced series without images',
    (d) => (d.ReferencedSeriesSequence = [{ SeriesInstanceUID: '1.2.3' }]),
  ],
  ['Modality not PR', (d) => (d.Modality = 'OT')],
  ['Displayed Area Selection Sequence missing', (d) => delete d.DisplayedAreaSelectionSequence],
  [
    'Presentation Size Mode unknown',
    (d) =>
      (d.DisplayedAreaSelectionSequence = [
        { ...first(d, 'DisplayedAreaSelectionSequence'), PresentationSizeMode: 'STRETCH' },
      ]),
  ],
  ['Image Rotation 45', (d) => (d.ImageRotation = 45)],
  ['Image Horizontal Flip unknown', (d) => (d.ImageHorizontalFlip = 'X')],
  ['Graphic Type unknown', (d) => replaceGraphic(d, { GraphicType: 'SQUARE' })],
  ['Graphic Dimensions 3', (d) => replaceGraphic(d, { GraphicDimensions: 3 })],
  ['Shutter Shape unknown', (d) => (d.ShutterShape = 'OVAL')],
  ['rectangular shutter edge missing', (d) => delete d.ShutterLeftVerticalEdge],
  ['Shutter Presentation Value missing', (d) => delete d.ShutterPresentationValue],
  ['Presentation LUT Shape unknown', (d) => (d.PresentationLUTShape = 'LOG')],
  ['Presentation LUT missing', (d) => delete d.PresentationLUTShape],
  ['Content Description missing', (d) => delete d.ContentDescription],
  ['Instance Number empty', (d) => (d.InstanceNumber = '')],
  [
    'text object without text',
    (d) => {
      const a = annotation(d, 0);
      const texts = a.TextObjectSequence as D[];
      const { UnformattedTextValue: _t, ...rest } = texts[0] as D;
      replaceAnnotation(d, 0, { ...a, TextObjectSequence: [rest, texts[1]] });
    },
  ],
  [
    'Anchor Point Visibility unknown',
    (d) => {
      const a = annotation(d, 0);
      const texts = a.TextObjectSequence as D[];
      replaceAnnotation(d, 0, {
        ...a,
        TextObjectSequence: [texts[0], { ...texts[1], AnchorPointVisibility: 'MAYBE' }],
      });
    },
  ],
  [
    'Laterality missing for an unknown body part',
    (d) => {
      delete d.Laterality;
      delete d.BodyPartExamined;
    },
  ],
  ['window without width', (d) => (d.SoftcopyVOILUTSequence = [{ WindowCenter: ['100'] }])],
];

describe('GSPS validator vs dciodvfy', () => {
  const base = buildGsps(fullGsps(dx.dataset), { uid });
  it.each(BROKEN)('FR-DICOM-10: reports what dciodvfy reports: %s', (_name, m) => {
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
});
