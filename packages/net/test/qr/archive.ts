/**
 * Q/R test fixtures without any peer: a small archive of DX/CR objects (patients → studies →
 * series → instances) written as Explicit VR LE Part 10 files, and helpers comparing what a
 * storage SCP received with what was stored.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDataset, encodePart10Header, type NaturalDataset, parsePart10Header } from '@hnvue/dicom';
import { Association, HNVUE_IMPLEMENTATION_CLASS_UID, storeInstances } from '../../src/index.js';
import { storageContexts } from '../../src/storage/index.js';

export const DX = '1.2.840.10008.5.1.4.1.1.1.1';
export const CR = '1.2.840.10008.5.1.4.1.1.1';
export const EXPLICIT = '1.2.840.10008.1.2.1';

export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(15).toString('hex')}`).toString()}`;
}

export interface ArchiveInstance {
  readonly path: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly studyInstanceUid: string;
  readonly studyDate: string;
  readonly accessionNumber: string;
  readonly seriesInstanceUid: string;
  readonly modality: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly instanceNumber: number;
  /** The data set bytes (Explicit VR LE, no meta). */
  readonly dataset: Uint8Array;
}

export interface ArchiveSpec {
  readonly patients: readonly {
    readonly id: string;
    readonly name: string;
    readonly charset?: string | readonly string[];
  }[];
  readonly studiesPerPatient?: number;
  readonly seriesPerStudy?: number;
  readonly instancesPerSeries?: number;
  /** Pixel matrix side (16-bit); default 16. */
  readonly size?: number;
}

/** Writes the archive's files into `dir`; returns every instance. */
export async function writeArchive(dir: string, spec: ArchiveSpec): Promise<ArchiveInstance[]> {
  const out: ArchiveInstance[] = [];
  const size = spec.size ?? 16;
  let n = 0;
  for (const [pi, patient] of spec.patients.entries()) {
    for (let s = 0; s < (spec.studiesPerPatient ?? 1); s++) {
      const studyInstanceUid = newUid();
      const studyDate = `2025${String(1 + ((pi + s) % 12)).padStart(2, '0')}${String(10 + s).padStart(2, '0')}`;
      const accessionNumber = `ACC${pi}${s}`;
      for (let r = 0; r < (spec.seriesPerStudy ?? 1); r++) {
        const seriesInstanceUid = newUid();
        const modality = r % 2 === 0 ? 'DX' : 'CR';
        const sopClassUid = modality === 'DX' ? DX : CR;
        for (let i = 0; i < (spec.instancesPerSeries ?? 1); i++) {
          const sopInstanceUid = newUid();
          const pixels = new Uint8Array(size * size * 2);
          for (let k = 0; k < pixels.length; k++) pixels[k] = (k * 7 + n) & 0xff;
          const ds: NaturalDataset = {
            ...(patient.charset ? { SpecificCharacterSet: patient.charset as string | string[] } : {}),
            SOPClassUID: sopClassUid,
            SOPInstanceUID: sopInstanceUid,
            StudyDate: studyDate,
            StudyTime: '101500',
            AccessionNumber: accessionNumber,
            Modality: modality,
            StudyDescription: `Chest ${s}`,
            ProcedureCodeSequence: [
              { CodeValue: `PC${s}`, CodingSchemeDesignator: 'LOCAL', CodeMeaning: `Chest ${s}` },
            ],
            SeriesDescription: `Series ${r}`,
            PatientName: patient.name,
            PatientID: patient.id,
            PatientBirthDate: '19700101',
            PatientSex: 'O',
            StudyInstanceUID: studyInstanceUid,
            SeriesInstanceUID: seriesInstanceUid,
            StudyID: `S${s}`,
            SeriesNumber: String(r + 1),
            InstanceNumber: String(i + 1),
            SamplesPerPixel: 1,
            PhotometricInterpretation: 'MONOCHROME2',
            Rows: size,
            Columns: size,
            BitsAllocated: 16,
            BitsStored: 12,
            HighBit: 11,
            PixelRepresentation: 0,
            PixelData: [pixels.buffer],
            _vrMap: { PixelData: 'OW' },
          };
          const dataset = encodeDataset(ds, { transferSyntax: EXPLICIT });
          const header = encodePart10Header({
            mediaStorageSopClassUid: sopClassUid,
            mediaStorageSopInstanceUid: sopInstanceUid,
            transferSyntaxUid: EXPLICIT,
            implementationClassUid: HNVUE_IMPLEMENTATION_CLASS_UID,
          });
          const path = join(dir, `obj${String(n++).padStart(5, '0')}.dcm`);
          await writeFile(path, Buffer.concat([header, dataset]));
          out.push({
            path,
            patientId: patient.id,
            patientName: patient.name,
            studyInstanceUid,
            studyDate,
            accessionNumber,
            seriesInstanceUid,
            modality,
            sopClassUid,
            sopInstanceUid,
            instanceNumber: i + 1,
            dataset,
          });
        }
      }
    }
  }
  return out;
}

/** The data set bytes of a Part 10 file (after its meta group) and its transfer syntax. */
export async function datasetOf(path: string): Promise<{ dataset: Uint8Array; transferSyntax: string }> {
  const bytes = new Uint8Array(await readFile(path));
  const header = parsePart10Header(bytes);
  return { dataset: bytes.subarray(header.datasetOffset), transferSyntax: header.meta.transferSyntaxUid };
}

/** Every .dcm file under `dir` (flat), by file name. */
export async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.dcm')).map((f) => join(dir, f));
}

/** A fresh temp dir (without the shared peer launcher, so unit tests stay peer-free). */
export async function tempDir(prefix: string): Promise<string> {
  return await mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Stores every instance of `archive` in a PACS (our SCU, one association, as FILLER) and waits
 * until `seen` reports them all (the simulator's archive fills once each file is written).
 */
export async function fillArchive(
  port: number,
  archive: readonly ArchiveInstance[],
  seen: { readonly archive: { readonly size: number } },
  calledAeTitle = 'PACS',
): Promise<void> {
  const store = await Association.open({
    host: '127.0.0.1',
    port,
    callingAeTitle: 'FILLER',
    calledAeTitle,
    presentationContexts: storageContexts([
      { sopClassUid: DX, transferSyntax: EXPLICIT },
      { sopClassUid: CR, transferSyntax: EXPLICIT },
    ]),
  });
  try {
    for (const o of await storeInstances(
      store,
      archive.map((a) => a.path),
    ))
      if (!o.ok) throw o.error;
  } finally {
    await store.release();
  }
  const deadline = Date.now() + 30_000;
  while (seen.archive.size < archive.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 25));
}
