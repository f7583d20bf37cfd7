/**
 * Peer parity of the reader and writer on real objects (issue 12 Proof, FR-DICOM-04): our DX, CR
 * and X-Ray Radiation Dose SR (built by @hnvue/iod) and an object Orthanc made (`/tools/create-
 * dicom`, with a sequence) are converted by DCMTK `dcmconv` (+ti, +te, +te -e undefined lengths,
 * +tb, +td) and GDCM `gdcmconv` (--implicit, --explicit, --deflated). For each converted file our
 * walker's element list (tag, VR, length, value; nested sequences by depth) equals `dcmdump +L`'s;
 * then our codec writes the decoded data set in each of the four encodings and `dcmdump` reads it
 * back as the converted file, and `dciodvfy` reports no error the converted file does not have.
 * (test/part10/peers-dcmtk.test.ts does the same for the synthetic DX-like sample.) Skipped when a
 * peer is missing, failing instead when HNVUE_REQUIRE_PEERS=1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OrthancPeer, startOrthanc } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDataset } from '../../src/codec/index.js';
import { parsePart10File, writePart10Dataset } from '../../src/part10/index.js';
import { TS } from '../../src/uids/index.js';
import { comparable, type DumpLine, dcmdump, havePeers, NATIVE, ourDump } from '../elements/fixtures.js';
import { ourObjects, part10Bytes } from '../part10/real-files.js';

const enabled = havePeers('dcmconv', 'dcmdump', 'gdcmconv', 'dciodvfy', 'Orthanc');
const dir = mkdtempSync(join(tmpdir(), 'hnv-peer-parity-'));

const SOURCES = ['dx', 'cr', 'rdsr', 'orthanc'] as const;
const CONVERSIONS: readonly [label: string, tool: string, args: readonly string[], ts: string][] = [
  ['dcmconv +ti', 'dcmconv', ['+ti'], TS.implicitVrLittleEndian],
  ['dcmconv +te', 'dcmconv', ['+te'], TS.explicitVrLittleEndian],
  ['dcmconv +te -e', 'dcmconv', ['+te', '-e'], TS.explicitVrLittleEndian],
  ['dcmconv +tb', 'dcmconv', ['+tb'], TS.explicitVrBigEndian],
  ['dcmconv +td', 'dcmconv', ['+td'], TS.deflatedExplicitVrLittleEndian],
  ['gdcmconv --implicit', 'gdcmconv', ['--implicit'], TS.implicitVrLittleEndian],
  ['gdcmconv --explicit', 'gdcmconv', ['--explicit'], TS.explicitVrLittleEndian],
  ['gdcmconv --deflated', 'gdcmconv', ['--deflated'], TS.deflatedExplicitVrLittleEndian],
];

const source = new Map<string, string>();
let orthanc: OrthancPeer | undefined;

beforeAll(async () => {
  if (!enabled) return;
  for (const o of ourObjects()) {
    const path = join(dir, `${o.name}.dcm`);
    writeFileSync(path, part10Bytes(o.dataset, TS.explicitVrLittleEndian));
    source.set(o.name, path);
  }
  orthanc = await startOrthanc();
  const base = `http://127.0.0.1:${orthanc.httpPort}`;
  const created = await fetch(`${base}/tools/create-dicom`, {
    method: 'POST',
    body: JSON.stringify({
      Tags: {
        PatientName: 'Test^Orthanc',
        PatientID: 'ORTHANC-1',
        Modality: 'OT',
        StudyDescription: 'peer parity',
        ReferencedStudySequence: [
          { ReferencedSOPClassUID: '1.2.840.10008.3.1.2.3.1', ReferencedSOPInstanceUID: '2.25.5' },
        ],
      },
    }),
  });
  if (created.status !== 200) throw new Error(`Orthanc create-dicom: HTTP ${created.status}`);
  const { ID } = (await created.json()) as { ID: string };
  const file = await fetch(`${base}/instances/${ID}/file`);
  const path = join(dir, 'orthanc.dcm');
  writeFileSync(path, new Uint8Array(await file.arrayBuffer()));
  source.set('orthanc', path);
}, 60_000);

afterAll(async () => {
  await orthanc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What must match between two dumps of the same content: group lengths and SQ lengths may differ. */
function content(lines: readonly DumpLine[]): DumpLine[] {
  return comparable(lines)
    .filter((l) => !l.tag.endsWith('0000'))
    .map((l) => (l.vr === 'SQ' ? { ...l, length: '' } : l));
}

/** dciodvfy's Error lines (a deflated file, which dciodvfy cannot read, is inflated by dcmconv first). */
function dciodvfyErrors(path: string): string[] {
  const plain = `${path}.te.dcm`;
  execFileSync('dcmconv', ['+te', path, plain]);
  const r = spawnSync('dciodvfy', [plain], { encoding: 'latin1' });
  // It names the IOD it checked against first: an empty report means it did not read the file.
  if (r.stderr.trim() === '') throw new Error(`dciodvfy printed nothing for ${plain}`);
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('Error'))
    .sort();
}

describe.skipIf(!enabled)(
  'reader and writer against DCMTK, GDCM and dciodvfy on real objects (real peers)',
  () => {
    for (const name of SOURCES) {
      for (const [label, tool, args, ts] of CONVERSIONS) {
        it(`FR-DICOM-04.encoding: ${name} converted by ${label}: our element list is dcmdump's; our writer's four encodings read back identically, no new dciodvfy error`, async () => {
          const from = source.get(name) as string;
          const converted = join(dir, `${name}-${label.replace(/\W+/g, '_')}.dcm`);
          execFileSync(tool, [...args, from, converted]);
          const parsed = parsePart10File(new Uint8Array(readFileSync(converted)));
          expect(parsed.meta.transferSyntaxUid).toBe(ts);
          const theirs = dcmdump(converted);
          expect(theirs.length).toBeGreaterThan(10);
          expect(comparable(ourDump(parsed.dataset, parsed.encoding))).toEqual(comparable(theirs));

          const dataset = decodeDataset(parsed.dataset, {
            transferSyntax: parsed.datasetTransferSyntax,
          }).dataset;
          const inputErrors = dciodvfyErrors(converted);
          for (const [encoding, uid] of NATIVE) {
            const ours = join(dir, `${name}-${label.replace(/\W+/g, '_')}-ours-${encoding}.dcm`);
            await writePart10Dataset(ours, { ...parsed.meta, transferSyntaxUid: uid }, dataset, {
              fsync: false,
            });
            expect(content(dcmdump(ours)), `${encoding}`).toEqual(content(theirs));
            const newErrors = dciodvfyErrors(ours).filter((e) => !inputErrors.includes(e));
            expect(newErrors, `${encoding}`).toEqual([]);
          }
        });
      }
    }
  },
);
