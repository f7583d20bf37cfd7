import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeDataset,
  decodeText,
  openPart10File,
  Part10TruncatedError,
  parseCharacterSet,
  readPart10File,
  SOP_CLASS,
  sopClass,
  TS,
  transferSyntax,
  writePart10Dataset,
} from '@hnvue/dicom';

// 1. The registry is the one place that knows what a transfer syntax or SOP class is.
const deflated = transferSyntax(TS.deflatedExplicitVrLittleEndian);
console.log(deflated?.name, deflated?.explicitVr, deflated?.deflated); // Deflated Explicit VR Little Endian true true
console.log(sopClass(SOP_CLASS.digitalXRayImageStorageForPresentation)?.kind); // storage

// 2. Write a Part 10 file in any of the four encodings (here deflated), read it back.
const dir = await mkdtemp(join(tmpdir(), 'hnvue-dicom-'));
const path = join(dir, 'sc.dcm');
await writePart10Dataset(
  path,
  {
    mediaStorageSopClassUid: SOP_CLASS.secondaryCaptureImageStorage,
    mediaStorageSopInstanceUid: '2.25.1',
    transferSyntaxUid: TS.deflatedExplicitVrLittleEndian,
    implementationClassUid: '2.25.2',
  },
  {
    SOPClassUID: SOP_CLASS.secondaryCaptureImageStorage,
    SOPInstanceUID: '2.25.1',
    Modality: 'OT',
    PatientID: 'X1',
  },
);
const file = await readPart10File(path);
const { dataset } = decodeDataset(file.dataset, { transferSyntax: file.datasetTransferSyntax });
console.log(dataset.Modality, file.elements.length); // OT 4

// 3. A file cut short is refused, with the byte offset, before anything is sent.
await writeFile(path, (await readFile(path)).subarray(0, -3));
try {
  await openPart10File(path);
} catch (err) {
  if (err instanceof Part10TruncatedError) console.log(err.code); // HNV_ERR_PART10_TRUNCATED
}
await rm(dir, { recursive: true });

// 4. Character sets: ISO 2022 with code extensions, decoded by the state machine.
const korean = parseCharacterSet('\\ISO 2022 IR 149');
const bytes = Uint8Array.from([0x48, 0x6f, 0x6e, 0x67, 0x5e, 0x1b, 0x24, 0x29, 0x43, 0xc8, 0xab]);
console.log(decodeText(bytes, korean)); // Hong^홍
