import type {
  CrInput,
  DxForPresentationInput,
  DxInput,
  GspsInput,
  ImageInput,
  PresentationIntent,
  RdsrInput,
  WorklistItem,
} from '../src/index.js';

/**
 * A DX input before the compiler's intent rule (For Presentation needs a window, For Processing
 * takes none): the fixtures also build the wrong combinations, for the builder's run-time checks.
 * The compile-time rule has its own test (dx.test.ts).
 */
export type LooseDxInput = Omit<DxForPresentationInput, 'presentationIntent' | 'image'> & {
  readonly presentationIntent: PresentationIntent;
  readonly image: ImageInput;
};

export const WORKLIST: WorklistItem = {
  patientName: { alphabetic: 'Doe^Jane' },
  patientId: 'PID-0001',
  issuerOfPatientId: 'HOSP',
  patientBirthDate: '19800214',
  patientSex: 'F',
  otherPatientIds: [],
  studyInstanceUid: '1.2.826.0.1.3680043.10.1437.7.1',
  accessionNumber: 'ACC-42',
  referringPhysicianName: { alphabetic: 'House^Gregory' },
  requestedProcedureId: 'RP-7',
  requestedProcedureDescription: 'Chest 2 views',
  requestedProcedureCodes: [
    { codeValue: '36643-5', codingSchemeDesignator: 'LN', codeMeaning: 'XR Chest 2V' },
  ],
  scheduledProcedureSteps: [
    {
      stepId: 'SPS-9',
      description: 'Chest PA',
      protocolCodes: [{ codeValue: 'CHEST_PA', codingSchemeDesignator: '99HNVUE', codeMeaning: 'Chest PA' }],
    },
  ],
  referencedStudies: [
    { sopClassUid: '1.2.840.10008.3.1.2.3.1', sopInstanceUid: '1.2.826.0.1.3680043.10.1437.7.2' },
  ],
};

export function pixels(rows: number, columns: number, bitsStored: number): Uint8Array | Uint16Array {
  const n = rows * columns;
  const max = 2 ** bitsStored - 1;
  const px = bitsStored <= 8 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) px[i] = (i * 37) % (max + 1);
  return px;
}

export function image(bitsStored = 12, extra: Partial<ImageInput> = {}): ImageInput {
  const max = 2 ** bitsStored;
  return {
    rows: 8,
    columns: 10,
    bitsStored,
    pixels: pixels(8, 10, bitsStored),
    windowCenter: max / 2,
    windowWidth: max,
    ...extra,
  };
}

/** The least a DX needs: no patient data (Type 2 empty), no acquisition parameters. */
export function minimalDx(extra: Partial<LooseDxInput> = {}): DxInput {
  const input: LooseDxInput = {
    equipment: { manufacturer: 'HnVue' },
    image: image(12, { patientOrientation: ['L', 'F'] }),
    anatomy: { imageLaterality: 'U' },
    presentationIntent: 'FOR PRESENTATION',
    detector: { imagerPixelSpacingMm: [0.14, 0.14] },
    ...extra,
  };
  return input as DxInput;
}

/** Every optional input the builder takes. */
export function fullDx(extra: Partial<LooseDxInput> = {}): DxInput {
  const input: LooseDxInput = {
    worklistItem: WORKLIST,
    study: { studyId: 'S1', description: 'Chest 2 views' },
    series: {
      seriesNumber: 3,
      seriesDescription: 'Chest PA',
      operatorsName: 'Tech^Tom',
      performedProcedureStep: {
        sopInstanceUid: '1.2.826.0.1.3680043.10.1437.8.1',
        id: 'PPS-1',
        start: new Date(2026, 0, 1, 8, 30),
      },
    },
    equipment: {
      manufacturer: 'HnVue',
      institutionName: 'General Hospital',
      stationName: 'XR1',
      manufacturerModelName: 'HnVue DR',
      deviceSerialNumber: 'SN123',
      softwareVersions: '1.0.0',
    },
    image: image(14, { instanceNumber: 2, windowExplanation: 'DEFAULT' }),
    anatomy: {
      imageLaterality: 'U',
      bodyPart: 'CHEST',
      anatomicRegion: { value: '51185008', scheme: 'SCT', meaning: 'Thorax' },
    },
    acquisition: {
      kvp: 125,
      exposureTimeMs: 12,
      tubeCurrentMa: 320,
      exposureMas: 4,
      exposureUas: 3840,
      dapDgyCm2: 0.123,
      entranceDoseMgy: 0.08,
      sourceToDetectorMm: 1800,
      sourceToPatientMm: 1650,
      viewPosition: 'PA',
      positionerType: 'COLUMN',
      focalSpotMm: 1.2,
      filterType: 'NONE',
      grid: ['FIXED', 'FOCUSED'],
      exposureControlMode: 'AUTOMATIC',
    },
    presentationIntent: 'FOR PRESENTATION',
    detector: {
      type: 'SCINTILLATOR',
      configuration: 'AREA',
      id: 'DET-01',
      manufacturerName: 'DetCo',
      binning: [1, 1],
      imagerPixelSpacingMm: [0.14, 0.14],
      temperatureC: 31.5,
    },
    ...extra,
  };
  return input as DxInput;
}

