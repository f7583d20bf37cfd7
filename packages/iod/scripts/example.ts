/**
 * The README example: worklist item → DX (For Presentation) → Part 10 file, then a GSPS and a
 * dose report for it. Run from the repository root:
 *   node --conditions=@hnvue/source --import tsx packages/iod/scripts/example.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildDxImage,
  buildGsps,
  buildRdsr,
  validateIod,
  type WorklistItem,
  writePart10,
} from '../src/index.js';

const item: WorklistItem = {
  patientName: { alphabetic: 'Hong^Gildong', ideographic: '洪^吉洞', phonetic: '홍^길동' },
  patientId: 'P123',
  patientSex: 'M',
  otherPatientIds: [],
  studyInstanceUid: '1.2.826.0.1.3680043.10.1437.7.1',
  accessionNumber: 'A-1',
  requestedProcedureId: 'RP-1',
  requestedProcedureCodes: [],
  referencedStudies: [],
  scheduledProcedureSteps: [{ stepId: 'SPS-1', description: 'Chest PA', protocolCodes: [] }],
};

const rows = 256;
const columns = 256;
const pixels = new Uint16Array(rows * columns).map((_, i) => i % 4096);
const start = new Date();

const dx = buildDxImage(
  {
    worklistItem: item,
    equipment: {
      manufacturer: 'HnVue',
      manufacturerModelName: 'HnVue DR',
      deviceSerialNumber: 'SN1',
      softwareVersions: '1.0',
    },
    image: { rows, columns, bitsStored: 12, pixels, windowCenter: 2048, windowWidth: 4096 },
    anatomy: {
      imageLaterality: 'U',
      bodyPart: 'CHEST',
      anatomicRegion: { value: '51185008', scheme: 'SCT', meaning: 'Thorax' },
    },
    acquisition: {
      kvp: 120,
      exposureTimeMs: 10,
      tubeCurrentMa: 250,
      dapDgyCm2: 0.15,
      sourceToDetectorMm: 1800,
      viewPosition: 'PA',
    },
    presentationIntent: 'FOR PRESENTATION',
    detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
  },
  { characterSet: 'ISO 2022 IR 149' },
);
const dir = mkdtempSync(join(tmpdir(), 'hnvue-iod-example-'));
await writePart10(dx.dataset, dx.pixelData, join(dir, 'dx.dcm'));

const gsps = buildGsps(
  {
    image: dx.dataset,
    equipment: { manufacturer: 'HnVue' },
    layers: [{ name: 'MARKERS' }],
    annotations: [{ layer: 'MARKERS', texts: [{ text: 'R', anchor: { point: [10, 10], visible: false } }] }],
    shutter: { shape: 'RECTANGULAR', left: 1, right: columns, upper: 1, lower: rows },
  },
  { characterSet: 'ISO 2022 IR 149' },
);
await writePart10(gsps.dataset, undefined, join(dir, 'gsps.dcm'));

const rdsr = buildRdsr(
  {
    worklistItem: item,
    equipment: {
      manufacturer: 'HnVue',
      manufacturerModelName: 'HnVue DR',
      deviceSerialNumber: 'SN1',
      softwareVersions: '1.0',
    },
    observer: { uid: '1.2.826.0.1.3680043.10.1437.5.1', name: 'XR1' },
    events: [{ start, dapDgyCm2: 0.15, kvp: 120, tubeCurrentMa: 250, exposureTimeMs: 10 }],
    images: [
      {
        seriesInstanceUid: String(dx.dataset.SeriesInstanceUID),
        sopClassUid: String(dx.dataset.SOPClassUID),
        sopInstanceUid: String(dx.dataset.SOPInstanceUID),
      },
    ],
  },
  { characterSet: 'ISO 2022 IR 149' },
);
await writePart10(rdsr.dataset, undefined, join(dir, 'rdsr.dcm'));

const errors = validateIod(dx.dataset, { pixelDataPresent: true }).filter((f) => f.severity === 'error');
console.log(`wrote dx.dcm, gsps.dcm, rdsr.dcm to ${dir}; DX validation errors: ${errors.length}`);
