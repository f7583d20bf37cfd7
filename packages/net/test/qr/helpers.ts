/**
 * Q/R test fixtures: a small archive of DX objects (patients → studies → series → instances)
 * written as Explicit VR LE Part 10 files, DCMTK `dcmqrscp` configured in a temp dir and filled
 * with `storescu`, and helpers comparing what our storage SCP received with what was stored.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeDataset, encodePart10Header, type NaturalDataset, parsePart10Header } from '@hnvue/dicom';
import { makeTempDir, run } from '../../../../testing/peers.js';
import { HNVUE_IMPLEMENTATION_CLASS_UID } from '../../src/index.js';
import { type Peer, startPeer } from '../workflow/helpers.js';

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

export interface Dcmqrscp extends Peer {
  readonly aeTitle: string;
  readonly dir: string;
}

export interface DcmqrscpOptions {
  /** Move destinations: AE title → port on 127.0.0.1. */
  readonly destinations?: Readonly<Record<string, number>>;
  readonly aeTitle?: string;
  /** Extra dcmqrscp arguments (e.g. `--disable-get`). */
  readonly args?: readonly string[];
}

/**
 * DCMTK `dcmqrscp` with one storage area (PEERS.md): the config file written in `dir`, the
 * destinations in its HostTable, any calling AE allowed. Filled later with `fillDcmqrscp`.
 * DCMTK caps a storage area at 500 studies (DB_UpperMaxStudies): above that dcmqrscp crashes
 * while storing (seen with 3.6.7: "free(): invalid next size").
 */
export async function startDcmqrscp(dir: string, options: DcmqrscpOptions = {}): Promise<Dcmqrscp> {
  const aeTitle = options.aeTitle ?? 'QRSCP';
  const db = join(dir, 'db');
  await mkdir(db, { recursive: true });
  const hosts = Object.entries(options.destinations ?? {})
    .map(([ae, port]) => `${ae.toLowerCase()} = (${ae}, 127.0.0.1, ${port})`)
    .join('\n');
  const cfgPath = join(dir, 'dcmqrscp.cfg');
  await writeFile(
    cfgPath,
    `NetworkTCPPort = 104\nMaxPDUSize = 65536\nMaxAssociations = 16\n` +
      `HostTable BEGIN\n${hosts}\nHostTable END\nVendorTable BEGIN\nVendorTable END\n` +
      `AETable BEGIN\n${aeTitle} ${db} RW (500, 1024mb) ANY\nAETable END\n`,
  );
  // The port argument overrides NetworkTCPPort.
  const peer = await startPeer('dcmqrscp', (port) => ['-c', cfgPath, ...(options.args ?? []), String(port)]);
  return { ...peer, port: peer.port, aeTitle, dir, output: peer.output, stop: peer.stop };
}

/** Stores the files into the dcmqrscp archive with DCMTK `storescu`. */
export async function fillDcmqrscp(qr: Dcmqrscp, files: readonly string[]): Promise<void> {
  for (let i = 0; i < files.length; i += 200) {
    const batch = files.slice(i, i + 200);
    const res = await run(
      'storescu',
      ['-aec', qr.aeTitle, '-aet', 'FILLER', '127.0.0.1', String(qr.port), ...batch],
      120_000,
    );
    if (res.code !== 0)
      throw new Error(`storescu failed: ${res.stderr.slice(-1000)}\n${qr.output().slice(-2000)}`);
  }
}

export { makeTempDir };