export function minimalCr(extra: Partial<CrInput> = {}): CrInput {
  const { presentationIntent: _p, detector: _d, ...rest } = minimalDx();
  return { ...rest, ...extra };
}

export function fullCr(extra: Partial<CrInput> = {}): CrInput {
  const { presentationIntent: _p, detector: _d, ...rest } = fullDx();
  return {
    ...rest,
    plateId: 'PLATE-7',
    plateType: 'ST-VI',
    phosphorType: 'BaFBr',
    imagerPixelSpacingMm: [0.1, 0.1],
    sensitivity: 200,
    ...extra,
  };
}

export function fullGsps(imageDataset: Record<string, unknown>, extra: Partial<GspsInput> = {}): GspsInput {
  return {
    image: imageDataset,
    equipment: { manufacturer: 'HnVue', stationName: 'XR1' },
    label: 'Review',
    description: 'Annotated for review',
    creatorName: 'Rad^Ray',
    window: { center: 1000, width: 2000, explanation: 'BONE' },
    presentationLutShape: 'IDENTITY',
    displayedArea: { topLeft: [2, 2], bottomRight: [9, 7], sizeMode: 'MAGNIFY', magnification: 2 },
    rotation: 90,
    horizontalFlip: true,
    layers: [{ name: 'MARKERS', description: 'side markers', grayscale: 65535 }, { name: 'MEASURE' }],
    annotations: [
      {
        layer: 'MARKERS',
        texts: [
          { text: 'L', boundingBox: { topLeft: [1, 1], bottomRight: [3, 3], justification: 'CENTER' } },
          { text: 'standing', anchor: { point: [5, 5], visible: true } },
        ],
      },
      {
        layer: 'MEASURE',
        graphics: [
          {
            type: 'POLYLINE',
            points: [
              [1, 1],
              [5, 5],
            ],
          },
          {
            type: 'CIRCLE',
            points: [
              [5, 5],
              [6, 5],
            ],
          },
          {
            type: 'ELLIPSE',
            points: [
              [2, 4],
              [8, 4],
              [5, 3],
              [5, 5],
            ],
          },
          { type: 'POINT', points: [[3, 3]] },
          {
            type: 'INTERPOLATED',
            points: [
              [1, 1],
              [4, 2],
              [6, 6],
            ],
          },
        ],
      },
    ],
    shutter: { shape: 'RECTANGULAR', left: 1, right: 10, upper: 1, lower: 8 },
    ...extra,
  };
}

export function fullRdsr(extra: Partial<RdsrInput> = {}): RdsrInput {
  return {
    worklistItem: WORKLIST,
    equipment: {
      manufacturer: 'HnVue',
      manufacturerModelName: 'HnVue DR',
      deviceSerialNumber: 'SN123',
      softwareVersions: '1.0.0',
      institutionName: 'General Hospital',
      stationName: 'XR1',
    },
    series: { seriesNumber: 99 },
    observer: {
      uid: '1.2.826.0.1.3680043.10.1437.5.1',
      name: 'XR1',
      manufacturer: 'HnVue',
      modelName: 'HnVue DR',
      serialNumber: 'SN123',
      location: 'Room 1',
    },
    events: [
      {
        start: new Date(2026, 10, 27, 9, 0, 0),
        protocol: 'Chest PA',
        targetRegion: { value: '51185008', scheme: 'SCT', meaning: 'Thorax' },
        dapDgyCm2: 0.12,
        doseRpMgy: 0.08,
        kvp: 125,
        tubeCurrentMa: 320,
        exposureTimeMs: 12,
        exposureUas: 3840,
        focalSpotMm: 1.2,
        sourceToDetectorMm: 1800,
        exposureIndex: 420,
        targetExposureIndex: 400,
        deviationIndex: 0.2,
      },
      {
        start: new Date(2026, 10, 27, 9, 1, 0),
        protocol: 'Chest LAT',
        dapDgyCm2: 0.3,
        doseRpMgy: 0.2,
        kvp: 125,
      },
    ],
    images: [
      {
        seriesInstanceUid: '1.2.826.0.1.3680043.10.1437.6.1',
        sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
        sopInstanceUid: '1.2.826.0.1.3680043.10.1437.6.2',
      },
    ],
    ...extra,
  };
}

export function minimalRdsr(): RdsrInput {
  return {
    equipment: {
      manufacturer: 'HnVue',
      manufacturerModelName: 'HnVue DR',
      deviceSerialNumber: 'SN1',
      softwareVersions: '1',
    },
    observer: { uid: '1.2.826.0.1.3680043.10.1437.5.1' },
    events: [{ start: new Date(2026, 10, 27, 9, 0, 0), dapDgyCm2: 0.05 }],
  };
}
